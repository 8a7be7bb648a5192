"""The points-prop market as the predictions code reads it: the optional market inputs of ml_market_features,
the market at a given time from ml_market_states, closing quotes, and the arithmetic of prices.

The SQL marts define every market fact (which book's line, the consensus, the no-vig probability); this module
only reads them, picks the state valid at a time, and prices bets. Market columns enter the feature frames
with the prefix `market_`, beside the store's columns, never replacing a contract feature by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd

from nba_props.errors import NbaPropsError
from nba_props.warehouse import table_exists

MARKET_FEATURES = ("features", "ml_market_features")
MARKET_STATES = ("features", "ml_market_states")
CLOSING_LINES = ("predictions", "prediction_closing_lines")
EASTERN = ZoneInfo("America/New_York")
PREFIX = "market_"

# The state of a player's market at one time (same names in ml_market_states and ml_market_features).
STATE_COLUMNS = (
    "state_at",
    "line_points",
    "line_book",
    "line_source",
    "line_snapshot_at",
    "line_minutes_before_tipoff",
    "opening_line",
    "line_move",
    "over_price",
    "under_price",
    "no_vig_over",
    "overround",
    "books_quoting",
    "consensus_line",
    "line_min",
    "line_max",
    "line_stddev",
    "consensus_no_vig_over",
    "books_at_line",
    "best_over_price",
    "best_over_book",
    "best_under_price",
    "best_under_book",
)
# How the player did against his closing lines in games strictly before the date (ml_market_features only).
HISTORY_COLUMNS = ("prior_lined_games", "prior_residual_avg_last_10", "prior_over_rate_last_20")

# Inputs the market models read besides the contract's 37 features: the market's own probability and margin,
# how far the consensus of the other books sits from the line bet on, how much the books disagree, and the
# player's record against his closing lines. Derived in `model_inputs`, NaN when the market is unknown.
MODEL_INPUTS = (
    "market_no_vig_over",
    "market_consensus_no_vig_over",
    "market_overround",
    "market_books_quoting",
    "market_consensus_minus_line",
    "market_line_range",
    "market_prior_lined_games",
    "market_prior_residual_avg_last_10",
    "market_prior_over_rate_last_20",
)


def require(con: duckdb.DuckDBPyConnection, relation: tuple[str, str]) -> None:
    schema, table = relation
    if not table_exists(con, schema, table):
        raise NbaPropsError(
            f"no {schema}.{table} in the warehouse: build it with `dbt build --select +{table}` "
            "(or a plain `dbt build`)"
        )


def features(
    con: duckdb.DuckDBPyConnection,
    start: dt.date | None = None,
    end: dt.date | None = None,
    before: dt.date | None = None,
) -> pd.DataFrame:
    """ml_market_features rows (player_lookup, game_date, prefixed market columns) in the date bounds."""
    require(con, MARKET_FEATURES)
    where, params = _date_bounds(start, end, before)
    cols = ", ".join(f"{c} as {PREFIX}{c}" for c in (*STATE_COLUMNS, *HISTORY_COLUMNS))
    schema, table = MARKET_FEATURES
    return con.execute(
        f"select player_lookup, game_date, {cols} from {schema}.{table} where {where}", params
    ).df()


def states(
    con: duckdb.DuckDBPyConnection,
    start: dt.date | None = None,
    end: dt.date | None = None,
    players: Sequence[str] | None = None,
) -> pd.DataFrame:
    """ml_market_states rows of the games dated in [start, end] (every state, oldest first)."""
    require(con, MARKET_STATES)
    where, params = _date_bounds(start, end, None)
    if players is not None:
        if not players:
            where += " and false"
        else:
            where += f" and player_lookup in ({', '.join('?' for _ in players)})"
            params.extend(players)
    schema, table = MARKET_STATES
    return con.execute(
        f"select player_lookup, game_id, game_date, tipoff_at, {', '.join(STATE_COLUMNS)} "
        f"from {schema}.{table} where {where} order by state_at, player_lookup, game_id",
        params,
    ).df()


def closing_lines(con: duckdb.DuckDBPyConnection, game_ids: Sequence[str]) -> pd.DataFrame:
    """prediction_closing_lines rows (each book and feed's last pre-tip-off quote) of the given games."""
    require(con, CLOSING_LINES)
    schema, table = CLOSING_LINES
    ids = sorted({str(g) for g in game_ids if g is not None})
    if not ids:
        return pd.DataFrame(
            columns=["player_lookup", "game_id", "line_source", "book", "close_snapshot_at", "close_line"]
        )
    con.register("wanted_games", pd.DataFrame({"game_id": ids}))
    try:
        return con.execute(
            f"select closes.* from {schema}.{table} as closes "
            "where closes.game_id in (select game_id from wanted_games)"
        ).df()
    finally:
        con.unregister("wanted_games")


def _date_bounds(
    start: dt.date | None, end: dt.date | None, before: dt.date | None
) -> tuple[str, list[object]]:
    where, params = ["true"], []
    for op, value in ((">=", start), ("<=", end), ("<", before)):
        if value is not None:
            where.append(f"game_date {op} ?")
            params.append(value)
    return " and ".join(where), params


def state_at(market_states: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """For each row of KEYS (player_lookup, game_id, cutoff: a naive UTC timestamp or NaT for the close), the
    last state taken at or before the cutoff (NaN columns when there is none). Returns KEYS' index with the
    prefixed state columns."""
    out = pd.DataFrame(index=keys.index)
    for c in STATE_COLUMNS:
        out[PREFIX + c] = np.nan
    if market_states.empty or keys.empty:
        return out
    probe = keys[["player_lookup", "game_id"]].copy()
    probe["game_id"] = probe["game_id"].astype(str)
    cutoff = pd.to_datetime(keys["cutoff"]).astype("datetime64[us]")
    probe["cutoff"] = cutoff.fillna(pd.Timestamp("2200-01-01").as_unit("us"))  # NaT: the close
    probe["row"] = np.arange(len(probe))
    right = market_states.copy()
    right["game_id"] = right["game_id"].astype(str)
    right["state_at"] = pd.to_datetime(right["state_at"]).astype("datetime64[us]")
    right = right.sort_values("state_at", kind="mergesort")
    merged = pd.merge_asof(
        probe.sort_values("cutoff", kind="mergesort"),
        right[["player_lookup", "game_id", *STATE_COLUMNS]].rename(columns={"state_at": "_state_at"}),
        left_on="cutoff",
        right_on="_state_at",
        by=["player_lookup", "game_id"],
        direction="backward",
    ).sort_values("row")
    merged = merged.rename(columns={"_state_at": "state_at"})
    for c in STATE_COLUMNS:
        out[PREFIX + c] = merged[c].to_numpy()
    return out


def decision_cutoffs(game_dates: pd.Series, time_et: dt.time | None) -> pd.Series:
    """Naive UTC timestamps of each game date at TIME_ET (US Eastern wall clock); NaT for the close."""
    if time_et is None:
        return pd.Series(pd.NaT, index=game_dates.index, dtype="datetime64[us]")
    days = pd.to_datetime(game_dates).dt.date
    mapping = {
        d: dt.datetime.combine(d, time_et, tzinfo=EASTERN).astimezone(dt.UTC).replace(tzinfo=None)
        for d in set(days)
    }
    return pd.Series([mapping[d] for d in days], index=game_dates.index, dtype="datetime64[us]")


def model_inputs(rows: pd.DataFrame) -> pd.DataFrame:
    """The market model inputs (MODEL_INPUTS) derived from the prefixed market columns and the line bet on."""

    def col(name: str) -> pd.Series:
        if name in rows.columns:
            return pd.to_numeric(rows[name], errors="coerce")
        return pd.Series(np.nan, index=rows.index, dtype="float64")

    line = col("vegas_points_line")
    out = pd.DataFrame(index=rows.index)
    out["market_no_vig_over"] = col("market_no_vig_over")
    out["market_consensus_no_vig_over"] = col("market_consensus_no_vig_over")
    out["market_overround"] = col("market_overround")
    out["market_books_quoting"] = col("market_books_quoting")
    out["market_consensus_minus_line"] = col("market_consensus_line") - line
    out["market_line_range"] = col("market_line_max") - col("market_line_min")
    out["market_prior_lined_games"] = col("market_prior_lined_games")
    out["market_prior_residual_avg_last_10"] = col("market_prior_residual_avg_last_10")
    out["market_prior_over_rate_last_20"] = col("market_prior_over_rate_last_20")
    return out[list(MODEL_INPUTS)]


def matches_store_line(rows: pd.DataFrame) -> pd.Series:
    """True where the market state's primary quote is the line the store row carries (same line, book, feed
    and snapshot): only then are the market's prices the prices of that line."""
    same = pd.Series(True, index=rows.index)
    for store_col, market_col in (
        ("vegas_points_line", "market_line_points"),
        ("vegas_line_book", "market_line_book"),
        ("vegas_line_source", "market_line_source"),
    ):
        if store_col not in rows.columns or market_col not in rows.columns:
            return pd.Series(False, index=rows.index)
        a, b = rows[store_col], rows[market_col]
        same &= a.notna() & b.notna() & (a.astype(str) == b.astype(str))
    if "vegas_line_snapshot_at" in rows.columns and "market_line_snapshot_at" in rows.columns:
        a = pd.to_datetime(rows["vegas_line_snapshot_at"])
        b = pd.to_datetime(rows["market_line_snapshot_at"])
        same &= a == b
    return same


def clear_market(rows: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """Blank the market state columns of the rows in MASK (the market is unknown for them)."""
    rows = rows.copy()
    for c in STATE_COLUMNS:
        if PREFIX + c in rows.columns:
            rows.loc[mask, PREFIX + c] = np.nan
    return rows


# --- prices -------------------------------------------------------------------------------------------


def decimal_odds(american: np.ndarray | pd.Series | float) -> np.ndarray:
    """Decimal odds (stake included) of American prices; NaN for NaN or an impossible |price| < 100."""
    a = np.asarray(american, dtype=np.float64)
    out = np.full(a.shape, np.nan)
    pos, neg = a >= 100, a <= -100
    out[pos] = 1 + a[pos] / 100.0
    out[neg] = 1 + 100.0 / -a[neg]
    return out


def no_vig_over(over_price: np.ndarray | pd.Series, under_price: np.ndarray | pd.Series) -> np.ndarray:
    """The over's probability with the margin removed by normalising both implied probabilities (the same
    multiplicative method as the SQL macro no_vig_over_probability)."""
    over, under = 1 / decimal_odds(over_price), 1 / decimal_odds(under_price)
    return over / (over + under)


def expected_values(
    p_over: np.ndarray, over_price: np.ndarray, under_price: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Expected profit per unit staked on each side at its price, given the over's probability (no pushes:
    the half-point lines of these sources cannot push; on a whole-number line p_over is read as the over's
    probability given no push, which scales both EVs by the same factor and keeps their sign)."""
    p = np.asarray(p_over, dtype=np.float64)
    return p * decimal_odds(over_price) - 1, (1 - p) * decimal_odds(under_price) - 1


# --- joining the market to feature-store rows --------------------------------------------------------------


def with_features(rows: pd.DataFrame, market_rows: pd.DataFrame) -> pd.DataFrame:
    """Store rows with the ml_market_features columns joined on (player_lookup, game_date). Where the market
    state's primary quote is not the line the store row carries (the two were built at different times), the
    state columns are blanked: the prices of the row's line are then unknown, and its market inputs with them.
    """
    keyed = market_rows.copy()
    keyed["game_date"] = pd.to_datetime(keyed["game_date"]).dt.date
    left = rows.drop(columns=[c for c in rows.columns if c.startswith(PREFIX)]).copy()
    left["_game_date"] = pd.to_datetime(left["game_date"]).dt.date
    merged = left.merge(
        keyed.rename(columns={"game_date": "_game_date"}), on=["player_lookup", "_game_date"], how="left"
    ).drop(columns=["_game_date"])
    merged.index = rows.index
    has_line = pd.to_numeric(merged.get("vegas_points_line"), errors="coerce").notna()
    return clear_market(merged, has_line & ~matches_store_line(merged))


def with_state_at(rows: pd.DataFrame, market_states: pd.DataFrame, cutoff: pd.Series) -> pd.DataFrame:
    """Rows with the market state at CUTOFF (per row; NaT = the close) in the prefixed state columns, keeping
    the history columns they have."""
    keys = pd.DataFrame(
        {"player_lookup": rows["player_lookup"], "game_id": rows["game_id"], "cutoff": cutoff},
        index=rows.index,
    )
    picked = state_at(market_states, keys)
    out = rows.drop(columns=[c for c in picked.columns if c in rows.columns])
    return pd.concat([out, picked], axis=1)


def as_store_line(rows: pd.DataFrame) -> pd.DataFrame:
    """Features 25-28 and the line's provenance as the store would carry them with the market state in the
    prefixed columns (the same rule picks both: tested against the store in test_market_marts)."""
    rows = rows.copy()
    line = pd.to_numeric(rows["market_line_points"], errors="coerce")
    rows["vegas_points_line"] = line
    rows["vegas_opening_line"] = pd.to_numeric(rows["market_opening_line"], errors="coerce")
    rows["vegas_line_move"] = pd.to_numeric(rows["market_line_move"], errors="coerce")
    rows["has_vegas_line"] = line.notna().astype(float)
    rows["vegas_line_book"] = rows["market_line_book"].where(line.notna(), None)
    rows["vegas_line_source"] = rows["market_line_source"].where(line.notna(), None)
    rows["vegas_line_snapshot_at"] = rows["market_line_snapshot_at"].where(line.notna(), None)
    rows["vegas_line_minutes_before_tipoff"] = rows["market_line_minutes_before_tipoff"].where(line.notna())
    return rows


def for_prediction(
    con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, game_date: dt.date, as_of: dt.datetime
) -> pd.DataFrame:
    """D's store rows with the market of their line as of AS_OF: ml_market_features' state when its primary
    quote is the store row's line (both built as of AS_OF pick the same quote), else the latest
    ml_market_states state at or before AS_OF with that quote, else the state taken at the quote's snapshot (a
    store built earlier than AS_OF). A row whose line none of them prices keeps blank market columns."""
    if rows.empty:
        return rows
    out = with_features(rows, features(con, start=game_date, end=game_date))
    day_states = states(con, start=game_date, end=game_date)
    cutoff = pd.Timestamp(as_of.astimezone(dt.UTC).replace(tzinfo=None))
    has_line = pd.to_numeric(out["vegas_points_line"], errors="coerce").notna()
    chosen = matches_store_line(out)
    for when in (
        pd.Series(cutoff, index=out.index),
        pd.to_datetime(out["vegas_line_snapshot_at"]),
    ):
        candidate = with_state_at(out, day_states, when)
        use = has_line & ~chosen & matches_store_line(candidate)
        if use.any():
            state_cols = [PREFIX + c for c in STATE_COLUMNS]
            out.loc[use, state_cols] = candidate.loc[use, state_cols]
            chosen |= use
    return clear_market(out, has_line & ~chosen)
