"""Walk-forward evaluation: for each week, train on every row dated before the week, predict the week's rows
as the production run of the mode would have (the market as it stood at the mode's scheduled time on the game
date), price and grade the bets at the prices on offer, and compare them with the closing line. Nothing from
the week or later reaches the model or its calibration.

Training rows are the store's rows as they are (each with the latest line before tip-off, the way `train`
reads them); the week's rows get features 25-28 and the market inputs as of the decision time
(ml_market_states), so the line bet on is the line that was on offer when the prediction would have been made.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nba_props.errors import NbaPropsError
from nba_props.predictions import gate, market
from nba_props.predictions import model as models
from nba_props.predictions.engine import DEFAULT_MIN_EV, decide, recommend

EDGE_BUCKETS = (1.0, 3.0, 5.0)
EV_BUCKETS = (-math.inf, 0.0, 0.02, 0.05, 0.10, math.inf)
RELIABILITY_BINS = (0.0, 0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 1.0)
BREAK_EVEN = 110 / 210  # -110 on both sides: 52.38%
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20240125
# Below this many rows (or 5 game dates) a bootstrap interval says more about the resampling than the bets
# (four winning bets resample to a certain profit): no interval is given.
MIN_ROWS_FOR_INTERVAL = 30
# The mode's run in the reference schedule (US Eastern): 8 AM first, retries to noon, 1 PM final retry, 4 PM
# last call, hourly line checks to 6 PM; backfill runs the next day, so it sees the close.
DECISION_TIME_ET: dict[str, dt.time | None] = {
    "first": dt.time(8, 0),
    "retry": dt.time(12, 0),
    "final_retry": dt.time(13, 0),
    "last_call": dt.time(16, 0),
    "line_check": dt.time(18, 0),
    "backfill": None,
}


@dataclass
class Week:
    start: dt.date
    end: dt.date


def weeks(start: dt.date, end: dt.date) -> list[Week]:
    out, day = [], start
    while day <= end:
        out.append(Week(day, min(day + dt.timedelta(days=6), end)))
        day += dt.timedelta(days=7)
    return out


def at_decision_time(
    rows: pd.DataFrame, market_states: pd.DataFrame, decision_time: dt.time | None
) -> pd.DataFrame:
    """The rows with the market as it stood at DECISION_TIME (US Eastern) on each game date, or at the close
    (None): the prefixed market state columns, and features 25-28 with the line's provenance to match."""
    cutoff = market.decision_cutoffs(rows["game_date"], decision_time)
    return market.as_store_line(market.with_state_at(rows, market_states, cutoff))


