"""One prediction run for one game date: gate, predict, price the bet, supersede on line changes.

The bet is on the line the features used (feature 25, with its book and snapshot) at that book's prices:
expected value per unit staked, EV_over = p_over * decimal(over price) - 1 and EV_under likewise with
1 - p_over. OVER or UNDER when that side's EV is the larger and at least `min_ev`, PASS otherwise, NO_LINE
without a line. The edge rule (predicted points - line: OVER at >= 1, UNDER at <= -1) is kept beside it as a
comparison (`edge_recommendation`). A player with an active prediction is re-predicted only when a line
appeared or moved by >= 1 point since that prediction.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from nba_props.errors import NbaPropsError
from nba_props.predictions import gate, history, market
from nba_props.predictions.contract import Contract
from nba_props.predictions.model import TrainedModel, check_contract

EDGE_THRESHOLD = 1.0
LINE_MOVE_THRESHOLD = 1.0
# A bet must be expected to return at least 3% of its stake at the offered price. Fixed in advance, not
# fitted: the calibration learns from about a thousand held-out outcomes, and the standard error of a
# probability near 50% measured on 1,000 outcomes is 1.6 points, which at even money is 3.2% of the stake.
DEFAULT_MIN_EV = 0.03


@dataclass
class RunResult:
    run_id: str
    rows_read: int = 0
    written: list[dict[str, Any]] = field(default_factory=list)
    superseded: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0


def _num(value: Any) -> float | None:
    if value is None or value is pd.NaT:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _int(value: Any) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def recommend(predicted: float, line: float | None) -> tuple[str, float | None]:
    """The edge rule (a comparison beside the EV decision): OVER at edge >= 1, UNDER at <= -1."""
    if line is None:
        return "NO_LINE", None
    edge = round(predicted - line, 2)
    if edge >= EDGE_THRESHOLD:
        return "OVER", edge
    if edge <= -EDGE_THRESHOLD:
        return "UNDER", edge
    return "PASS", edge


@dataclass
class Decisions:
    recommendation: np.ndarray  # OVER, UNDER, PASS, NO_LINE
    expected_value: np.ndarray  # of the recommended side; of the better side for PASS; NaN without a price
    ev_over: np.ndarray
    ev_under: np.ndarray


def decide(
    p_over: np.ndarray,
    over_price: np.ndarray,
    under_price: np.ndarray,
    has_line: np.ndarray,
    min_ev: float = DEFAULT_MIN_EV,
) -> Decisions:
    """OVER / UNDER / PASS by expected value at the offered prices (see the module docstring)."""
    ev_over, ev_under = market.expected_values(p_over, over_price, under_price)
    over_better = np.nan_to_num(ev_over, nan=-np.inf) >= np.nan_to_num(ev_under, nan=-np.inf)
    best = np.where(over_better, ev_over, ev_under)
    priced = ~np.isnan(best)
    rec = np.where(
        ~np.asarray(has_line, dtype=bool),
        "NO_LINE",
        np.where(
            priced & (np.nan_to_num(best, nan=-np.inf) >= min_ev),
            np.where(over_better, "OVER", "UNDER"),
            "PASS",
        ),
    )
    return Decisions(rec.astype(object), best, ev_over, ev_under)


def line_change(previous_line: float | None, current_line: float | None) -> str | None:
    """Why a prediction made with `previous_line` is stale given `current_line`, or None if it is not."""
    if current_line is None:
        return None  # a line that vanished keeps the prediction made with it
    if previous_line is None:
        return "line_appeared"
    if abs(current_line - previous_line) >= LINE_MOVE_THRESHOLD:
        return f"line_moved_{previous_line:g}_to_{current_line:g}"
    return None


def store_contract(rows: pd.DataFrame, contract: Contract) -> tuple[str, str]:
    """The contract the store rows were built with (their own columns when present)."""

    def single(column: str, fallback: str) -> str:
        if column not in rows.columns:
            return fallback
        values = {str(v) for v in rows[column].dropna().unique()}
        if len(values) > 1:
            raise NbaPropsError(
                f"feature rows mix several {column} values ({', '.join(sorted(values))}): rebuild"
            )
        return values.pop() if values else fallback

    return single("feature_version", contract.version), single("contract_hash", contract.contract_hash)


def run(
    con: duckdb.DuckDBPyConnection,
    rows: pd.DataFrame,
    model: TrainedModel,
    contract: Contract,
    mode: str,
    game_date: dt.date,
    as_of: dt.datetime,
    now: dt.datetime,
    command: str = "predict",
    min_ev: float = DEFAULT_MIN_EV,
) -> RunResult:
    """Predict D's rows; command check-lines only re-predicts players with an active prediction."""
    gate.threshold_for(mode)  # unknown mode: error before anything is written
    history.ensure_tables(con)
    result = RunResult(run_id=history.new_id(), rows_read=len(rows))
    if rows.empty:
        raise NbaPropsError(
            f"no feature-store rows for {game_date}: no games that day, or the store was not built for it"
        )
    version, chash = store_contract(rows, contract)
    check_contract(model, version, chash, contract.feature_names)

    actives = history.active(con, game_date, model.name)
    by_key = {(r.player_lookup, r.game_id): r._asdict() for r in actives.itertuples(index=False)}
    candidates: list[tuple[Mapping[str, Any], str | None, str | None]] = []  # row, supersedes, reason
    for row in rows.to_dict("records"):
        key = (row["player_lookup"], row.get("game_id"))
        previous = by_key.get(key)
        if row.get("game_id") is None or (isinstance(row.get("game_id"), float)):
            result.skipped.append(
                {"player_lookup": row["player_lookup"], "game_id": None, "reason": "no_game_id"}
            )
            continue
        if command == "check-lines" and previous is None:
            continue  # check-lines only refreshes standing predictions; `predict` makes new ones
        reason = None
        if previous is not None:
            reason = line_change(_num(previous["line_points"]), _num(row.get("vegas_points_line")))
            if reason is None:
                result.unchanged += 1
                continue
        decision = gate.check(row, mode)
        if not decision.passed:
            kept = "; active prediction kept" if previous is not None else ""
            result.skipped.append(
                {
                    "player_lookup": row["player_lookup"],
                    "game_id": row["game_id"],
                    "reason": f"{decision.reason}{kept}",
                }
            )
            continue
        candidates.append((row, previous["prediction_id"] if previous else None, reason))

    if candidates:
        frame = pd.DataFrame([c[0] for c in candidates])
        out = model.predict_all(frame)
        over_price = pd.to_numeric(frame.get("market_over_price"), errors="coerce").to_numpy(dtype=float)
        under_price = pd.to_numeric(frame.get("market_under_price"), errors="coerce").to_numpy(dtype=float)
        decisions = decide(out.p_over, over_price, under_price, out.basis == "line", min_ev)
        reasons: dict[str, str] = {}
        for i, (row, supersedes, reason) in enumerate(candidates):
            rec = _record(
                row,
                float(out.predicted_points[i]),
                model,
                mode,
                as_of,
                now,
                result.run_id,
                contract,
                version,
                chash,
            )
            rec.update(
                {
                    "prediction_basis": str(out.basis[i]),
                    "points_model_points": float(out.points_model_points[i]),
                    "p_over": _num(out.p_over[i]),
                    "market_p_over": _num(out.market_p_over[i]),
                    "ev_over": _num(decisions.ev_over[i]),
                    "ev_under": _num(decisions.ev_under[i]),
                    "expected_value": _num(decisions.expected_value[i]),
                    "min_ev": min_ev,
                    "edge_recommendation": rec["recommendation"],
                    "recommendation": str(decisions.recommendation[i]),
                }
            )
            rec["supersedes"] = supersedes
            if supersedes:
                reasons[rec["prediction_id"]] = reason or "superseded"
                result.superseded += 1
            result.written.append(rec)
        history.write(con, result.written, reasons, now)
    history.record_run(
        con,
        {
            "run_id": result.run_id,
            "command": command,
            "mode": mode,
            "game_date": game_date,
            "as_of": as_of,
            "model_name": model.name,
            "started_at": now,
            "rows_read": result.rows_read,
            "predicted": len(result.written),
            "superseded": result.superseded,
            "skipped": len(result.skipped),
            "unchanged": result.unchanged,
        },
        result.skipped,
    )
    violations = history.check_one_active(con)
    if violations:
        raise NbaPropsError(
            f"more than one active prediction for {violations[0][:3]}: history is inconsistent"
        )
    return result


