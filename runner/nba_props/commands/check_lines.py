"""`nba-props check-lines --date D --as-of TS`: re-predict players whose line appeared or moved."""

from __future__ import annotations

import datetime as dt

import click

from nba_props.commands.predict import build_option, execute, min_ev_option, model_option
from nba_props.params import DATE, TIMESTAMP


@click.command("check-lines")
@click.option("--date", "game_date", type=DATE, required=True, help="Game date (YYYY-MM-DD, US Eastern).")
@click.option(
    "--as-of", "as_of", type=TIMESTAMP, required=True, help="Look at the lines as they were at this time."
)
@model_option
@build_option
@min_ev_option
def command(
    game_date: dt.date, as_of: dt.datetime, model_name: str | None, build: bool | None, min_ev: float
) -> None:
    """Rebuild D's features as of TS; for every active prediction whose line appeared or moved by >= 1
    point, predict again (mode line_check) and supersede the old row in one transaction."""
    execute("check-lines", game_date, as_of, "line_check", model_name, build, min_ev)
