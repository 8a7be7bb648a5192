"""The quality gate: which feature rows may be predicted in a run mode, and why the others may not.

Lessons from the reference system (§7.3, §10.4): the zero-tolerance rule reads `required_default_count` and
nothing else (0 is a real count, not "missing, use the total"); a missing count blocks instead of falling
through; an unknown mode is an error instead of quietly becoming RETRY.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nba_props.errors import NbaPropsError

# Minimum feature_quality_score per run mode (the reference schedule: 8 AM first, hourly retries, 1 PM final
# retry, 4 PM last call, next-day backfill, hourly line checks).
MODE_THRESHOLDS: dict[str, float] = {
    "first": 85.0,
    "retry": 85.0,
    "final_retry": 80.0,
    "last_call": 70.0,
    "backfill": 70.0,
    "line_check": 85.0,
}
MODES = tuple(MODE_THRESHOLDS)
MATCHUP_FLOOR = 50.0
LOW_QUALITY_BELOW = 85.0


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    reason: str | None  # set iff not passed
    low_quality: bool = False  # passed below the first-run threshold


def threshold_for(mode: str) -> float:
    try:
        return MODE_THRESHOLDS[mode]
    except KeyError:
        raise NbaPropsError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}") from None


def _number(value: Any) -> float | None:
    """A real number, or None for NULL / NaN (pandas turns SQL NULL into NaN, which is not None)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def check(row: Mapping[str, Any], mode: str) -> GateDecision:
    """Gate one feature-store row. Hard floors apply in every mode; the score threshold depends on it."""
    threshold = threshold_for(mode)
    alert = row.get("quality_alert_level")
    if isinstance(alert, str) and alert.strip().lower() == "red":
        return GateDecision(False, "hard_floor_red_alert")
    if alert is None or (isinstance(alert, float) and math.isnan(alert)):
        return GateDecision(False, "hard_floor_alert_level_missing")

    matchup = _number(row.get("matchup_quality_pct"))
    if matchup is None:
        return GateDecision(False, "hard_floor_matchup_missing")
    if matchup < MATCHUP_FLOOR:
        return GateDecision(False, f"hard_floor_matchup_{matchup:g}")

    required = _number(row.get("required_default_count"))
    if required is None:
        # Never fall back to default_feature_count: that total includes the optional vegas features.
        return GateDecision(False, "required_default_count_missing")
    if required > 0:
        return GateDecision(False, f"zero_tolerance_required_defaults_{int(required)}")

    score = _number(row.get("feature_quality_score"))
    if score is None:
        return GateDecision(False, "quality_score_missing")
    if score < threshold:
        return GateDecision(False, f"quality_below_threshold_{threshold:g}")
    return GateDecision(True, None, low_quality=score < LOW_QUALITY_BELOW)
