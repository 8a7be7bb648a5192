"""`nba-props daily [--date D] [--landing DIR]`: the morning of a game day, in order, under the runner lock.

    load      every new or changed file of the landing folder (nba-props load; bad rows quarantined)
    build     D's feature rows and market (nba-props build --date D, with the market features predict reads)
    grade     prediction_accuracy for the earlier dates whose box scores arrived
    predict   D's first pass (nba-props predict --date D --mode first --no-build)
    validate  nba-props validate-daily --date D
    report    nba-props report for the REPORT_DAYS days up to D

Each step is recorded in runner.game_day_steps and summarised in one table. A failed step is one error line
and one alert; the steps that do not need it still run. Exit 0 healthy, 1 warnings, 2 alerts or a failed
step, like validate-daily. Run again for the same day, it loads nothing new, rebuilds the same rows, and
re-predicts only players whose line appeared or moved.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from nba_props import params as p
from nba_props.backfill.lock import lock_path, runner_lock
from nba_props.backfill.preflight import game_dates
from nba_props.commands import predict, report, validate_daily
from nba_props.errors import NbaPropsError
from nba_props.gameday import alerts, grading, steps
from nba_props.gameday.landing import Landing, newest_load
from nba_props.gameday.run import DayRun
from nba_props.gameday.stop import stop_on_signals
from nba_props.monitoring import marts
from nba_props.predictions.build import SELECTION, build_features
from nba_props.settings import Settings, load_settings
from nba_props.warehouse import connect

EASTERN = ZoneInfo("America/New_York")


@click.command("daily")
@p.game_day
@p.landing
@p.as_of
@p.skip_tests
@p.model
@p.min_ev
@click.option(
    "--report-days",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Days up to D that the report covers.",
)
@click.option(
    "--report-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML report to write (default: reports/daily_<D>.html).",
)
def command(
    game_date: dt.date | None,
    landing: Path | None,
    as_of: dt.datetime | None,
    skip_tests: bool,
    model_name: str | None,
    min_ev: float,
    report_days: int,
    report_out: Path | None,
) -> int:
    """The morning of game day D: load, build, grade earlier dates, predict, validate, report."""
    settings = load_settings()
    marts.require_duckdb(settings)
    game_date = game_date or dt.datetime.now(EASTERN).date()
    if landing is None:
        with connect(settings.duckdb_path, must_exist=True):
            pass  # without a landing folder there is nothing to create the warehouse from
    with runner_lock(lock_path(settings.duckdb_path), "daily"), stop_on_signals() as stop:
        day = DayRun(settings, "daily", game_date, stop)
        click.secho(f"daily {game_date} (run {day.run_id})", bold=True)
        run_steps(day, landing, as_of, skip_tests, model_name, min_ev, report_days, report_out)
    click.echo("")
    click.echo(steps.table(day.done))
    code = steps.exit_code(day.done)
    stopped = f" (stopped by {stop.signal_name}: the remaining steps did not run)" if stop else ""
    click.echo(f"daily {game_date}: exit {code}{stopped}")
    return code


def run_steps(
    day: DayRun,
    landing: Path | None,
    as_of: dt.datetime | None,
    skip_tests: bool,
    model_name: str | None,
    min_ev: float,
    report_days: int,
    report_out: Path | None,
) -> None:
    settings, d = day.settings, day.game_date

    def heading(name: str) -> None:
        click.secho(f"\n[{name}]", bold=True)

    def load(step: steps.Step) -> None:
        landed = Landing(landing).load(settings)
        step.detail = landed.summary()
        for file, _kind, error in landed.failed:
            click.echo(f"error: {file}: {error}", err=True)
        if landed.failed:
            step.status = steps.WARN
            alerts.send(
                settings,
                [
                    alerts.Alert(
                        d,
                        f"file:{file}",
                        f"nba-props daily {d}: could not load {file} from {landing}: {error} "
                        "(recorded in runner.landing_failures; fix or replace the file and it loads on the "
                        "next run)",
                    )
                    for file, _kind, error in landed.failed
                ],
                echo=lambda m: click.echo(m, err=True),
            )

    built = False

    def build(step: steps.Step) -> None:
        nonlocal built
        with connect(settings.duckdb_path) as con:
            step.loads_through = newest_load(con)
        outcome = build_features(d, as_of, SELECTION, skip_tests=skip_tests)
        step.detail = f"{outcome.rows:,} feature rows for {d}" if outcome and outcome.rows is not None else ""
        built = True

    def grade(step: steps.Step) -> None:
        exclude = SELECTION if built else ()
        step.detail = grading.grade(settings, d, exclude, skip_tests)

    def predict_day(step: steps.Step) -> None:
        result = predict.execute("predict", d, as_of, "first", model_name, False, min_ev)
        step.loads_through = next(s.loads_through for s in day.done if s.name == "build")
        step.detail = (
            f"{len(result.written)} predicted ({result.superseded} superseding), "
            f"{result.unchanged} unchanged, {len(result.skipped)} skipped by the gate"
        )

    def validate(step: steps.Step) -> None:
        result = validate_daily.execute(
            d, None, as_of, None, echo=lambda m: click.echo(m, err=True), skip_tests=skip_tests
        )
        click.echo(validate_daily.render(result))
        step.status = result.status
        counts = {s: sum(c.status == s for c in result.checks) for s in ("ok", "warn", "alert")}
        step.detail = f"{counts['ok']} ok, {counts['warn']} warn, {counts['alert']} alert"
        alerts.send(settings, alerts.for_validation(result), echo=lambda m: click.echo(m, err=True))

    def write_report(step: steps.Step) -> None:
        out = report_out or Path("reports") / f"daily_{d}.html"
        start = d - dt.timedelta(days=report_days - 1)
        path = report.execute(start, d, out, None, None, f"nba-props daily --date {d}")
        step.detail = str(path)

    rerun = f"nba-props daily --date {d}" + (f" --landing {landing}" if landing else "")

    def go(name: str, action: object, skip_because: str | None = None) -> None:
        if day.stop:
            day.skip(name, f"stopped by {day.stop.signal_name}")
        elif skip_because:
            day.skip(name, skip_because)
        else:
            heading(name)
            day.step(name, action, rerun, retried=name in ("build", "grade"))

    go("load", load, None if landing else "no --landing folder")
    has_games = _has_games(settings, d)
    no_games = None if has_games else f"no games on {d} in the warehouse"
    go("build", build, no_games)
    go("grade", grade)
    go("predict", predict_day, no_games or (None if built else "the build of the date failed"))
    go("validate", validate, no_games)
    go("report", write_report)


def _has_games(settings: Settings, game_date: dt.date) -> bool:
    try:
        with connect(settings.duckdb_path, must_exist=True) as con:
            return bool(game_dates(con, game_date, game_date))
    except NbaPropsError as exc:
        click.echo(f"error: {exc}", err=True)
        return False