def _record(
    row: Mapping[str, Any],
    predicted: float,
    model: TrainedModel,
    mode: str,
    as_of: dt.datetime,
    now: dt.datetime,
    run_id: str,
    contract: Contract,
    version: str,
    chash: str,
) -> dict[str, Any]:
    line = _num(row.get("vegas_points_line"))
    recommendation, edge = recommend(predicted, line)
    score = _num(row.get("feature_quality_score"))
    return {
        "prediction_id": history.new_id(),
        "run_id": run_id,
        "model_name": model.name,
        "contract_version": version,
        "contract_hash": chash,
        "player_lookup": row["player_lookup"],
        "player_id": None if row.get("player_id") is None else str(row.get("player_id")),
        "player_name": row.get("player_name"),
        "game_id": row["game_id"],
        "game_date": pd.Timestamp(row["game_date"]).date(),
        "team_abbr": row.get("team_abbr"),
        "opponent_team_abbr": row.get("opponent_team_abbr"),
        "mode": mode,
        "as_of": as_of,
        "predicted_at": now,
        "predicted_points": predicted,
        "has_line": line is not None,
        "line_points": line,
        "opening_line": _num(row.get("vegas_opening_line")),
        "line_move": _num(row.get("vegas_line_move")),
        "line_book": row.get("vegas_line_book") if line is not None else None,
        "line_source": row.get("vegas_line_source") if line is not None else None,
        "line_snapshot_at": row.get("vegas_line_snapshot_at") if line is not None else None,
        "line_minutes_before_tipoff": _num(row.get("vegas_line_minutes_before_tipoff"))
        if line is not None
        else None,
        "over_price": _num(row.get("market_over_price")) if line is not None else None,
        "under_price": _num(row.get("market_under_price")) if line is not None else None,
        "books_quoting": _int(row.get("market_books_quoting")) if line is not None else None,
        "consensus_line": _num(row.get("market_consensus_line")) if line is not None else None,
        "best_over_price": _num(row.get("market_best_over_price")) if line is not None else None,
        "best_over_book": _text(row.get("market_best_over_book")) if line is not None else None,
        "best_under_price": _num(row.get("market_best_under_price")) if line is not None else None,
        "best_under_book": _text(row.get("market_best_under_book")) if line is not None else None,
        "edge": edge,
        "recommendation": recommendation,
        "feature_quality_score": score,
        "quality_alert_level": row.get("quality_alert_level"),
        "matchup_quality_pct": _num(row.get("matchup_quality_pct")),
        "required_default_count": int(_num(row.get("required_default_count")) or 0),
        "default_feature_count": None
        if _num(row.get("default_feature_count")) is None
        else int(_num(row.get("default_feature_count"))),
        "low_quality_flag": score is not None and score < gate.LOW_QUALITY_BELOW,
        "features_json": {n: _num(row.get(n)) for n in contract.feature_names},
        "inputs": [
            {
                "feature_index": index,
                "feature_name": name,
                "feature_value": _num(row.get(name)),
                "feature_source": _text(row.get(f"{name}_source")),
                "default_reason": _text(row.get(f"{name}_default_reason")),
            }
            for index, name in enumerate(contract.feature_names)
        ],
        "is_active": True,
        "superseded_at": None,
        "superseded_by": None,
        "superseded_reason": None,
    }
