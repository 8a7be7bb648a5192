"""The prediction history in the warehouse (schema `runner`): append-only rows, one active per
(player, game, model); a new prediction supersedes the active one in the same transaction.

runner.prediction_inputs keeps what each prediction was made from: one row per contract feature with the
value, source and default reason the store row had then, written in the same transaction as the prediction,
so monitoring.served_vs_rebuilt_* can compare them with the store as it stands after later builds.

The column lists here and the dbt macros `create_runner_predictions` / `create_runner_prediction_inputs`
(which create the tables empty so that the marts reading them always build) describe the same tables; a test
compares them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pandas as pd

from nba_props.errors import NbaPropsError

SCHEMA = "runner"
PREDICTIONS = f"{SCHEMA}.predictions"
RUNS = f"{SCHEMA}.prediction_runs"
INPUTS = f"{SCHEMA}.prediction_inputs"
SKIPS = f"{SCHEMA}.prediction_skips"

PREDICTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("prediction_id", "varchar"),
    ("run_id", "varchar"),
    ("model_name", "varchar"),
    ("contract_version", "varchar"),
    ("contract_hash", "varchar"),
    ("player_lookup", "varchar"),
    ("player_id", "varchar"),
    ("player_name", "varchar"),
    ("game_id", "varchar"),
    ("game_date", "date"),
    ("team_abbr", "varchar"),
    ("opponent_team_abbr", "varchar"),
    ("mode", "varchar"),
    ("as_of", "timestamp"),
    ("predicted_at", "timestamp"),
    ("predicted_points", "double"),
    ("has_line", "boolean"),
    ("line_points", "double"),
    ("opening_line", "double"),
    ("line_move", "double"),
    ("line_book", "varchar"),
    ("line_source", "varchar"),
    ("line_snapshot_at", "timestamp"),
    ("line_minutes_before_tipoff", "double"),
    ("edge", "double"),
    ("recommendation", "varchar"),
    ("feature_quality_score", "double"),
    ("quality_alert_level", "varchar"),
    ("matchup_quality_pct", "double"),
    ("required_default_count", "integer"),
    ("default_feature_count", "integer"),
    ("low_quality_flag", "boolean"),
    ("features_json", "varchar"),
    ("supersedes", "varchar"),
    ("is_active", "boolean"),
    ("superseded_at", "timestamp"),
    ("superseded_by", "varchar"),
    ("superseded_reason", "varchar"),
    # The market and the bet (added after the columns above: an older table gets them appended, in order).
    ("prediction_basis", "varchar"),
    ("points_model_points", "double"),
    ("over_price", "double"),
    ("under_price", "double"),
    ("market_p_over", "double"),
    ("p_over", "double"),
    ("ev_over", "double"),
    ("ev_under", "double"),
    ("expected_value", "double"),
    ("min_ev", "double"),
    ("edge_recommendation", "varchar"),
    ("books_quoting", "integer"),
    ("consensus_line", "double"),
    ("best_over_price", "double"),
    ("best_over_book", "varchar"),
    ("best_under_price", "double"),
    ("best_under_book", "varchar"),
)

# One row per (prediction, contract feature): the store row's value, source and default reason when served.
INPUT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("prediction_id", "varchar"),
    ("feature_index", "integer"),
    ("feature_name", "varchar"),
    ("feature_value", "double"),
    ("feature_source", "varchar"),
    ("default_reason", "varchar"),
)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    cols = ",\n  ".join(f"{name} {kind}" for name, kind in PREDICTION_COLUMNS)
    con.execute(f"create table if not exists {PREDICTIONS} (\n  {cols}\n)")
    # A table made by an earlier version lacks the newer columns: append them (nothing is rewritten).
    have = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [SCHEMA, PREDICTIONS.split(".")[1]],
        ).fetchall()
    }
    for name, kind in PREDICTION_COLUMNS:
        if name not in have:
            con.execute(f"alter table {PREDICTIONS} add column {name} {kind}")
    inputs = ",\n  ".join(f"{name} {kind}" for name, kind in INPUT_COLUMNS)
    con.execute(f"create table if not exists {INPUTS} (\n  {inputs}\n)")
    con.execute(
        f"create table if not exists {RUNS} (run_id varchar, command varchar, mode varchar, game_date date, "
        "as_of timestamp, model_name varchar, started_at timestamp, rows_read integer, predicted integer, "
        "superseded integer, skipped integer, unchanged integer)"
    )
    con.execute(
        f"create table if not exists {SKIPS} (run_id varchar, game_date date, player_lookup varchar, "
        "game_id varchar, model_name varchar, mode varchar, reason varchar, recorded_at timestamp)"
    )


def new_id() -> str:
    return uuid.uuid4().hex


def active(con: duckdb.DuckDBPyConnection, game_date: dt.date, model_name: str) -> pd.DataFrame:
    return con.execute(
        f"select * from {PREDICTIONS} where game_date = ? and model_name = ? and is_active",
        [game_date, model_name],
    ).df()


def write(
    con: duckdb.DuckDBPyConnection,
    records: Iterable[Mapping[str, Any]],
    supersede_reasons: Mapping[str, str],
    now: dt.datetime,
) -> int:
    """Insert new predictions (with their inputs, record["inputs"]) and deactivate the rows they replace, all
    in one transaction.

    `supersede_reasons` maps a new prediction_id to the reason its predecessor (record["supersedes"]) is
    replaced. Any other active row for the same (player, game, model) is an invariant violation: abort.
    """
    records = list(records)
    if not records:
        return 0
    names = [n for n, _ in PREDICTION_COLUMNS]
    now_naive = now.astimezone(dt.UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        for rec in records:
            previous = rec.get("supersedes")
            if previous:
                updated = con.execute(
                    f"update {PREDICTIONS} set is_active = false, superseded_at = ?, superseded_by = ?, "
                    "superseded_reason = ? where prediction_id = ? and is_active returning prediction_id",
                    [
                        now_naive,
                        rec["prediction_id"],
                        supersede_reasons.get(rec["prediction_id"], "superseded"),
                        previous,
                    ],
                ).fetchall()
                if len(updated) != 1:
                    raise NbaPropsError(
                        f"prediction {previous} to supersede is no longer active (another run replaced it); "
                        "nothing was written, rerun"
                    )
            clash = con.execute(
                f"select count(*) from {PREDICTIONS} "
                "where player_lookup = ? and game_id = ? and model_name = ? "
                "and is_active",
                [rec["player_lookup"], rec["game_id"], rec["model_name"]],
            ).fetchone()[0]
            if clash:
                raise NbaPropsError(
                    f"{rec['player_lookup']} already has an active {rec['model_name']} prediction for "
                    f"{rec['game_id']}; nothing was written"
                )
            row = [_value(rec.get(n)) for n in names]
            con.execute(
                f"insert into {PREDICTIONS} ({', '.join(names)}) values ({', '.join('?' for _ in names)})",
                row,
            )
        _write_inputs(con, records)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(records)


def _write_inputs(con: duckdb.DuckDBPyConnection, records: list[Mapping[str, Any]]) -> None:
    names = [n for n, _ in INPUT_COLUMNS]
    frame = pd.DataFrame(
        [
            {"prediction_id": rec["prediction_id"], **item}
            for rec in records
            for item in rec.get("inputs", ())
        ],
        columns=names,
    )
    if frame.empty:
        return
    frame["feature_value"] = pd.to_numeric(frame["feature_value"], errors="coerce").astype("float64")
    con.register("prediction_inputs_frame", frame)
    try:
        columns = ", ".join(names)
        con.execute(f"insert into {INPUTS} ({columns}) select {columns} from prediction_inputs_frame")
    finally:
        con.unregister("prediction_inputs_frame")


def record_run(
    con: duckdb.DuckDBPyConnection, run: Mapping[str, Any], skips: list[Mapping[str, Any]]
) -> None:
    con.execute(
        f"insert into {RUNS} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run["run_id"],
            run["command"],
            run["mode"],
            run["game_date"],
            _value(run["as_of"]),
            run["model_name"],
            _value(run["started_at"]),
            run["rows_read"],
            run["predicted"],
            run["superseded"],
            run["skipped"],
            run["unchanged"],
        ],
    )
    if skips:
        con.executemany(
            f"insert into {SKIPS} values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    run["run_id"],
                    run["game_date"],
                    s["player_lookup"],
                    s.get("game_id"),
                    run["model_name"],
                    run["mode"],
                    s["reason"],
                    _value(run["started_at"]),
                ]
                for s in skips
            ],
        )


def _value(value: Any) -> Any:
    """Python values DuckDB binds as the columns expect: naive UTC timestamps, None for NaN/NaT."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def check_one_active(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(player, game, model) groups with more than one active row: must be empty."""
    return con.execute(
        f"select player_lookup, game_id, model_name, count(*) from {PREDICTIONS} where is_active "
        "group by all having count(*) > 1"
    ).fetchall()
