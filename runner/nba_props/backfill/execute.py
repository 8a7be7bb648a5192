"""Running a plan: one set-based dbt invocation per chunk, checkpointed in the warehouse around each one.

The runner holds no DuckDB connection while dbt runs (dbt opens the file itself); it opens one briefly before
a chunk (mark running, committed) and after it (rows, gap resolution, mark finished). What a run builds only
once (seeds missing from the warehouse, date-independent models that are not current) goes into the dbt
invocation of the first chunk it runs: one invocation instead of three saves dbt's fixed cost per invocation
(about 1 s each here), and dbt's threads start the first date-bounded models while the long date-independent
ones (resolved lines) still run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nba_props import dbt
from nba_props.backfill import checkpoints as cp
from nba_props.backfill import prepared
from nba_props.backfill.gaps import resolved_gaps
from nba_props.backfill.graph import compact_selection
from nba_props.backfill.plan import Chunk, Plan, chunk_vars
from nba_props.backfill.warehouse_meta import rows_between
from nba_props.errors import NbaPropsError
from nba_props.settings import Settings
from nba_props.warehouse import connect

STORE = "ml_feature_store_v2"
# Unit tests check the models' SQL on fixed inputs, not the day's data: they run in CI (`make test` builds the
# whole project) and in `dbt build` by hand, not again in every chunk of every backfill (about 7 s a build).
UNIT_TESTS_OFF = {"build": ("--exclude-resource-type", "unit_test")}
# `dbt build` doing what `dbt run` does, plus seeds: no data tests, no unit tests
RUN_ONLY = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")


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
    prepared_failed: bool = False  # what the run builds once (with this chunk) was not all built


@dataclass(frozen=True)
class Preparation:
    """What a run builds once, with its first chunk, and what every chunk runs."""

    per_chunk: tuple[str, ...]  # the selection each chunk runs
    seeds: tuple[str, ...] = ()  # seeds with no table in the warehouse yet
    models: tuple[str, ...] = ()  # date-independent models that are not current (backfill/prepared.py)
    fingerprint: str | None = None  # recorded for `models` once they are built
    verb: str = "run"
    note: str | None = None  # what the run will do, for the user

    @property
    def once(self) -> tuple[str, ...]:
        return (*self.seeds, *self.models)


def dbt_paths(settings: Settings) -> tuple[Path, Path]:
    """Target and log paths per warehouse, so runs on different warehouses never share run_results.json, while
    runs on the same warehouse reuse dbt's partial parse (faster start-up)."""
    if env := os.environ.get("NBA_PROPS_DBT_TARGET_PATH"):
        base = Path(env)
    elif settings.is_duckdb:
        base = settings.duckdb_path.parent / f".{settings.duckdb_path.stem}.dbt"
    else:
        base = settings.project_dir / "target" / settings.target
    return base / "target", base / "logs"


def dbt_command(
    settings: Settings,
    verb: str,
    selection: tuple[str, ...],
    dbt_vars: dict[str, str],
    with_seeds: bool = False,
) -> tuple[dbt.DbtRun | None, str | None]:
    """Run `dbt VERB --select SELECTION --vars ...`; returns (results, error message or None). WITH_SEEDS:
    the selection names seeds too, which `dbt run` would not load (`dbt build` without tests does).

    dbt's own console output is captured (it would break the chunk lines and the progress bar); the error
    message keeps its substance, and dbt's full log stays in the log path."""
    target_path, log_path = dbt_paths(settings)
    verb_args = _verb_args(verb, with_seeds)
    common = dbt.common_args(settings, target_path)
    if settings.is_duckdb and dbt.parsed_manifest(settings, common, str(log_path)) is not None:
        selection = compact_selection(dbt.manifest_graph(settings, target_path), selection, verb_args[0])
    console = io.StringIO()
    try:
        with contextlib.redirect_stdout(console):
            run = dbt.invoke(
                settings,
                # cautious: a test is run only when every model it reads is selected (a relationships
                # test from a seed to an unselected staging view would otherwise fail on a fresh warehouse).
                [
                    *verb_args,
                    "--select",
                    *selection,
                    "--indirect-selection",
                    "cautious",
                    "--log-path",
                    str(log_path),
                ],
                dbt_vars=dbt_vars,
                target_path=target_path,
                raise_on_failure=False,
            )
    except NbaPropsError as exc:
        return None, f"{exc}{_console_detail(console.getvalue())}"
    if run.success:
        return run, None
    failed = run.failures
    if failed:
        first = failed[0]
        detail = " ".join((first.message or "").split())[:300]
        more = f" (+{len(failed) - 1} more)" if len(failed) > 1 else ""
        return run, f"{first.unique_id.split('.')[-1]}: {detail}{more}"
    return run, f"dbt {verb} failed without node results{_console_detail(console.getvalue())}"