def walk_forward(
    rows: pd.DataFrame,
    feature_names: Sequence[str],
    start: dt.date,
    end: dt.date,
    contract_version: str,
    contract_hash: str,
    mode: str = "last_call",
    min_rows: int = models.MIN_TRAIN_ROWS,
    on_week: Callable[[Week, int], None] | None = None,
    market_states: pd.DataFrame | None = None,
    decision_time: dt.time | None = None,
    min_ev: float = DEFAULT_MIN_EV,
) -> pd.DataFrame:
    """`rows` = feature rows with labels (actual_points, is_dnp) and the ml_market_features columns. Returns
    one row per player-game in [start, end] with the prediction (NaN when the gate blocked it), the gate
    reason, p_over, the prices and the decisions. With `market_states`, the week's rows are priced at
    DECISION_TIME; without, as the store has them."""
    gate.threshold_for(mode)
    dates = pd.to_datetime(rows["game_date"]).dt.date
    in_range = (dates >= start) & (dates <= end)
    targets = rows.loc[in_range]
    if market_states is not None:
        targets = at_decision_time(targets, market_states, decision_time)
    target_dates = dates.loc[in_range]
    out: list[pd.DataFrame] = []
    for week in weeks(start, end):
        history = rows.loc[dates < week.start]
        target = targets.loc[(target_dates >= week.start) & (target_dates <= week.end)].copy()
        if target.empty:
            continue
        # The model never sees the week's labels: the target rows are passed without them.
        target_features = target.drop(columns=["actual_points", "is_dnp"])
        try:
            trained = models.fit(
                history,
                feature_names,
                week.start,
                contract_version,
                contract_hash,
                f"wf_{week.start:%Y%m%d}",
                min_rows=min_rows,
            )
        except NbaPropsError:
            trained = None  # too little history before this week: no prediction was possible
        decisions = [gate.check(r, mode) for r in target_features.to_dict("records")]
        target["gate_reason"] = [d.reason if trained else "no_model_insufficient_history" for d in decisions]
        passed = np.array([d.passed and trained is not None for d in decisions])
        for col in ("predicted_points", "points_model_points", "p_over", "market_p_over"):
            target[col] = np.nan
        target["prediction_basis"] = None
        if passed.any():
            predicted = trained.predict_all(target_features.loc[passed])
            target.loc[passed, "predicted_points"] = predicted.predicted_points
            target.loc[passed, "points_model_points"] = predicted.points_model_points
            target.loc[passed, "p_over"] = predicted.p_over
            target.loc[passed, "market_p_over"] = predicted.market_p_over
            target.loc[passed, "prediction_basis"] = predicted.basis
        target["week_start"] = week.start
        target["train_rows"] = trained.metadata["rows"] if trained else 0
        target["market_rounds"] = (
            f"{trained.metadata['market']['margin_rounds']}/{trained.metadata['market']['over_rounds']}"
            if trained
            else None
        )
        out.append(target)
        if on_week is not None:
            on_week(week, int(passed.sum()))
    if not out:
        raise NbaPropsError(f"no feature rows between {start} and {end}")
    return price(pd.concat(out, ignore_index=True), min_ev)


def price(result: pd.DataFrame, min_ev: float = DEFAULT_MIN_EV) -> pd.DataFrame:
    """Line, prices, the EV decision (at the line's book, and at the best price among the books quoting the
    same line) and the edge rule of each predicted row."""
    result = result.copy()
    lines = pd.to_numeric(result["vegas_points_line"], errors="coerce")
    predicted = pd.to_numeric(result["predicted_points"], errors="coerce")
    result["line_points"] = lines
    for side in ("over", "under"):
        col = f"market_{side}_price"
        result[f"{side}_price"] = pd.to_numeric(result[col], errors="coerce") if col in result else np.nan
    has_line = lines.notna() & predicted.notna()
    decisions = decide(
        result["p_over"].to_numpy(dtype=float),
        result["over_price"].to_numpy(dtype=float),
        result["under_price"].to_numpy(dtype=float),
        has_line.to_numpy(),
        min_ev,
    )
    result["recommendation"] = np.where(predicted.notna(), decisions.recommendation, None)
    result["expected_value"] = decisions.expected_value
    result["ev_over"], result["ev_under"] = decisions.ev_over, decisions.ev_under
    # the same decision at the best price among the books quoting the same line (a bettor who shops)
    for side in ("over", "under"):
        col = f"market_best_{side}_price"
        result[f"best_{side}_price"] = (
            pd.to_numeric(result[col], errors="coerce") if col in result else np.nan
        )
    shopped = decide(
        result["p_over"].to_numpy(dtype=float),
        result["best_over_price"].to_numpy(dtype=float),
        result["best_under_price"].to_numpy(dtype=float),
        has_line.to_numpy(),
        min_ev,
    )
    result["best_price_recommendation"] = np.where(predicted.notna(), shopped.recommendation, None)
    edges = [
        recommend(p, None if math.isnan(line) else line) if not math.isnan(p) else (None, None)
        for p, line in zip(predicted, lines, strict=True)
    ]
    result["edge_recommendation"] = [e[0] for e in edges]
    result["edge"] = [e[1] for e in edges]
    # the edge rule on the points model alone: the decision of the model before the market models
    points_model = pd.to_numeric(result.get("points_model_points"), errors="coerce")
    points_edges = [
        recommend(p, None if math.isnan(line) else line) if not math.isnan(p) else (None, None)
        for p, line in zip(points_model, lines, strict=True)
    ]
    result["points_model_edge_recommendation"] = [e[0] for e in points_edges]
    result["points_model_edge"] = [e[1] for e in points_edges]
    result["min_ev"] = min_ev
    return result


