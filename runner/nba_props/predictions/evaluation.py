"""Walk-forward evaluation: for each week, train on every row dated before the week, predict the week's
rows (features as of before tip-off: the store's historical rows use the latest pre-tip-off line), grade
against the line the features used. Nothing from the week or later reaches the model.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nba_props.errors import NbaPropsError
from nba_props.predictions import gate
from nba_props.predictions import model as models
from nba_props.predictions.engine import recommend

EDGE_BUCKETS = (1.0, 3.0, 5.0)
BREAK_EVEN = 110 / 210  # -110 on both sides: 52.38%


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


def walk_forward(
    rows: pd.DataFrame,
    feature_names: Sequence[str],
    start: dt.date,
    end: dt.date,
    contract_version: str,
    contract_hash: str,
    mode: str = "last_call",
    min_rows: int = models.MIN_TRAIN_ROWS,
    on_week=None,  # noqa: ANN001 - progress callback(week, n_predicted)
) -> pd.DataFrame:
    """`rows` = feature rows with labels (actual_points, is_dnp). Returns one row per gated player-game in
    [start, end] with the prediction (NaN when the gate blocked it) and the gate reason."""
    gate.threshold_for(mode)
    dates = pd.to_datetime(rows["game_date"]).dt.date
    out: list[pd.DataFrame] = []
    for week in weeks(start, end):
        history = rows.loc[dates < week.start]
        target = rows.loc[(dates >= week.start) & (dates <= week.end)].copy()
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
        target["predicted_points"] = np.nan
        if passed.any():
            target.loc[passed, "predicted_points"] = trained.predict(target_features.loc[passed])
        target["week_start"] = week.start
        target["train_rows"] = trained.metadata["rows"] if trained else 0
        out.append(target)
        if on_week is not None:
            on_week(week, int(passed.sum()))
    if not out:
        raise NbaPropsError(f"no feature rows between {start} and {end}")
    result = pd.concat(out, ignore_index=True)
    lines = pd.to_numeric(result["vegas_points_line"], errors="coerce")
    recs = [
        recommend(p, None if math.isnan(line) else line) if not math.isnan(p) else (None, None)
        for p, line in zip(result["predicted_points"], lines, strict=True)
    ]
    result["line_points"] = lines
    result["recommendation"] = [r[0] for r in recs]
    result["edge"] = [r[1] for r in recs]
    return result


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (float("nan"), float("nan"))
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half, centre + half)


def summarise(result: pd.DataFrame) -> dict:
    """MAE vs the line's MAE, hit rates by edge with Wilson 95% intervals, and coverage."""
    played = result.loc[~result["is_dnp"].fillna(False).astype(bool) & result["actual_points"].notna()]
    predicted = played.loc[played["predicted_points"].notna()]
    with_line = predicted.loc[predicted["line_points"].notna()]
    actual = with_line["actual_points"]
    summary: dict = {
        "player_games_played": int(len(played)),
        "predicted": int(len(predicted)),
        "coverage_pct": _pct(len(predicted), len(played)),
        "played_with_line": int(played["line_points"].notna().sum()),
        "predicted_with_line": int(len(with_line)),
        "coverage_with_line_pct": _pct(len(with_line), int(played["line_points"].notna().sum())),
        "mae_all": _round((predicted["predicted_points"] - predicted["actual_points"]).abs().mean()),
        "mae_with_line": _round((with_line["predicted_points"] - actual).abs().mean()),
        "line_mae": _round((with_line["line_points"] - actual).abs().mean()),
        "weeks": int(result["week_start"].nunique()),
        "gate_skips": result.loc[result["gate_reason"].notna(), "gate_reason"]
        .str.replace(r"_[0-9.]+$", "_<n>", regex=True)
        .value_counts()
        .head(6)
        .to_dict(),
        "by_edge": [],
    }
    graded = with_line.loc[with_line["recommendation"].isin(["OVER", "UNDER"])]
    graded = graded.loc[graded["actual_points"] != graded["line_points"]]  # pushes are not graded
    correct = (graded["actual_points"] > graded["line_points"]) == (graded["recommendation"] == "OVER")
    for threshold in EDGE_BUCKETS:
        sel = graded["edge"].abs() >= threshold
        n, hits = int(sel.sum()), int(correct[sel].sum())
        low, high = wilson(hits, n)
        summary["by_edge"].append(
            {
                "min_edge": threshold,
                "bets": n,
                "hits": hits,
                "hit_rate_pct": _pct(hits, n),
                "ci95_low_pct": _round(low * 100, 1),
                "ci95_high_pct": _round(high * 100, 1),
                "over": int((graded.loc[sel, "recommendation"] == "OVER").sum()),
            }
        )
    return summary


def _pct(a: int, b: int) -> float:
    return round(100.0 * a / b, 1) if b else float("nan")


def _round(value: float, digits: int = 3) -> float:
    return round(float(value), digits) if value == value else float("nan")
