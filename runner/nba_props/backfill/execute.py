"""Running a plan: one dbt invocation of the whole selection per chunk, checkpointed in the warehouse.

The runner holds no DuckDB connection while dbt runs (dbt opens the file itself); it opens one briefly before
a chunk (mark it running, committed) and after it (rows written, gaps resolved, mark it finished). What dbt
runs for a chunk is exactly `Plan.dbt_command(chunk)`, the command `--plan` prints for doing it by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from nba_props import dbt
from nba_props.backfill import checkpoints as cp
from nba_props.backfill.gaps import resolved_gaps
from nba_props.backfill.plan import Chunk, Plan
from nba_props.backfill.warehouse_meta import rows_between
from nba_props.errors import DbtFailure
from nba_props.settings import Settings
from nba_props.warehouse import connect

STORE = "ml_feature_store_v2"


@dataclass
class ChunkOutcome:
    chunk: Chunk
    status: str  # succeeded, failed, skipped (done in an earlier invocation), not_run (see `error`)
    attempt: int = 0
    elapsed_s: float = 0.0
    rows: int | None = None
    gaps_resolved: int | None = None
    invocation_id: str | None = None
    error: str | None = None


def run_chunks(
    settings: Settings,
    plan: Plan,
    run_id: str,
    fail_fast: bool = False,
    on_start: Callable[[Chunk, int], None] | None = None,
    on_done: Callable[[ChunkOutcome], None] | None = None,
    break_dates: frozenset | None = None,
) -> list[ChunkOutcome]:
    """Run every chunk of PLAN not yet succeeded in run RUN_ID, checkpointing each; one outcome per chunk.

    `break_dates` (tests only) gives a chunk containing one of those dates an invalid end_date var, so dbt
    itself fails on that chunk and the resume path can be exercised on real models.
    """
    with connect(settings.duckdb_path, must_exist=True) as con:
        states = cp.chunk_states(con, run_id)
    outcomes: list[ChunkOutcome] = []
    stopped = False
    for chunk in plan.chunks:
        state = states.get(chunk.index)
        if state is not None and state.status == cp.DONE:
            outcome = ChunkOutcome(
                chunk,
                "skipped",
                attempt=state.attempts,
                elapsed_s=state.elapsed_s or 0.0,
                rows=state.rows_written,
                invocation_id=state.dbt_invocation_id,
            )
        elif stopped:
            outcome = ChunkOutcome(chunk, "not_run", error="--fail-fast")
        else:
            outcome = run_chunk(settings, plan, run_id, chunk, on_start, break_dates)
            stopped = fail_fast and outcome.status == "failed"
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    status = cp.DONE if all(o.status in {cp.DONE, "skipped"} for o in outcomes) else "failed"
    with connect(settings.duckdb_path, must_exist=True) as con:
        cp.finish_run(con, run_id, status)
    return outcomes


def run_chunk(
    settings: Settings,
    plan: Plan,
    run_id: str,
    chunk: Chunk,
    on_start: Callable[[Chunk, int], None] | None = None,
    break_dates: frozenset | None = None,
) -> ChunkOutcome:
    with connect(settings.duckdb_path, must_exist=True) as con:
        attempt = cp.mark_chunk_running(con, run_id, chunk)
    if on_start:
        on_start(chunk, attempt)
    command, dbt_vars = plan.dbt_command(chunk)
    if break_dates and break_dates & set(chunk.dates):
        dbt_vars["end_date"] = "not-a-date"
    started = time.perf_counter()
    run: dbt.DbtRun | None = None
    try:
        run = dbt.invoke(settings, command, dbt_vars, raise_on_failure=False)
        error = None if run.success else run.error()
    except DbtFailure as exc:
        error = str(exc)
    except BaseException:
        # Ctrl-C or similar: record it, then let it end the process (a resume retries this chunk)
        with connect(settings.duckdb_path, must_exist=True) as con:
            cp.mark_chunk_finished(
                con,
                run_id,
                chunk,
                attempt,
                status="failed",
                elapsed_s=time.perf_counter() - started,
                error="interrupted",
            )
            cp.finish_run(con, run_id, "interrupted")
        raise
    status = "failed" if error else cp.DONE
    invocation_id = run.invocation_id if run else None
    with connect(settings.duckdb_path, must_exist=True) as con:
        rows = rows_between(con, STORE, chunk.start, chunk.end)
        gaps = resolved_gaps(con, chunk.start, chunk.end, invocation_id) if status == cp.DONE else None
        elapsed = time.perf_counter() - started
        cp.mark_chunk_finished(
            con,
            run_id,
            chunk,
            attempt,
            status=status,
            elapsed_s=elapsed,
            dbt_elapsed_s=run.elapsed if run else None,
            invocation_id=invocation_id,
            rows_written=rows,
            gaps_resolved=gaps,
            error=error,
        )
    return ChunkOutcome(chunk, status, attempt, elapsed, rows, gaps, invocation_id, error)