def with_closing_lines(result: pd.DataFrame, closes: pd.DataFrame) -> pd.DataFrame:
    """Each row's closing quote of the same book in the same feed as its line (prediction_closing_lines), and
    closing-line value of the side the EV decision bet on, or of its better side when it passed (`lean`)."""
    keys = ["player_lookup", "game_id", "line_source", "book"]
    left = result.copy()
    left["line_source"], left["book"] = left["vegas_line_source"], left["vegas_line_book"]
    left["game_id"] = left["game_id"].astype(str)
    right = closes.copy()
    right["game_id"] = right["game_id"].astype(str)
    keep = [c for c in right.columns if c.startswith("close_")]
    merged = left.merge(right[keys + keep], on=keys, how="left").drop(columns=["line_source", "book"])
    merged.index = result.index
    lean = np.where(merged["ev_over"].fillna(-np.inf) >= merged["ev_under"].fillna(-np.inf), "OVER", "UNDER")
    side = np.where(merged["recommendation"].isin(["OVER", "UNDER"]), merged["recommendation"], lean)
    sign = np.where(side == "OVER", 1.0, -1.0)
    merged["clv_side"] = np.where(merged["line_points"].notna(), side, None)
    moved = merged["close_line"] - merged["line_points"]
    merged["clv_points"] = np.where(side == "OVER", moved, -moved) + 0.0  # + 0.0: no negative zero
    same_line = merged["close_line"] == merged["line_points"]
    # both sides of the difference from the prices by one formula, so an unchanged price is exactly 0
    at_prediction = market.no_vig_over(merged["over_price"], merged["under_price"])
    at_close = market.no_vig_over(merged["close_over_price"], merged["close_under_price"])
    merged["clv_prob"] = np.where(same_line, sign * (at_close - at_prediction), np.nan)
    merged["beat_close"] = np.select(
        [
            merged["close_line"].isna() | merged["line_points"].isna(),
            (merged["clv_points"] > 0) | ((merged["clv_points"] == 0) & (merged["clv_prob"] > 0)),
            (merged["clv_points"] < 0) | ((merged["clv_points"] == 0) & (merged["clv_prob"] < 0)),
        ],
        [None, "beat", "lost"],
        default="same",
    )
    return merged


# --- statistics -------------------------------------------------------------------------------------


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (float("nan"), float("nan"))
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def bootstrap_ratio(
    numerators: np.ndarray, denominators: np.ndarray, clusters: np.ndarray
) -> tuple[float, float]:
    """95% interval of sum(numerators) / sum(denominators), resampling whole clusters (game dates: bets of
    one night share injuries, pace and line moves) with a fixed seed, so the interval is reproducible; NaN
    with fewer than MIN_ROWS_FOR_INTERVAL rows or 5 clusters."""
    frame = pd.DataFrame({"n": numerators, "d": denominators, "c": clusters})
    per = frame.groupby("c", sort=True)[["n", "d"]].sum()
    if len(per) < 5 or len(frame) < MIN_ROWS_FOR_INTERVAL or per["d"].sum() == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    pick = rng.integers(0, len(per), size=(BOOTSTRAP_SAMPLES, len(per)))
    num, den = per["n"].to_numpy()[pick].sum(axis=1), per["d"].to_numpy()[pick].sum(axis=1)
    ratios = num[den > 0] / den[den > 0]
    return (float(np.quantile(ratios, 0.025)), float(np.quantile(ratios, 0.975)))


def profit(recommendation: pd.Series, actual: pd.Series, line: pd.Series, over: pd.Series, under: pd.Series):
    """Units won per unit staked at the side's decimal odds (a loss is -1, a push 0)."""
    went_over, went_under = actual > line, actual < line
    dec = np.where(recommendation == "OVER", market.decimal_odds(over), market.decimal_odds(under))
    won = np.where(recommendation == "OVER", went_over, went_under)
    lost = np.where(recommendation == "OVER", went_under, went_over)
    return np.where(won, dec - 1, np.where(lost, -1.0, 0.0))


