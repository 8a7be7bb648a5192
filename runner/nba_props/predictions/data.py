"""Reads the predictions code needs from the warehouse: feature-store rows and labels.

The feature math lives in dbt; this module only selects columns by their contract names (never positions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from nba_props.errors import NbaPropsError
from nba_props.warehouse import table_exists

FEATURE_STORE = ("features", "ml_feature_store_v2")
PLAYER_GAMES = ("intermediate", "int_player_games")

IDENTIFIERS = (
    "player_lookup",
    "game_date",
    "game_id",
    "player_id",
    "player_name",
    "team_abbr",
    "opponent_team_abbr",
)
QUALITY = (
    "feature_quality_score",
    "quality_alert_level",
    "matchup_quality_pct",
    "required_default_count",
    "default_feature_count",
    "is_quality_ready",
    "has_vegas_line",
)
PROVENANCE = (
    "feature_version",
    "contract_hash",
    "vegas_line_book",
    "vegas_line_snapshot_at",
    "vegas_line_minutes_before_tipoff",
    "vegas_line_source",
)
REQUIRED = ("player_lookup", "game_date", "game_id", *QUALITY[:4])


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


def require_store(con: duckdb.DuckDBPyConnection) -> list[str]:
    schema, table = FEATURE_STORE
    if not table_exists(con, schema, table):
        raise NbaPropsError(
            f"no feature store ({schema}.{table}) in the warehouse: run `nba-props build` or `backfill` first"
        )
    return _columns(con, schema, table)


def feature_rows(
    con: duckdb.DuckDBPyConnection,
    feature_names: Sequence[str],
    start: dt.date | None = None,
    end: dt.date | None = None,
    before: dt.date | None = None,
    players: Sequence[str] | None = None,
    with_sources: bool = False,
) -> pd.DataFrame:
    """Feature-store rows in [start, end] (inclusive) and/or strictly before `before`; WITH_SOURCES adds each
    feature's `<f>_source` and `<f>_default_reason` (what a prediction records it was made from)."""
    available = require_store(con)
    missing = [c for c in (*REQUIRED, *feature_names) if c not in available]
    if missing:
        raise NbaPropsError(
            f"the feature store lacks column(s) {', '.join(missing[:6])}: built from another contract; "
            "rebuild it or retrain"
        )
    # has_vegas_line is both feature 28 and a quality field: select each column once.
    wanted = [
        c
        for c in dict.fromkeys((*IDENTIFIERS, *QUALITY, *PROVENANCE))
        if c in available and c not in feature_names
    ]
    if with_sources:
        wanted += [
            c
            for name in feature_names
            for c in (f"{name}_source", f"{name}_default_reason")
            if c in available
        ]
    select = ", ".join(f'"{c}"' for c in [*wanted, *feature_names])
    where, params = ["true"], []
    if start is not None:
        where.append("game_date >= ?")
        params.append(start)
    if end is not None:
        where.append("game_date <= ?")
        params.append(end)
    if before is not None:
        where.append("game_date < ?")
        params.append(before)
    if players is not None:
        if not players:
            return pd.DataFrame(columns=[*wanted, *feature_names])
        where.append(f"player_lookup in ({', '.join('?' for _ in players)})")
        params.extend(players)
    schema, table = FEATURE_STORE
    frame = con.execute(
        f"select {select} from {schema}.{table} where {' and '.join(where)} "
        "order by game_date, player_lookup",
        params,
    ).df()
    for col in PROVENANCE + IDENTIFIERS:
        if col not in frame.columns:
            frame[col] = None
    return frame


def labels(
    con: duckdb.DuckDBPyConnection, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Actual outcomes per (player_lookup, game_id): points and is_dnp (NULL is_dnp counts as played)."""
    schema, table = PLAYER_GAMES
    if not table_exists(con, schema, table):
        raise NbaPropsError(
            f"no {schema}.{table} in the warehouse: build the project first (`nba-props build`)"
        )
    where, params = ["true"], []
    if start is not None:
        where.append("game_date >= ?")
        params.append(start)
    if end is not None:
        where.append("game_date <= ?")
        params.append(end)
    return con.execute(
        f"select player_lookup, game_id, game_date, cast(points as double) as actual_points, "
        f"coalesce(is_dnp, false) as is_dnp from {schema}.{table} where {' and '.join(where)}",
        params,
    ).df()


def with_labels(rows: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    merged = rows.merge(
        outcomes[["player_lookup", "game_id", "actual_points", "is_dnp"]],
        on=["player_lookup", "game_id"],
        how="left",
    )
    return merged


def matrix(rows: pd.DataFrame, feature_names: Sequence[str]) -> np.ndarray:
    """The model input: contract columns by name, NULL as NaN (LightGBM routes NaN natively)."""
    block = rows.loc[:, list(feature_names)].apply(pd.to_numeric, errors="coerce")
    return block.to_numpy(dtype=np.float64, na_value=np.nan)


def is_true(series: pd.Series) -> pd.Series:
    return series.fillna(False).astype(bool)
