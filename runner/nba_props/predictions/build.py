"""Rebuild one date's feature rows as of a time before predicting from them, through `nba-props build`
(the runner's one way to build a date: lock, checkpoints, gap resolution).

dbt opens the DuckDB file itself: callers must hold no connection of their own while this runs.
"""

from __future__ import annotations

import datetime as dt

# The store and its gaps (the build's default selection) and the market of the date: ml_market_features as of
# the same time, with ml_market_states for the date's games (prediction_closing_lines is a view).
SELECTION = ("+ml_feature_store_v2", "+feature_store_gaps", "+ml_market_features")


def build_features(game_date: dt.date, as_of: dt.datetime | None) -> None:
    from nba_props.commands.build import command as build_command

    args = ["--date", game_date.isoformat(), "--skip-tests"]
    for selector in SELECTION:
        args += ["--select", selector]
    if as_of is not None:
        args += ["--as-of", as_of.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")]
    build_command.main(args=args, prog_name="nba-props build", standalone_mode=False)
