"""Rebuild one date's feature rows as of a time before predicting from them, through `nba-props build`
(the runner's one way to build a date: lock, checkpoints, gap resolution).

dbt opens the DuckDB file itself: callers must hold no connection of their own while this runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from nba_props.backfill.execute import ChunkOutcome

# The store and its gaps (the build's default selection) and the market of the date: ml_market_features as of
# the same time, with ml_market_states for the date's games (prediction_closing_lines is a view).
SELECTION = ("+ml_feature_store_v2", "+feature_store_gaps", "+ml_market_features")


def build_features(
    game_date: dt.date,
    as_of: dt.datetime | None,
    selection: tuple[str, ...] = SELECTION,
    skip_tests: bool = True,
    echo: Callable[[str], None] = click.echo,
) -> ChunkOutcome | None:
    """`nba-props build --date D [--as-of TS] --select SELECTION [--skip-tests]`; its outcome."""
    from nba_props.commands.build import execute

    return execute(game_date, as_of, selection, skip_tests=skip_tests, echo=echo)
