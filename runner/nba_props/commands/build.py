"""`nba-props build`: the daily incremental build of the feature store and everything it needs, for one date.

As a backfill of one date: the date-independent models (staging, resolved lines, player and team games) are
rebuilt only when their SQL or raw data changed since the runner last built them, then the date-bounded
models run for the date. By hand, the same rows:
dbt build --select +ml_feature_store_v2 +feature_store_gaps --vars '{start_date: D, end_date: D}'
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import click

from nba_props.backfill import checkpoints as cp
from nba_props.backfill.execute import dbt_command, prepare_run, run_chunks
from nba_props.backfill.gaps import gap_vars
from nba_props.backfill.lock import lock_path, runner_lock
from nba_props.backfill.plan import DEFAULT_SELECTION, Chunk, Plan
from nba_props.backfill.preflight import game_dates, latest_game_date
from nba_props.errors import DbtFailure, NbaPropsError
from nba_props.params import as_of_option, date_option, target_option
from nba_props.settings import Settings, load_settings
from nba_props.warehouse import connect

EASTERN = ZoneInfo("America/New_York")


@click.command("build")
@date_option(help="Game date to build (default: the latest date with games, up to today in US Eastern time).")
@as_of_option
@click.option(
    "--select",
    "select",
    multiple=True,
    help="dbt selection (default: +ml_feature_store_v2 +feature_store_gaps).",
)
@click.option("--skip-tests", is_flag=True, help="`dbt run` instead of `dbt build` (no data tests).")
@target_option
def command(
    game_date: dt.date | None,
    as_of: dt.datetime | None,
    select: tuple[str, ...],
    skip_tests: bool,
    target: str | None,
) -> None:
    """Build the feature store rows of one game date (seeds, staging, intermediates, store, gaps; tests)."""
    settings = load_settings(target)
    selection = tuple(s for item in select for s in item.split()) or DEFAULT_SELECTION
    as_of_text = as_of.strftime("%Y-%m-%dT%H:%M:%SZ") if as_of else None
    verb = "run" if skip_tests else "build"
    if not settings.is_duckdb:
        _build_remote(settings, game_date, selection, as_of_text, verb)
        return

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
            plan = Plan(
                dates=(game_date,),
                chunks=(Chunk(0, (game_date,)),),
                selection=selection,
                chunk_days=1,
                as_of=as_of_text,
                target=settings.target,
                extra_vars=gap_vars("build"),
            )
            cp.ensure_schema(con)
            run = cp.start_run(con, plan, "build", resume=False, args={"verb": verb, "as_of": as_of_text})
        as_of_note = f" as of {as_of_text}" if as_of_text else ""
        click.echo(f"build {game_date}{why}{as_of_note}: dbt {verb}")
        preparation = prepare_run(settings, plan, run.run_id, verb)
        if preparation.note:
            click.echo(preparation.note)
        (outcome,) = run_chunks(settings, plan, run.run_id, preparation)
    if outcome.status != cp.DONE:
        raise DbtFailure(f"build {game_date} failed after {outcome.elapsed_s:.1f} s: {outcome.error}")
    rows = "?" if outcome.rows is None else f"{outcome.rows:,}"
    gaps = "" if outcome.gaps_resolved is None else f", {outcome.gaps_resolved} gap(s) resolved"
    click.echo(
        f"ok in {outcome.elapsed_s:.1f} s: {rows} feature rows for {game_date}{gaps} "
        f"(run {run.run_id}, dbt invocation {outcome.invocation_id})"
    )


def _build_remote(
    settings: Settings, game_date: dt.date | None, selection: tuple[str, ...], as_of: str | None, verb: str
) -> None:
    """Warehouses other than the DuckDB file: dbt only (no local checkpoints, no default date lookup)."""
    if game_date is None:
        raise NbaPropsError(f"target {settings.target!r}: give --date (the default date is read from DuckDB)")
    values = {"start_date": game_date.isoformat(), "end_date": game_date.isoformat(), **gap_vars("build")}
    if as_of:
        values["as_of"] = as_of
    run, error = dbt_command(settings, verb, selection, values)
    if error:
        raise DbtFailure(f"build {game_date} failed: {error}")
    click.echo(f"ok: dbt {verb} for {game_date} in {run.elapsed:.1f} s (dbt invocation {run.invocation_id})")