def _bets_block(bets: pd.DataFrame) -> dict:
    """Count, hits, hit rate (Wilson 95%), ROI at the actual prices (bootstrap 95% over game dates)."""
    n = len(bets)
    hits = int(bets["won"].sum()) if n else 0
    low, high = wilson(hits, n)
    units = bets["profit"].to_numpy(dtype=float) if n else np.array([])
    roi_low, roi_high = bootstrap_ratio(units, np.ones(n), bets["game_date"].astype(str).to_numpy())
    return {
        "bets": n,
        "hits": hits,
        "hit_rate_pct": _pct(hits, n),
        "hit_ci95_pct": [_round(low * 100, 1), _round(high * 100, 1)],
        "units": _round(float(units.sum()), 2) if n else 0.0,
        "roi_pct": _round(float(units.mean()) * 100, 2) if n else float("nan"),
        "roi_ci95_pct": [_round(roi_low * 100, 2), _round(roi_high * 100, 2)],
        "break_even_pct": _round(float(np.mean(1 / bets["decimal_odds"])) * 100, 1) if n else float("nan"),
    }


def _with_split(bets: pd.DataFrame) -> dict:
    block = _bets_block(bets)
    for side in ("OVER", "UNDER"):
        block[side.lower()] = _bets_block(bets.loc[bets["side"] == side])
    return block


def graded_frame(result: pd.DataFrame) -> pd.DataFrame:
    """Played, predicted rows with a line: outcome, the EV bet's side, odds, result and profit."""
    played = result.loc[~result["is_dnp"].fillna(False).astype(bool) & result["actual_points"].notna()]
    lined = played.loc[played["predicted_points"].notna() & played["line_points"].notna()].copy()
    lined["went_over"] = (lined["actual_points"] > lined["line_points"]).astype(float)
    lined["push"] = lined["actual_points"] == lined["line_points"]
    return lined


def _graded_bets(lined: pd.DataFrame, side: pd.Series) -> pd.DataFrame:
    bets = lined.loc[side.isin(["OVER", "UNDER"]) & ~lined["push"]].copy()
    bets["side"] = side.loc[bets.index]
    bets["won"] = np.where(bets["side"] == "OVER", bets["went_over"] == 1, bets["went_over"] == 0)
    bets["decimal_odds"] = np.where(
        bets["side"] == "OVER",
        market.decimal_odds(bets["over_price"]),
        market.decimal_odds(bets["under_price"]),
    )
    bets["profit"] = profit(
        bets["side"], bets["actual_points"], bets["line_points"], bets["over_price"], bets["under_price"]
    )
    return bets.loc[bets["decimal_odds"].notna()]


def probability_block(frame: pd.DataFrame) -> dict:
    """Brier score and log loss of p_over and of the market's no-vig probability on the same rows, the
    difference with a bootstrap 95% interval (negative = the model is better), and a reliability table."""
    rows = frame.loc[frame["p_over"].notna() & frame["market_p_over"].notna() & ~frame["push"]]
    if rows.empty:
        return {"rows": 0}
    y = rows["went_over"].to_numpy(dtype=float)
    p = np.clip(rows["p_over"].to_numpy(dtype=float), models.P_CLIP, 1 - models.P_CLIP)
    m = np.clip(rows["market_p_over"].to_numpy(dtype=float), models.P_CLIP, 1 - models.P_CLIP)
    brier_p, brier_m = (p - y) ** 2, (m - y) ** 2
    loss_p = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    loss_m = -(y * np.log(m) + (1 - y) * np.log(1 - m))
    clusters = rows["game_date"].astype(str).to_numpy()
    ones = np.ones(len(rows))
    out = {
        "rows": int(len(rows)),
        "over_rate_pct": _round(float(y.mean()) * 100, 1),
        "brier": _round(float(brier_p.mean()), 5),
        "market_brier": _round(float(brier_m.mean()), 5),
        "brier_difference": _round(float((brier_p - brier_m).mean()), 5),
        "brier_difference_ci95": [_round(v, 5) for v in bootstrap_ratio(brier_p - brier_m, ones, clusters)],
        "log_loss": _round(float(loss_p.mean()), 5),
        "market_log_loss": _round(float(loss_m.mean()), 5),
        "log_loss_difference": _round(float((loss_p - loss_m).mean()), 5),
        "log_loss_difference_ci95": [_round(v, 5) for v in bootstrap_ratio(loss_p - loss_m, ones, clusters)],
        "reliability": reliability(p, m, y),
    }
    return out


