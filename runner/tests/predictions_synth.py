"""A small synthetic feature store and label table with the columns of docs/model_interfaces.md, so the
prediction code can be tested without building the whole project (the real-data tests use the sample)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from nba_props.predictions.contract import Contract, load_contract

PROJECT_DIR = Path(__file__).resolve().parents[2]


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
                    "points": None if dnp else float(max(0, round(level[p] + rng.normal(0, 5)))),
                    "is_dnp": dnp,
                    "minutes": None if dnp else 30.0,
                    "dnp_reason": "absent_from_box_score" if dnp else None,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(labels)


def write(path: Path, rows: pd.DataFrame, labels: pd.DataFrame) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists features")
        con.execute("create schema if not exists intermediate")
        con.register("rows_df", rows)
        con.register("labels_df", labels)
        con.execute("create or replace table features.ml_feature_store_v2 as select * from rows_df")
        con.execute("create or replace table intermediate.int_player_games as select * from labels_df")
    finally:
        con.close()


def set_rows(path: Path, where: str, assignments: str) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(f"update features.ml_feature_store_v2 set {assignments} where {where}")
    finally:
        con.close()
