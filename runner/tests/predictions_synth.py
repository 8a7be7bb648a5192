"""A small synthetic feature store and label table with the columns of docs/model_interfaces.md, and the
market marts that go with it (ml_market_features, ml_market_states, prediction_closing_lines), so the
prediction code can be tested without building the whole project (the real-data tests use the sample).

Points follow the player's level, which the line knows, plus `usage_spike_score` (SIGNAL points per unit),
which the line does not: a correction the market models can learn."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from nba_props.predictions.contract import Contract, load_contract

PROJECT_DIR = Path(__file__).resolve().parents[2]
SIGNAL_FEATURE, SIGNAL = "usage_spike_score", 3.0


def contract() -> Contract:
    return load_contract(PROJECT_DIR)


def frames(
    start: dt.date = dt.date(2024, 1, 1), days: int = 60, players: int = 40, seed: int = 7
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Feature rows (every player every day) and labels; points follow the player's level plus noise."""
    c = contract()
    rng = np.random.default_rng(seed)
    level = rng.uniform(4, 30, players)
    rows, labels = [], []
    for d in range(days):
        date = start + dt.timedelta(days=d)
        for p in range(players):
            lookup = f"player{p:03d}"
            game_id = f"00223{d:03d}{p % 20:02d}"
            feats = {n: float(rng.normal(0, 1)) for n in c.feature_names}
            feats["points_avg_last_10"] = float(level[p] + rng.normal(0, 1.5))
            feats["points_avg_last_5"] = float(level[p] + rng.normal(0, 2.5))
            has_line = p % 3 != 0
            line = round(level[p] + rng.normal(0, 1.0)) + 0.5 if has_line else None
            feats["vegas_points_line"] = line
            feats["vegas_opening_line"] = line
            feats["vegas_line_move"] = 0.0 if has_line else None
            feats["has_vegas_line"] = 1.0 if has_line else 0.0
            rows.append(
                {
                    "player_lookup": lookup,
                    "game_date": date,
                    "game_id": game_id,
                    "player_id": str(1000 + p),
                    "player_name": f"Player {p}",
                    "team_abbr": "AAA",
                    "opponent_team_abbr": "BBB",
                    "feature_quality_score": 90.0 if has_line else 88.0,
                    "quality_alert_level": "green",
                    "matchup_quality_pct": 100.0,
                    "required_default_count": 0,
                    "default_feature_count": 0 if has_line else 3,
                    "is_quality_ready": True,
                    "feature_version": c.version,
                    "contract_hash": c.contract_hash,
                    "vegas_line_book": "draftkings" if has_line else None,
                    "vegas_line_snapshot_at": pd.Timestamp(date) + pd.Timedelta(hours=15)
                    if has_line
                    else None,
                    "vegas_line_minutes_before_tipoff": 240.0 if has_line else None,
                    "vegas_line_source": "rotowire" if has_line else None,
                    **feats,
                }
            )
            dnp = rng.uniform() < 0.03
            labels.append(
                {
                    "player_lookup": lookup,
                    "game_id": game_id,
                    "game_date": date,
                    "points": None
                    if dnp
                    else float(max(0, round(level[p] + SIGNAL * feats[SIGNAL_FEATURE] + rng.normal(0, 4)))),
                    "is_dnp": dnp,
                    "minutes": None if dnp else 30.0,
                    "dnp_reason": "absent_from_box_score" if dnp else None,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(labels)


def american(p: float) -> float:
    """The American price of a probability (with the book's margin already in it)."""
    return round(-100 * p / (1 - p)) if p >= 0.5 else round(100 * (1 - p) / p)


def market_frames(rows: pd.DataFrame, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """ml_market_features, ml_market_states and prediction_closing_lines for the synthetic rows: each lined
    player-game has a morning state (the line a point lower, at 14:00 UTC) and the store's line at 15:00 UTC,
    which is the close; prices carry a 4.5% margin around a no-vig probability near 50%."""
    rng = np.random.default_rng(seed)
    features, states, closes = [], [], []
    for row in rows.to_dict("records"):
        line = row["vegas_points_line"]
        base = {
            "player_lookup": row["player_lookup"],
            "game_date": row["game_date"],
            "game_id": row["game_id"],
        }
        history = {
            "prior_lined_games": 0,
            "prior_residual_avg_last_10": np.nan,
            "prior_over_rate_last_20": np.nan,
        }
        if line is None or line != line:
            features.append({**base, **history})
            continue
        fair = float(np.clip(rng.normal(0.5, 0.03), 0.4, 0.6))
        over, under = american(fair * 1.0225), american((1 - fair) * 1.0225)
        tipoff = pd.Timestamp(row["game_date"]) + pd.Timedelta(hours=24)
        close = {
            "state_at": row["vegas_line_snapshot_at"],
            "line_points": line,
            "line_book": row["vegas_line_book"],
            "line_source": row["vegas_line_source"],
            "line_snapshot_at": row["vegas_line_snapshot_at"],
            "line_minutes_before_tipoff": row["vegas_line_minutes_before_tipoff"],
            "opening_line": line - 1,
            "line_move": 1.0,
            "over_price": float(over),
            "under_price": float(under),
            "no_vig_over": (1 / _decimal(over)) / (1 / _decimal(over) + 1 / _decimal(under)),
            "overround": 1 / _decimal(over) + 1 / _decimal(under) - 1,
            "books_quoting": 2,
            "consensus_line": line,
            "line_min": line,
            "line_max": line,
            "line_stddev": 0.0,
            "consensus_no_vig_over": fair,
            "books_at_line": 2,
            "best_over_price": float(over),
            "best_over_book": row["vegas_line_book"],
            "best_under_price": float(under),
            "best_under_book": row["vegas_line_book"],
        }
        morning = {
            **close,
            "state_at": close["state_at"] - pd.Timedelta(hours=1),
            "line_snapshot_at": close["state_at"] - pd.Timedelta(hours=1),
            "line_points": line - 1,
            "line_move": 0.0,
            "line_min": line - 1,
            "line_max": line - 1,
            "consensus_line": line - 1,
        }
        features.append({**base, **close, **history})
        for state, following in ((morning, close["state_at"]), (close, None)):
            states.append({**base, "tipoff_at": tipoff, **state, "next_state_at": following})
        closes.append(
            {
                "player_lookup": row["player_lookup"],
                "game_id": row["game_id"],
                "line_source": row["vegas_line_source"],
                "book": row["vegas_line_book"],
                "close_snapshot_at": close["state_at"],
                "close_minutes_before_tipoff": row["vegas_line_minutes_before_tipoff"],
                "close_line": line,
                "close_over_price": float(over),
                "close_under_price": float(under),
                "close_no_vig_over": close["no_vig_over"],
            }
        )
    return pd.DataFrame(features), pd.DataFrame(states), pd.DataFrame(closes)


def _decimal(price: float) -> float:
    return 1 + price / 100 if price >= 100 else 1 + 100 / -price


def labelled(rows: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Rows with labels and the market columns, as `evaluate` and `train` assemble them."""
    from nba_props.predictions import market

    features, _, _ = market_frames(rows)
    prefixed = features.rename(
        columns={
            c: f"market_{c}" for c in features.columns if c not in ("player_lookup", "game_date", "game_id")
        }
    ).drop(columns=["game_id"])
    return market.with_features(rows, prefixed).merge(
        labels.rename(columns={"points": "actual_points"})[
            ["player_lookup", "game_id", "actual_points", "is_dnp"]
        ],
        on=["player_lookup", "game_id"],
        how="left",
    )


def write(path: Path, rows: pd.DataFrame, labels: pd.DataFrame) -> None:
    features, states, closes = market_frames(rows)
    con = duckdb.connect(str(path))
    try:
        for schema in ("features", "intermediate", "predictions"):
            con.execute(f"create schema if not exists {schema}")
        for name, frame in (
            ("rows_df", rows),
            ("labels_df", labels),
            ("market_features_df", features),
            ("market_states_df", states),
            ("closes_df", closes),
        ):
            con.register(name, frame)
        con.execute("create or replace table features.ml_feature_store_v2 as select * from rows_df")
        con.execute("create or replace table intermediate.int_player_games as select * from labels_df")
        con.execute("create or replace table features.ml_market_features as select * from market_features_df")
        con.execute("create or replace table features.ml_market_states as select * from market_states_df")
        con.execute("create or replace table predictions.prediction_closing_lines as select * from closes_df")
    finally:
        con.close()


def set_rows(path: Path, where: str, assignments: str) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(f"update features.ml_feature_store_v2 set {assignments} where {where}")
    finally:
        con.close()
