"""`nba-props build`: the daily build of the feature store and everything upstream of it, for one date.

Exactly what this does by hand, plus a checkpoint row in runner.backfill_runs:
    dbt build --indirect-selection cautious --exclude-resource-type unit_test \
      --select +ml_feature_store_v2 +feature_store_gaps \
      --vars '{start_date: D, end_date: D}'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from zoneinfo import ZoneInfo

import click

from nba_props import dbt
from nba_props import params as p
from nba_props.backfill import checkpoints as cp
from nba_props.backfill.execute import ChunkOutcome, run_chunks
from nba_props.backfill.lock import lock_path, runner_lock
from nba_props.backfill.plan import BUILD, BUILD_WITHOUT_TESTS, DEFAULT_SELECTION, Chunk, Plan
from nba_props.backfill.preflight import game_dates, latest_game_date
from nba_props.errors import DbtFailure, NbaPropsError
from nba_props.settings import load_settings
from nba_props.warehouse import connect

EASTERN = ZoneInfo("America/New_York")


@click.command("build")
@p.latest_game_date
@p.as_of
@p.select
@p.skip_tests
@p.full_refresh
@p.target
def command(
    game_date: dt.date | None,
    as_of: dt.datetime | None,
    select: tuple[str, ...],
    skip_tests: bool,
    full_refresh: bool,
    target: str | None,
) -> None:
    """Build the feature store rows of one game date: dbt build of the store, the gap history and their
    upstream (seeds, staging, intermediates) for that date, with their data tests."""
    execute(game_date, as_of, p.selection(select, DEFAULT_SELECTION), skip_tests, full_refresh, target)


def execute(
    game_date: dt.date | None,
    as_of: dt.datetime | None = None,
    selection: tuple[str, ...] = DEFAULT_SELECTION,
    skip_tests: bool = False,
    full_refresh: bool = False,
    target: str | None = None,
    echo: Callable[[str], None] = click.echo,
) -> ChunkOutcome | None:
    """The build of one date (see the module doc), under the runner lock, recorded as a run of kind build;
    raises DbtFailure when it failed. Returns the outcome (None on a target without checkpoints)."""
    settings = load_settings(target)
    plan = Plan(
        dates=(),
        chunks=(),
        selection=selection,
        chunk_days=1,
        as_of=as_of.strftime("%Y-%m-%dT%H:%M:%SZ") if as_of else None,
        target=settings.target,
        dbt_verb=BUILD_WITHOUT_TESTS if skip_tests else BUILD,
        full_refresh=full_refresh,
    )
    if not settings.is_duckdb:
        # no checkpoints or default date outside the DuckDB warehouse: dbt alone
        if game_date is None:
            raise NbaPropsError(
                f"target {settings.target!r}: give --date (the default date is read from DuckDB)"
            )
        args, dbt_vars = plan.dbt_command(Chunk(0, (game_date,)))
        run = dbt.invoke(settings, args, dbt_vars)
        echo(f"ok: dbt {args[0]} for {game_date} in {run.elapsed:.1f} s (dbt invocation {run.invocation_id})")
        return None

    with runner_lock(lock_path(settings.duckdb_path), "build"):
        with connect(settings.duckdb_path, must_exist=True) as con:
            why = ""
            if game_date is None:
                today = dt.datetime.now(EASTERN).date()
                game_date = latest_game_date(con, today)
                if game_date is None:
                    raise NbaPropsError(f"no games in the warehouse on or before {today}: nothing to build")
                why = " (latest date with games)"
            elif not game_dates(con, game_date, game_date):
                raise NbaPropsError(
                    f"no games in the warehouse on {game_date} (box scores or schedule): nothing to build"
                )
            plan = replace(plan, dates=(game_date,), chunks=(Chunk(0, (game_date,)),))
            cp.ensure_schema(con)
            run = cp.start_run(con, plan, "build", resume=False, args={"as_of": plan.as_of})
        as_of_note = f" as of {plan.as_of}" if plan.as_of else ""
        echo(f"build {game_date}{why}{as_of_note}: {plan.by_hand(plan.chunks[0])}")
        (outcome,) = run_chunks(settings, plan, run.run_id)
    if outcome.status != cp.DONE:
        raise DbtFailure(f"build {game_date} failed after {outcome.elapsed_s:.1f} s: {outcome.error}")
    rows = "?" if outcome.rows is None else f"{outcome.rows:,}"
    gaps = "" if outcome.gaps_resolved is None else f", {outcome.gaps_resolved} gap(s) resolved"
    echo(
        f"ok in {outcome.elapsed_s:.1f} s: {rows} feature rows for {game_date}{gaps} "
        f"(run {run.run_id}, dbt invocation {outcome.invocation_id})"
    )
    return outcome
