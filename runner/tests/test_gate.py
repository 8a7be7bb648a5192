"""The quality gate: one test per rule, including the zero-count case the reference system got wrong."""

from __future__ import annotations

import math

import pytest
from nba_props.errors import NbaPropsError
from nba_props.predictions import gate


def row(**overrides):
    base = {
        "quality_alert_level": "green",
        "matchup_quality_pct": 100.0,
        "required_default_count": 0,
        "default_feature_count": 0,
        "feature_quality_score": 95.0,
    }
    base.update(overrides)
    return base


def test_clean_row_passes_every_mode():
    for mode in gate.MODES:
        assert gate.check(row(), mode) == gate.GateDecision(True, None, False)


def test_red_alert_is_a_hard_floor_in_every_mode():
    for mode in gate.MODES:
        decision = gate.check(row(quality_alert_level="red"), mode)
        assert (decision.passed, decision.reason) == (False, "hard_floor_red_alert")


def test_matchup_below_50_is_a_hard_floor_even_with_a_high_score():
    decision = gate.check(row(matchup_quality_pct=49.9, feature_quality_score=99.0), "last_call")
    assert (decision.passed, decision.reason) == (False, "hard_floor_matchup_49.9")
    assert gate.check(row(matchup_quality_pct=50.0), "last_call").passed


def test_missing_matchup_blocks_instead_of_passing():
    assert gate.check(row(matchup_quality_pct=None), "backfill").reason == "hard_floor_matchup_missing"
    assert gate.check(row(matchup_quality_pct=math.nan), "backfill").reason == "hard_floor_matchup_missing"


def test_any_required_default_blocks_in_every_mode():
    for mode in gate.MODES:
        decision = gate.check(row(required_default_count=1, default_feature_count=1), mode)
        assert (decision.passed, decision.reason) == (False, "zero_tolerance_required_defaults_1")


def test_zero_required_defaults_passes_even_when_the_vegas_defaults_make_the_total_three():
    # Reference bug 22: `required or total` read 0 as missing and blocked every player without a line.
    decision = gate.check(
        row(required_default_count=0, default_feature_count=3, feature_quality_score=90.0), "first"
    )
    assert decision.passed


def test_missing_required_count_blocks_and_never_falls_back_to_the_total():
    for missing in (None, math.nan):
        decision = gate.check(row(required_default_count=missing, default_feature_count=0), "last_call")
        assert (decision.passed, decision.reason) == (False, "required_default_count_missing")


@pytest.mark.parametrize(
    ("mode", "threshold"),
    [
        ("first", 85),
        ("retry", 85),
        ("final_retry", 80),
        ("last_call", 70),
        ("backfill", 70),
        ("line_check", 85),
    ],
)
def test_score_threshold_by_mode(mode, threshold):
    assert gate.check(row(feature_quality_score=threshold), mode).passed
    below = gate.check(row(feature_quality_score=threshold - 0.01), mode)
    assert (below.passed, below.reason) == (False, f"quality_below_threshold_{threshold}")


def test_low_quality_flag_marks_rows_passed_below_85():
    assert gate.check(row(feature_quality_score=72.0), "last_call").low_quality
    assert not gate.check(row(feature_quality_score=85.0), "last_call").low_quality


def test_missing_score_blocks():
    assert gate.check(row(feature_quality_score=None), "last_call").reason == "quality_score_missing"


def test_missing_alert_level_blocks():
    assert gate.check(row(quality_alert_level=None), "last_call").reason == "hard_floor_alert_level_missing"


@pytest.mark.parametrize("mode", ["pre_game", "RETRY", "", "overnight"])
def test_unknown_mode_is_an_error_not_a_default(mode):
    with pytest.raises(NbaPropsError, match="unknown mode"):
        gate.check(row(), mode)
