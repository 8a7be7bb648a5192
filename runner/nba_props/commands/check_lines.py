"""`nba-props check-lines --date D --as-of TS`: re-predict players whose line appeared or moved."""

from __future__ import annotations

import datetime as dt

import click

from nba_props import params as p
from nba_props.commands.predict import execute


@click.command("check-lines")
@p.game_date
@p.as_of_required
@p.model
@p.build
@p.min_ev
def command(
    game_date: dt.date, as_of: dt.datetime, model_name: str | None, build: bool | None, min_ev: float
) -> None:
    """Rebuild D's features as of TS; for every active prediction whose line appeared or moved by >= 1
    point, predict again (mode line_check) and supersede the old row in one transaction."""
    execute("check-lines", game_date, as_of, "line_check", model_name, build, min_ev)