def _verb_args(verb: str, with_seeds: bool) -> list[str]:
    if verb == "run" and with_seeds:
        return ["build", *RUN_ONLY]
    return [verb, *UNIT_TESTS_OFF.get(verb, ())]


def _console_detail(text: str) -> str:
    """The lines after dbt's 'Encountered an error:' squeezed to one line (compilation errors live there)."""
    marker = "Encountered an error:"
    if marker not in text:
        return ""
    tail = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", text.split(marker, 1)[1]).split())
    return f" ({tail[:300]})" if tail else ""


def run_chunks(
    settings: Settings,
    plan: Plan,
    run_id: str,
    preparation: Preparation,
    fail_fast: bool = False,
    on_start: Callable[[Chunk, int], None] | None = None,
    on_done: Callable[[ChunkOutcome], None] | None = None,
    break_dates: frozenset | None = None,
) -> list[ChunkOutcome]:
    """Run every chunk of PLAN not yet succeeded in run RUN_ID, checkpointing each; one outcome per chunk.
    The first chunk to run also builds what PREPARATION builds once; if that fails, no later chunk runs.

    `break_dates` (tests only) gives a chunk containing one of those dates an invalid end_date var, so dbt
    itself fails on that chunk and the resume path can be exercised on real models.
    """
    with connect(settings.duckdb_path, must_exist=True) as con:
        states = cp.chunk_states(con, run_id)
    outcomes: list[ChunkOutcome] = []
    once = preparation.once
    stop: str | None = None  # why the remaining chunks do not run
    for chunk in plan.chunks:
        state = states.get(chunk.index)
        if state is not None and state.status == cp.DONE:
            outcome = ChunkOutcome(
                chunk,
                "skipped",
                state.attempts,
                state.elapsed_s or 0.0,
                state.rows_written,
                invocation_id=state.dbt_invocation_id,
            )
        elif stop:
            outcome = ChunkOutcome(chunk, "not_run", error=stop)
        else:
            outcome = _run_one(settings, plan, run_id, chunk, preparation, once, on_start, break_dates)
            if fail_fast and outcome.status == "failed":
                stop = "--fail-fast"
            if once:
                once = ()
                if outcome.prepared_failed:
                    # later chunks would read date-independent models that were not built
                    stop = "models built once failed"
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    status = cp.DONE if all(o.status in {cp.DONE, "skipped"} for o in outcomes) else "failed"
    with connect(settings.duckdb_path, must_exist=True) as con:
        cp.finish_run(con, run_id, status)
    return outcomes


def _run_one(
    settings: Settings,
    plan: Plan,
    run_id: str,
    chunk: Chunk,
    preparation: Preparation,
    once: tuple[str, ...],
    on_start: Callable[[Chunk, int], None] | None,
    break_dates: frozenset | None,
) -> ChunkOutcome:
    with connect(settings.duckdb_path, must_exist=True) as con:
        attempt = cp.mark_chunk_running(con, run_id, chunk)
    if on_start:
        on_start(chunk, attempt)
    values = chunk_vars(chunk, plan.as_of, plan.extra_vars)
    if break_dates and break_dates & set(chunk.dates):
        values["end_date"] = "not-a-date"
    started = time.perf_counter()
    try:
        run, error = dbt_command(
            settings,
            preparation.verb,
            (*once, *preparation.per_chunk),
            values,
            with_seeds=bool(once and preparation.seeds),
        )
    except BaseException:
        # Ctrl-C or similar: record it, then let it end the process (resume will retry this chunk)
        with connect(settings.duckdb_path, must_exist=True) as con:
            cp.mark_chunk_finished(
                con,
                run_id,
                chunk,
                attempt,
                "failed",
                time.perf_counter() - started,
                None,
                None,
                None,
                None,
                "interrupted",
            )
            cp.finish_run(con, run_id, "interrupted")
        raise
    not_built = _not_built(run, once)
    if not_built:
        shown = ", ".join(not_built[:3]) + (", ..." if len(not_built) > 3 else "")
        error = f"{error or 'dbt reported success'}; not built, so no later chunk ran: {shown}"
    status = "failed" if error else cp.DONE
    with connect(settings.duckdb_path, must_exist=True) as con:
        if once and not not_built and preparation.models:
            prepared.record(
                con,
                preparation.models,
                preparation.fingerprint,
                preparation.verb,
                run.invocation_id if run else None,
            )
        rows = rows_between(con, STORE, chunk.start, chunk.end)
        gaps = None
        if status == cp.DONE:
            resolver = plan.extra_vars.get("gaps_resolved_by", preparation.verb)
            gaps = resolved_gaps(con, chunk.start, chunk.end, run.invocation_id if run else None, resolver)
        elapsed = time.perf_counter() - started
        cp.mark_chunk_finished(
            con,
            run_id,
            chunk,
            attempt,
            status,
            elapsed,
            run.elapsed if run else None,
            run.invocation_id if run else None,
            rows,
            gaps,
            error,
        )
    return ChunkOutcome(
        chunk,
        status,
        attempt,
        elapsed,
        rows,
        gaps,
        run.invocation_id if run else None,
        error,
        prepared_failed=bool(not_built),
    )