def reliability(p: np.ndarray, m: np.ndarray, y: np.ndarray) -> list[dict]:
    """Rows binned by p_over: mean p_over, observed over rate (Wilson 95%), and the market's mean on them."""
    bins = np.digitize(p, RELIABILITY_BINS[1:-1])
    table = []
    for b in range(len(RELIABILITY_BINS) - 1):
        sel = bins == b
        n = int(sel.sum())
        hits = int(y[sel].sum())
        low, high = wilson(hits, n)
        table.append(
            {
                "bin": f"{RELIABILITY_BINS[b]:.2f}-{RELIABILITY_BINS[b + 1]:.2f}",
                "rows": n,
                "mean_p_over_pct": _round(float(p[sel].mean()) * 100, 1) if n else float("nan"),
                "over_rate_pct": _pct(hits, n),
                "over_rate_ci95_pct": [_round(low * 100, 1), _round(high * 100, 1)],
                "mean_market_p_over_pct": _round(float(m[sel].mean()) * 100, 1) if n else float("nan"),
            }
        )
    return table


def clv_block(rows: pd.DataFrame) -> dict:
    """Share of rows whose line and price beat the close of the same book, and mean CLV in points (all rows
    with a close) and in no-vig probability (rows whose close kept the same line), with 95% intervals."""
    rows = rows.loc[rows["beat_close"].notna()]
    n = len(rows)
    if not n:
        return {"bets_with_close": 0}
    clusters = rows["game_date"].astype(str).to_numpy()
    beat = (rows["beat_close"] == "beat").to_numpy(dtype=float)
    lost = (rows["beat_close"] == "lost").to_numpy(dtype=float)
    moved = rows["close_line"] != rows["line_points"]
    same = rows.loc[~moved]
    low, high = wilson(int(beat.sum()), n)
    points_ci = bootstrap_ratio(rows["clv_points"].to_numpy(dtype=float), np.ones(n), clusters)
    prob_ci = bootstrap_ratio(
        same["clv_prob"].to_numpy(dtype=float) * 100,
        np.ones(len(same)),
        same["game_date"].astype(str).to_numpy(),
    )
    return {
        "bets_with_close": n,
        "beat_close_pct": _pct(int(beat.sum()), n),
        "beat_close_ci95_pct": [_round(low * 100, 1), _round(high * 100, 1)],
        "lost_to_close_pct": _pct(int(lost.sum()), n),
        "unchanged_pct": _pct(n - int(beat.sum()) - int(lost.sum()), n),
        "line_moved_pct": _pct(int(moved.sum()), n),
        "mean_clv_points": _round(float(rows["clv_points"].mean()), 3),
        "mean_clv_points_ci95": [_round(v, 3) for v in points_ci],
        "same_line_bets": int(len(same)),
        "mean_clv_prob_pct": _round(float(same["clv_prob"].mean()) * 100, 2) if len(same) else float("nan"),
        "mean_clv_prob_ci95_pct": [_round(v, 2) for v in prob_ci],
        "close_minutes_before_tipoff_median": _round(float(rows["close_minutes_before_tipoff"].median()), 0),
        "line_minutes_before_tipoff_median": _round(
            float(rows["vegas_line_minutes_before_tipoff"].median()), 0
        ),
    }


