"""`nba-props watch [--date D] --landing DIR [--every 10m] [--until last-tipoff]`: re-predict as lines land.

Every cycle, under the runner lock held for the whole watch:
    load    the landing folder's new or changed files (a corrupt one: one error line, recorded, skipped)
    build   when files were loaded since the last line check of D (raw.load_log against runner.game_day_steps,
            so a restarted or killed watcher resumes exactly): D as of now, only the models downstream of the
            raw tables those files changed (`source:<raw table>+,+ml_feature_store_v2`, ...)
    check   the line check (`nba-props check-lines`): re-predict players whose line appeared or moved
then one log line, and a sleep of --every. It stops after the cycle in which the clock passes --until (the
last tip-off of D). SIGTERM or Ctrl-C lets the running step finish, records it, and exits 0. A failed build is
retried with a bounded backoff (30 s, then 120 s), and the files stay pending for the next cycle.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from nba_props import dbt
from nba_props import params as p
from nba_props.backfill.lock import lock_path, runner_lock
from nba_props.commands import predict
from nba_props.errors import NbaPropsError
from nba_props.gameday import alerts, changes, steps
from nba_props.gameday.clock import FilesClock, wall_clock
from nba_props.gameday.landing import Landed, Landing, newest_load
from nba_props.gameday.run import DayRun
from nba_props.gameday.stop import stop_on_signals
from nba_props.monitoring import marts
from nba_props.predictions.build import build_features
from nba_props.settings import Settings, load_settings
from nba_props.warehouse import connect, execute, table_exists

EASTERN = ZoneInfo("America/New_York")


@dataclass
class Cycle:
    """What one cycle did, for its log line."""

    now: dt.datetime | None
    landed: Landed | None = None
    rebuilt: str = ""
    checked: str = ""

    def line(self, number: int, seconds: float) -> str:
        clock = f"{self.now:%Y-%m-%dT%H:%M:%SZ}" if self.now else "no clock yet"
        landed = self.landed.summary() if self.landed else "landing not read"
        parts = [p for p in (self.rebuilt, self.checked) if p]
        rest = "; ".join(parts) if parts else "nothing to rebuild"
        return f"cycle {number} at {clock} ({seconds:.1f} s): {landed}; {rest}"


@click.command("watch")
@p.game_day
@p.landing_required
@p.every
@p.until
@p.now_from_files
@p.model
@p.min_ev
def command(
    game_date: dt.date | None,
    landing: Path,
    every: float,
    until: dt.datetime | str,
    now_from_files: bool,
    model_name: str | None,
    min_ev: float,
) -> int:
    """Watch the landing folder until D's last tip-off: load new line and injury snapshots, rebuild what they
    change for D, and re-predict the players whose line appeared or moved."""
    settings = load_settings()
    marts.require_duckdb(settings)
    game_date = game_date or dt.datetime.now(EASTERN).date()
    clock = FilesClock() if now_from_files else None
    return watch_day(settings, game_date, landing, every, until, clock, model_name, min_ev)


def watch_day(
    settings: Settings,
    game_date: dt.date,
    landing: Path,
    every: float,
    until: dt.datetime | str,
    clock: FilesClock | None,
    model_name: str | None,
    min_ev: float,
    before_cycle: Callable[[int], None] | None = None,
) -> int:
    """The watch loop (see the module doc); its exit code. BEFORE_CYCLE(n), when given, runs before cycle n
    (the demo lands the next batch of snapshot files there)."""
    if not landing.is_dir():
        raise NbaPropsError(f"no landing folder at {landing}")
    with connect(settings.duckdb_path, must_exist=True):
        pass
    folder = Landing(landing)
    with runner_lock(lock_path(settings.duckdb_path), "watch"), stop_on_signals() as stop:
        day = DayRun(settings, "watch", game_date, stop)
        shown_until = until if isinstance(until, str) else f"{until:%Y-%m-%dT%H:%M:%SZ}"
        click.echo(
            f"watch {game_date} (run {day.run_id}): {landing} every {every:g} s until {shown_until}"
            + ("; clock from the landed snapshot files" if clock else "")
        )
        failed_last = False
        while True:
            day.cycle += 1
            if before_cycle:
                before_cycle(day.cycle)
            started = time.perf_counter()
            done_before = len(day.done)
            cycle = run_cycle(day, folder, clock, model_name, min_ev)
            click.echo(cycle.line(day.cycle, time.perf_counter() - started))
            worked = [s for s in day.done[done_before:] if s.name != "load"]
            if worked:
                failed_last = any(s.failed for s in worked)
            dbt.release_warehouse(settings)
            if stop:
                click.echo(f"stopped by {stop.signal_name} after cycle {day.cycle}")
                return 0
            end = until if isinstance(until, dt.datetime) else last_tipoff(settings, game_date)
            if cycle.now is not None and cycle.now >= end:
                click.echo(f"the clock passed {end:%Y-%m-%dT%H:%M:%SZ}: watch of {game_date} ends")
                return 2 if failed_last else 0
            _sleep(every, stop)
            if stop:
                click.echo(f"stopped by {stop.signal_name} after cycle {day.cycle}")
                return 0


def run_cycle(
    day: DayRun, folder: Landing, clock: FilesClock | None, model_name: str | None, min_ev: float
) -> Cycle:
    settings, d = day.settings, day.game_date
    cycle = Cycle(now=None)
    rerun = f"nba-props watch --date {d} --landing {folder.folder}"

    def load(step: steps.Step) -> None:
        cycle.landed = folder.load(settings)
        step.detail = cycle.landed.summary()
        for file, _kind, error in cycle.landed.failed:
            click.echo(f"error: {file}: {error}", err=True)
        if cycle.landed.failed:
            step.status = steps.WARN
            alerts.send(
                settings,
                [
                    alerts.Alert(
                        d,
                        f"file:{file}",
                        f"nba-props watch {d}: could not load {file} from {folder.folder}: {error} "
                        "(recorded in runner.landing_failures; the watcher goes on; fix or replace the file)",
                    )
                    for file, _kind, error in cycle.landed.failed
                ],
                echo=lambda m: click.echo(m, err=True),
            )

    load_step = day.step("load", load, rerun)
    if clock and cycle.landed:
        clock.saw(cycle.landed.loaded)
    cycle.now = clock.now(settings) if clock else wall_clock()
    if load_step.failed or day.stop or cycle.now is None:
        return cycle
    with connect(settings.duckdb_path) as con:
        since = steps.last_checked(con, d)
        pending = changes.loads_since(con, since)
        through = newest_load(con)
    if not pending:
        return cycle
    tables = None if since is None else [table for table, _ in pending]
    selection = changes.selection(settings, tables)
    if not selection:
        return cycle
    as_of = cycle.now

    def build(step: steps.Step) -> None:
        step.loads_through = through
        outcome = build_features(d, as_of, selection, skip_tests=True, echo=lambda m: None)
        rows = f"{outcome.rows:,} rows" if outcome and outcome.rows is not None else "rows ?"
        step.detail = f"{' '.join(selection)} as of {as_of:%Y-%m-%dT%H:%M:%SZ}: {rows}"

    build_step = day.step("build", build, f"nba-props build --date {d}", retried=True)
    if build_step.failed:
        cycle.rebuilt = f"build FAILED (files stay pending): {build_step.error}"
        return cycle
    cycle.rebuilt = f"rebuilt {d} from {', '.join(t for t, _ in pending)} in {build_step.elapsed_s:.1f} s"
    if day.stop:
        return cycle

    def check(step: steps.Step) -> None:
        step.loads_through = through
        result = predict.execute("check-lines", d, as_of, "line_check", model_name, False, min_ev, show=False)
        kept = sum(1 for s in result.skipped if "kept" in s["reason"])
        step.detail = (
            f"{len(result.written)} re-predicted ({result.superseded} superseded), "
            f"{result.unchanged} unchanged, {kept} kept by the gate"
        )
        cycle.checked = f"line check: {step.detail}"

    check_step = day.step(
        "check", check, f"nba-props check-lines --date {d} --as-of {as_of:%Y-%m-%dT%H:%M:%SZ}"
    )
    if check_step.failed:
        cycle.checked = f"line check FAILED: {check_step.error}"
    return cycle


def last_tipoff(settings: Settings, game_date: dt.date) -> dt.datetime:
    """The last tip-off of GAME_DATE (int_games), or the end of the day in US Eastern when it is unknown."""
    end_of_day = dt.datetime.combine(game_date + dt.timedelta(days=1), dt.time(), tzinfo=EASTERN)
    with connect(settings.duckdb_path, read_only=True) as con:
        if not table_exists(con, "intermediate", "int_games"):
            return end_of_day.astimezone(dt.UTC)
        (tipoff,) = execute(
            con, "select max(tipoff_at) from intermediate.int_games where game_date = ?", [game_date]
        ).fetchone()
    if tipoff is None:
        return end_of_day.astimezone(dt.UTC)
    return tipoff.replace(tzinfo=dt.UTC) if tipoff.tzinfo is None else tipoff.astimezone(dt.UTC)


def _sleep(seconds: float, stop: object) -> None:
    deadline = time.monotonic() + seconds
    while not stop and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(left, 1.0))
