"""`nba-props backfill`: rebuild the feature store over a range of game dates, in checkpointed chunks.

Each chunk is one set-based dbt invocation of the whole selection, exactly what this does by hand:
    dbt build --exclude-resource-type test --exclude-resource-type unit_test \
      --select +ml_feature_store_v2 +feature_store_gaps \
      --vars '{start_date: A, end_date: B, gaps_detected_by: backfill, gaps_resolved_by: backfill}'
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import replace

import click

from nba_props import params as p
from nba_props.backfill import checkpoints as cp
from nba_props.backfill.execute import ChunkOutcome, run_chunks
from nba_props.backfill.gaps import gap_vars
from nba_props.backfill.lock import lock_path, runner_lock
from nba_props.backfill.plan import DEFAULT_SELECTION, Chunk, Plan, make_chunks
from nba_props.backfill.preflight import DateCheck, game_dates, preflight
from nba_props.backfill.warehouse_meta import find_relation
from nba_props.errors import NbaPropsError
from nba_props.settings import Settings, load_settings
from nba_props.warehouse import connect, execute, table_exists

# tests only: comma-separated dates whose chunk gets an invalid var, so that dbt fails on it
BREAK_DATES_ENV = "NBA_PROPS_TEST_BREAK_DATES"


def parse_dates(text: str) -> list[dt.date]:
    dates = []
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        try:
            dates.append(dt.date.fromisoformat(part))
        except ValueError:
            raise NbaPropsError(f"--dates: {part!r} is not a date in the format YYYY-MM-DD") from None
    if not dates:
        raise NbaPropsError("--dates is empty: give dates like 2024-01-05,2024-01-07")
    return sorted(set(dates))


@click.command("backfill")
@p.start_date
@p.end_date
@click.option("--dates", "dates_text", help="Comma-separated game dates instead of a range.")
@click.option(
    "--chunk-days",
    type=click.IntRange(min=1),
    default=366,
    show_default=True,
    help="Calendar days of games per dbt invocation (default: a season per chunk, the fastest; fewer days "
    "give finer checkpoints at the cost of dbt's fixed time per invocation).",
)
@p.select
@click.option("--skip-preflight", is_flag=True, help="Do not check upstream data per date (faster plan).")
@click.option(
    "--no-resume", is_flag=True, help="Start a new run even if an unfinished run of this plan exists."
)
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed chunk (default: run the others).")
@click.option(
    "--plan", "--dry-run", "plan_only", is_flag=True, help="Print the plan and exit without running."
)
@p.as_of
@p.full_refresh
@p.target
def command(
    start_date: dt.date | None,
    end_date: dt.date | None,
    dates_text: str | None,
    chunk_days: int,
    select: tuple[str, ...],
    skip_preflight: bool,
    no_resume: bool,
    fail_fast: bool,
    plan_only: bool,
    as_of: dt.datetime | None,
    full_refresh: bool,
    target: str | None,
) -> None:
    """Backfill the feature store from START_DATE to END_DATE (or --dates), resuming an unfinished run."""
    requested = _requested(start_date, end_date, dates_text)
    settings = load_settings(target)
    _require_duckdb(settings)
    as_of_text = as_of.strftime("%Y-%m-%dT%H:%M:%SZ") if as_of else None

    with connect(settings.duckdb_path, read_only=plan_only, must_exist=True) as con:
        plan = _make_plan(con, settings, requested, dates_text is not None, chunk_days, as_of_text)
        plan = replace(plan, selection=p.selection(select, plan.selection), full_refresh=full_refresh)
        checks = {} if skip_preflight else preflight(con, plan.dates)
        resumable = None
        states: dict[int, cp.ChunkState] = {}
        if table_exists(con, cp.SCHEMA, "backfill_runs"):
            resumable = None if no_resume else cp.find_resumable(con, plan)
            states = cp.chunk_states(con, resumable.run_id) if resumable else {}
        store_rows = _store_rows(con, plan.dates)
        pending = [c for c in plan.chunks if states.get(c.index) is None or states[c.index].status != cp.DONE]
        history = con if table_exists(con, cp.SCHEMA, "backfill_chunks") else None
        estimate = cp.estimate(history, plan, pending)

    if plan_only:
        print_plan(plan, checks, states, store_rows, resumable, estimate, pending)
        return
    blocking = [c for c in checks.values() if c.blocking]
    if blocking:
        shown = ", ".join(str(c.game_date) for c in blocking[:5])
        raise NbaPropsError(
            f"preflight: {len(blocking)} date(s) have scheduled games but no box scores although later dates "
            f"have them ({shown}{', ...' if len(blocking) > 5 else ''}): load them, or pass --skip-preflight"
        )

    with runner_lock(lock_path(settings.duckdb_path), "backfill"):
        with connect(settings.duckdb_path, must_exist=True) as con:
            cp.ensure_schema(con)
            run = cp.start_run(
                con,
                plan,
                "backfill",
                resume=not no_resume,
                args={"selection": plan.selection, "chunk_days": chunk_days, "as_of": as_of_text},
            )
            states = cp.chunk_states(con, run.run_id)
        done = sum(1 for s in states.values() if s.status == cp.DONE)
        verb = (
            f"resuming run {run.run_id} ({done} of {len(plan.chunks)} chunks already done)"
            if run.resumed
            else f"run {run.run_id}"
        )
        click.echo(
            f"backfill {verb}: {len(plan.dates)} game dates in {len(plan.chunks)} chunk(s), "
            f"estimate {_duration(estimate.seconds)}"
        )
        outcomes = _run_with_progress(settings, plan, run.run_id, fail_fast, len(plan.chunks) - done)
    print_summary(run.run_id, outcomes)
    n_failed = sum(o.status == "failed" for o in outcomes)
    n_not_run = sum(o.status == "not_run" for o in outcomes)
    if n_failed or n_not_run:
        why = next((o.error for o in outcomes if o.status == "not_run"), None)
        not_run = f", {n_not_run} not run ({why})" if n_not_run else ""
        raise NbaPropsError(
            f"{n_failed} chunk(s) failed{not_run}; rerun the same command to retry only those "
            f"(run {run.run_id})",
            exit_code=1,
        )


def _requested(start: dt.date | None, end: dt.date | None, dates_text: str | None) -> tuple[dt.date, ...]:
    if dates_text is not None:
        if start or end:
            raise NbaPropsError("give either --dates or --start-date/--end-date, not both")
        return tuple(parse_dates(dates_text))
    if start is None or end is None:
        raise NbaPropsError("give --start-date and --end-date (or --dates)")
    return p.check_range(start, end)


def _require_duckdb(settings: Settings) -> None:
    if not settings.is_duckdb:
        raise NbaPropsError(
            f"backfill keeps its checkpoints in the DuckDB warehouse; target {settings.target!r} is not "
            "supported yet: run the equivalent `dbt build --select +ml_feature_store_v2 +feature_store_gaps "
            "--vars '{start_date: ..., end_date: ...}'`"
        )


def _make_plan(
    con: object,
    settings: Settings,
    requested: tuple[dt.date, ...],
    is_list: bool,
    chunk_days: int,
    as_of: str | None,
) -> Plan:
    if is_list:
        available = game_dates(con, requested[0], requested[-1])
        no_games = [d for d in requested if d not in set(available)]
        if no_games:
            shown = ", ".join(str(d) for d in no_games[:5])
            raise NbaPropsError(f"--dates: no games in the warehouse on {shown}")
        chunks = make_chunks(requested, chunk_days, all_game_dates=available)
        dates = requested
    else:
        start, end = requested
        dates = tuple(game_dates(con, start, end))
        if not dates:
            raise NbaPropsError(
                f"no games in the warehouse between {start} and {end} (box scores or schedule)"
            )
        chunks = make_chunks(dates, chunk_days)
    return Plan(
        dates=tuple(dates),
        chunks=chunks,
        selection=DEFAULT_SELECTION,
        chunk_days=chunk_days,
        as_of=as_of,
        target=settings.target,
        extra_vars=gap_vars("backfill"),
    )


def _store_rows(con: object, dates: tuple[dt.date, ...]) -> dict[dt.date, int]:
    relation = find_relation(con, "ml_feature_store_v2")
    if relation is None:
        return {}
    rows = execute(
        con,
        f"select game_date, count(*) from {relation} where game_date between ? and ? group by 1",
        [dates[0], dates[-1]],
    ).fetchall()
    return dict(rows)


def _run_with_progress(
    settings: Settings,
    plan: Plan,
    run_id: str,
    fail_fast: bool,
    to_run: int,
) -> list[ChunkOutcome]:
    stream = sys.stderr
    tty = stream.isatty()
    total = len(plan.chunks)
    break_dates = frozenset(
        dt.date.fromisoformat(d) for d in os.environ.get(BREAK_DATES_ENV, "").split(",") if d
    )

    with click.progressbar(length=max(to_run, 1), label="chunks", file=stream, show_pos=True) as bar:

        def say(line: str) -> None:
            if tty:
                stream.write("\r\x1b[K")
            click.echo(line)
            if tty:
                bar.render_progress()

        def on_start(chunk: Chunk, attempt: int) -> None:
            retry = f" (attempt {attempt})" if attempt > 1 else ""
            say(f"chunk {chunk.index + 1}/{total} {chunk.label}: running {len(chunk.dates)} date(s){retry}")

        def on_done(o: ChunkOutcome) -> None:
            head = f"chunk {o.chunk.index + 1}/{total} {o.chunk.label}:"
            if o.status == "skipped":
                say(f"{head} already done in an earlier attempt, skipped")
                return
            if o.status == "not_run":
                say(f"{head} not run ({o.error})")
                return
            rows = "?" if o.rows is None else f"{o.rows:,}"
            gaps = "" if o.gaps_resolved is None else f", {o.gaps_resolved} gap(s) resolved"
            if o.status == cp.DONE:
                say(f"{head} ok in {o.elapsed_s:.1f} s, {rows} feature rows{gaps}")
            else:
                say(f"{head} FAILED in {o.elapsed_s:.1f} s: {o.error}")
            bar.update(1)

        return run_chunks(
            settings,
            plan,
            run_id,
            fail_fast=fail_fast,
            on_start=on_start,
            on_done=on_done,
            break_dates=break_dates or None,
        )


def print_plan(
    plan: Plan,
    checks: dict[dt.date, DateCheck],
    states: dict[int, cp.ChunkState],
    store_rows: dict[dt.date, int],
    resumable: cp.RunInfo | None,
    estimate: cp.Estimate,
    pending: list[Chunk],
) -> None:
    click.echo(
        f"plan: {len(plan.dates)} game date(s) from {plan.dates[0]} to {plan.dates[-1]} in "
        f"{len(plan.chunks)} chunk(s) of up to {plan.chunk_days} day(s)"
    )
    click.echo(f"selection: {' '.join(plan.selection)}" + (f"; as_of {plan.as_of}" if plan.as_of else ""))
    if resumable:
        done = sum(1 for s in states.values() if s.status == cp.DONE)
        started = f"{resumable.started_at:%Y-%m-%d %H:%M}"
        click.echo(
            f"resume: run {resumable.run_id} ({resumable.status}, started {started} UTC): "
            f"{done} chunk(s) done, {len(pending)} to run"
        )
    else:
        click.echo("resume: no unfinished run of this plan; every chunk will run")
    header = (
        f"  {'date':<10}  {'box rows':>8}  {'games':>5}  {'lines':>7}  {'injuries':>8}  {'store rows':>10}  "
        "missing"
    )
    for chunk in plan.chunks:
        state = states.get(chunk.index)
        status = "pending" if state is None else state.status
        if status == "running":
            status = "interrupted (will rerun)"
        elif status == "failed":
            status = f"failed (will retry): {state.error or ''}"[:120]
        elif status == cp.DONE:
            status = "done (skip)"
        click.echo(f"chunk {chunk.index + 1}: {chunk.label} ({len(chunk.dates)} date(s)) {status}")
        click.echo(header)
        for day in chunk.dates:
            c = checks.get(day)
            cells = [
                _count(getattr(c, n)) if c else "-" for n in ("box_scores", "schedule", "lines", "injuries")
            ]
            missing = "not checked (--skip-preflight)" if c is None else ", ".join(c.missing) or "-"
            if c and c.blocking:
                missing += f"; BLOCKING: {c.blocking}"
            click.echo(
                f"  {day!s:<10}  {cells[0]:>8}  {cells[1]:>5}  {cells[2]:>7}  {cells[3]:>8}  "
                f"{store_rows.get(day, 0):>10,}  {missing}"
            )
    click.echo(f"estimate: {_duration(estimate.seconds)} for {len(pending)} chunk(s) ({estimate.basis})")
    click.echo(f"by hand, per chunk: {plan.by_hand(plan.chunks[0])}")


def print_summary(run_id: str, outcomes: list[ChunkOutcome]) -> None:
    click.echo(f"\nrun {run_id}")
    click.echo(
        f"{'chunk':>5}  {'dates':<23} {'n':>3}  {'status':<9} {'attempt':>7} {'seconds':>8} "
        f"{'rows':>8} {'gaps':>5}  dbt invocation / error"
    )
    for o in outcomes:
        rows = "" if o.rows is None else f"{o.rows:,}"
        gaps = "" if o.gaps_resolved is None else str(o.gaps_resolved)
        detail = o.error if o.error else (o.invocation_id or "")
        click.echo(
            f"{o.chunk.index + 1:>5}  {o.chunk.label:<23} {len(o.chunk.dates):>3}  {o.status:<9} "
            f"{o.attempt:>7} {o.elapsed_s:>8.1f} {rows:>8} {gaps:>5}  {detail}"
        )
    ran = [o for o in outcomes if o.status in {cp.DONE, "failed"}]
    ok = sum(o.status in {cp.DONE, "skipped"} for o in outcomes)
    click.echo(
        f"{ok}/{len(outcomes)} chunk(s) done; {sum(o.elapsed_s for o in ran):.1f} s in this invocation"
    )


def _count(value: int | None) -> str:
    return "absent" if value is None else f"{value:,}"


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