def summarise(result: pd.DataFrame) -> dict:
    """Coverage; MAE against the line's; p_over against the market (Brier, log loss, reliability); the EV bets
    at the actual prices (hit rate, ROI, by EV bucket, OVER/UNDER); the edge rule for comparison, on the
    prediction and on the points model alone; CLV."""
    played = result.loc[~result["is_dnp"].fillna(False).astype(bool) & result["actual_points"].notna()]
    predicted = played.loc[played["predicted_points"].notna()]
    lined = graded_frame(result)
    actual = lined["actual_points"]
    summary: dict = {
        "player_games_played": int(len(played)),
        "predicted": int(len(predicted)),
        "coverage_pct": _pct(len(predicted), len(played)),
        "played_with_line": int(played["line_points"].notna().sum()),
        "predicted_with_line": int(len(lined)),
        "coverage_with_line_pct": _pct(len(lined), int(played["line_points"].notna().sum())),
        "mae_all": _round((predicted["predicted_points"] - predicted["actual_points"]).abs().mean()),
        "mae_with_line": _round((lined["predicted_points"] - actual).abs().mean()),
        "line_mae": _round((lined["line_points"] - actual).abs().mean()),
        "points_model_mae_with_line": _round((lined["points_model_points"] - actual).abs().mean()),
        "weeks": int(result["week_start"].nunique()),
        "gate_skips": result.loc[result["gate_reason"].notna(), "gate_reason"]
        .str.replace(r"_[0-9.]+$", "_<n>", regex=True)
        .value_counts()
        .head(6)
        .to_dict(),
    }
    if "close_line" in lined.columns:
        closed = lined.loc[lined["close_line"].notna()]
        summary["closing_line_mae"] = _round((closed["close_line"] - closed["actual_points"]).abs().mean())
        summary["rows_with_close"] = int(len(closed))
    summary["probability"] = probability_block(lined)
    bets = _graded_bets(lined, lined["recommendation"])
    summary["ev_bets"] = _with_split(bets)
    summary["ev_bets"]["min_ev"] = float(result["min_ev"].iloc[0]) if len(result) else float("nan")
    summary["ev_bets"]["probability"] = probability_block(lined.loc[bets.index])
    shopped = lined.assign(over_price=lined["best_over_price"], under_price=lined["best_under_price"])
    summary["ev_bets_at_best_price"] = _with_split(
        _graded_bets(shopped, shopped["best_price_recommendation"])
    )
    lean = lined.assign(
        lean=np.where(lined["ev_over"].fillna(-np.inf) >= lined["ev_under"].fillna(-np.inf), "OVER", "UNDER")
    )
    every_lean = _graded_bets(lean, lean["lean"])
    summary["by_ev"] = []
    for low, high in zip(EV_BUCKETS[:-1], EV_BUCKETS[1:], strict=True):
        sel = every_lean.loc[(every_lean["expected_value"] >= low) & (every_lean["expected_value"] < high)]
        summary["by_ev"].append({"ev_from": low, "ev_to": high, **_with_split(sel)})
    summary["by_edge"] = []
    edge_bets = _graded_bets(lined, lined["edge_recommendation"])
    for threshold in EDGE_BUCKETS:
        sel = edge_bets.loc[edge_bets["edge"].abs() >= threshold]
        summary["by_edge"].append({"min_edge": threshold, **_with_split(sel)})
    summary["by_points_model_edge"] = []
    points_bets = _graded_bets(
        lined.assign(edge=lined["points_model_edge"]), lined["points_model_edge_recommendation"]
    )
    for threshold in EDGE_BUCKETS:
        sel = points_bets.loc[points_bets["edge"].abs() >= threshold]
        summary["by_points_model_edge"].append({"min_edge": threshold, **_with_split(sel)})
    if "beat_close" in lined.columns:
        summary["clv"] = {
            "ev_bets": clv_block(lined.loc[bets.index]),
            "every_lean": clv_block(lined.loc[every_lean.index]),
        }
    return summary


def _pct(a: int, b: int) -> float:
    return round(100.0 * a / b, 1) if b else float("nan")


def _round(value: float, digits: int = 3) -> float:
    return round(float(value), digits) if value == value else float("nan")