def _not_built(run: dbt.DbtRun | None, names: tuple[str, ...]) -> list[str]:
    """Which of the seeds and models NAMES the invocation did not build successfully (all of them if it
    never started)."""
    if not names:
        return []
    built = {
        n.unique_id.split(".")[-1]
        for n in (run.nodes if run else [])
        if n.unique_id.startswith(("model.", "seed.")) and n.status == "success"
    }
    return [name for name in names if name not in built]


def missing_seeds(settings: Settings) -> tuple[str, ...]:
    """Seeds of the project that have no table in the warehouse yet (a fresh load before any dbt build)."""
    names = sorted(p.stem for p in (settings.project_dir / "seeds").glob("*.csv"))
    if not names:
        return ()
    with connect(settings.duckdb_path, must_exist=True) as con:
        present = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    return tuple(n for n in names if n not in present)


def prepare_run(
    settings: Settings, plan: Plan, run_id: str, verb: str = "run", whole_selection_per_chunk: bool = False
) -> Preparation:
    """prepare() for run RUN_ID, marking that run failed when it cannot (the error still propagates)."""
    try:
        return prepare(settings, plan, verb, whole_selection_per_chunk)
    except NbaPropsError:
        with connect(settings.duckdb_path, must_exist=True) as con:
            cp.finish_run(con, run_id, "failed")
        raise


def prepare(
    settings: Settings, plan: Plan, verb: str = "run", whole_selection_per_chunk: bool = False
) -> Preparation:
    """What the run builds once, with its first chunk: missing seeds (models of every chunk read them), and,
    unless WHOLE_SELECTION_PER_CHUNK, the selection's date-independent models when they are not current
    (backfill/prepared.py); every chunk then runs only the date-bounded ones. See backfill/graph.py for why
    this is exact."""
    from nba_props.backfill.graph import list_models, split_models

    seeds = missing_seeds(settings)
    shown = ", ".join(seeds[:4]) + (", ..." if len(seeds) > 4 else "")
    seeds_text = f"the first chunk also loads {len(seeds)} missing seed(s) ({shown})" if seeds else ""
    also_seeds = f"; {seeds_text}" if seeds else ""
    if whole_selection_per_chunk:
        return Preparation(per_chunk=plan.selection, seeds=seeds, verb=verb, note=seeds_text or None)
    target_path, log_path = dbt_paths(settings)
    whole = Chunk(-1, (plan.dates[0], plan.dates[-1]))
    values = chunk_vars(whole, plan.as_of, plan.extra_vars)
    selected = list_models(settings, plan.selection, values, target_path, log_path)
    if not selected:
        raise NbaPropsError(f"the selection {' '.join(plan.selection)} matches no dbt model")
    graph = dbt.manifest_graph(settings, target_path)
    split = split_models(graph, selected)
    if not split.useful:
        return Preparation(
            per_chunk=plan.selection,
            seeds=seeds,
            verb=verb,
            note=f"every chunk runs the whole selection ({len(selected)} models){also_seeds}",
        )
    dbt.ensure_imported(target_path)  # first, with its generated code (a no-op after list_models)
    from dbt.version import __version__ as dbt_version

    project_text = (settings.project_dir / "dbt_project.yml").read_text()
    with connect(settings.duckdb_path, must_exist=True) as con:
        state = prepared.fingerprint(con, graph, split.prepare, values, project_text, dbt_version)
        current = prepared.is_current(con, split.prepare, state, verb)
    per_chunk = f"each chunk runs {len(split.per_chunk)} date-bounded model(s)"
    if current:
        note = (
            f"{len(split.prepare)} date-independent model(s) up to date (same SQL, vars and raw data as when "
            f"last built): not rebuilt; {per_chunk}{also_seeds}"
        )
        return Preparation(per_chunk=split.per_chunk, seeds=seeds, verb=verb, note=note)
    note = (
        f"building {len(split.prepare)} date-independent model(s) once, in the first chunk's dbt invocation; "
        f"{per_chunk}{also_seeds}"
    )
    return Preparation(
        per_chunk=split.per_chunk,
        seeds=seeds,
        models=split.prepare,
        fingerprint=state,
        verb=verb,
        note=note,
    )
