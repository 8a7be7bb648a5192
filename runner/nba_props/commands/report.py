"""`nba-props report --start-date A --end-date B [--out FILE]`: one static HTML page of plots."""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from pathlib import Path

import click

from nba_props import params as p
from nba_props.errors import NbaPropsError
from nba_props.monitoring import marts
from nba_props.monitoring.report import collect, write_report
from nba_props.settings import load_settings
from nba_props.warehouse import connect


@click.command("report")
@p.start_date
@p.end_date
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("reports/report.html"),
    show_default=True,
    help="HTML file to write.",
)
@p.refresh
@p.target
def command(
    start_date: dt.date | None, end_date: dt.date | None, out: Path, refresh: bool | None, target: str | None
) -> None:
    """Write a static HTML report (quality, defaults, line coverage, prediction accuracy) for a date range."""
    start_date, end_date = p.check_range(start_date, end_date)
    cmd = (
        "nba-props " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else "nba-props report"
    )
    execute(start_date, end_date, out, refresh, target, cmd)


def execute(
    start_date: dt.date,
    end_date: dt.date,
    out: Path,
    refresh: bool | None = None,
    target: str | None = None,
    command_line: str = "nba-props report",
) -> Path:
    """Write the report of START_DATE..END_DATE to OUT (relative to the working directory); its path."""
    settings = load_settings(target)
    marts.require_duckdb(settings)
    rebuilt = refresh is not False and marts.refresh(
        settings, force=bool(refresh), echo=lambda m: click.echo(m, err=True)
    )
    # dbt (in-process) keeps its read-write DuckDB handle open: a second handle must match it.
    with connect(settings.duckdb_path, read_only=not rebuilt) as con:
        data = collect(con, start_date, end_date)
    if data.quality.empty:
        raise NbaPropsError(
            f"no feature rows between {start_date} and {end_date}: build them first "
            f"(`nba-props backfill --start-date {start_date} --end-date {end_date}`)"
        )
    out = out if out.is_absolute() else Path.cwd() / out
    write_report(data, out, command_line)
    click.echo(
        f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB): {len(data.quality)} dates, "
        f"{int(data.quality.total_rows.sum()):,} feature rows, {len(data.star_alerts)} star-line alerts"
    )
    return out
