"""Walk-forward evaluation: no peeking (a leakage check on the points, the market models and the calibration),
the market as of the decision time, and the summary's rules: grading, prices, EV decisions, CLV."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import predictions_synth as synth
import pytest
from nba_props.predictions import engine, evaluation, market

START, END = dt.date(2024, 1, 22), dt.date(2024, 2, 4)  # two weekly retrains
STATE_COLUMNS = ["player_lookup", "game_id", "game_date", "tipoff_at", *market.STATE_COLUMNS]


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, labels = synth.frames(days=35, players=60)
    _, states, _ = synth.market_frames(rows)
    return synth.labelled(rows, labels), states[STATE_COLUMNS]


@pytest.fixture(scope="module")
def labelled(frames) -> pd.DataFrame:
    return frames[0]


@pytest.fixture(scope="module")
def walked(frames) -> pd.DataFrame:
    """The walk-forward over FRAMES with the market states, priced at the close, once for the module."""
    return walk(*frames)


def walk(frame: pd.DataFrame, states: pd.DataFrame | None = None, decision: dt.time | None = None):
    c = synth.contract()
    return evaluation.walk_forward(
        frame,
        c.feature_names,
        START,
        END,
        c.version,
        c.contract_hash,
        mode="last_call",
        market_states=states,
        decision_time=decision,
    )


def week_predictions(
    result: pd.DataFrame, week_start: dt.date, column: str = "predicted_points"
) -> pd.Series:
    week = result[result["week_start"] == week_start].sort_values(["game_date", "player_lookup"])
    return week.set_index(["game_date", "player_lookup"])[column]


def shuffled(frame: pd.DataFrame, mask: pd.Series, seed: int = 3) -> pd.DataFrame:
    out = frame.copy()
    values = out.loc[mask, "actual_points"].to_numpy()
    out.loc[mask, "actual_points"] = np.random.default_rng(seed).permutation(values)
    return out


def test_shuffling_future_labels_changes_neither_predictions_nor_probabilities_of_the_week(frames, walked):
    labelled, states = frames
    base = walked
    # the market models and their calibration were fitted for the week: the check covers them
    assert base["market_rounds"].iloc[0] != "0/0"
    future = labelled["game_date"] >= START  # this week's own labels and every later week's
    leak_probe = walk(shuffled(labelled, future), states)
    for column in ("predicted_points", "p_over", "expected_value", "recommendation"):
        pd.testing.assert_series_equal(
            week_predictions(base, START, column), week_predictions(leak_probe, START, column)
        )
    # The check is sensitive: shuffling labels the model may use (before the week) does change both.
    past = labelled["game_date"] < START
    moved = walk(shuffled(labelled, past), states)
    for column in ("predicted_points", "p_over"):
        assert not week_predictions(base, START, column).equals(week_predictions(moved, START, column))


def test_every_week_is_trained_only_on_earlier_rows(labelled):
    result = walk(labelled)
    assert sorted(result["week_start"].unique()) == [START, START + dt.timedelta(days=7)]
    dates = pd.to_datetime(labelled["game_date"]).dt.date
    for week_start, rows in result.groupby("week_start"):
        eligible = labelled[(dates < week_start) & labelled["actual_points"].notna()]
        assert rows["train_rows"].iloc[0] == len(eligible)


def test_the_week_is_priced_at_the_decision_time_and_graded_against_the_close(frames, walked):
    labelled, states = frames
    # synthetic market: a morning state one point under the line from 14:00 UTC, the store's line at 15:00
    morning = walk(labelled, states, dt.time(9, 30))  # 14:30 UTC in January
    closing = walked
    lined = morning["market_line_points"].notna()
    assert lined.any()
    assert (morning.loc[lined, "line_points"] == closing.loc[lined, "line_points"] - 1).all()
    assert (closing["line_points"].fillna(-1) == closing["vegas_points_line"].fillna(-1)).all()
    early = walk(labelled, states, dt.time(8, 0))  # 13:00 UTC: before any quote, so no line to bet
    assert early["line_points"].isna().all() and set(early["recommendation"].dropna()) == {"NO_LINE"}
    _, _, closes = synth.market_frames(
        labelled.drop(columns=[c for c in labelled if c.startswith("market_")])
    )
    valued = evaluation.with_closing_lines(morning, closes)
    bet = valued.loc[lined & valued["clv_side"].notna()]
    expected = np.where(bet["clv_side"] == "OVER", 1.0, -1.0)
    assert np.array_equal(bet["clv_points"].to_numpy(), expected)
    assert set(bet["beat_close"]) <= {"beat", "lost"} and bet["clv_prob"].isna().all()


def test_decide_bets_the_side_with_the_larger_expected_value_at_its_price():
    p = np.array([0.60, 0.40, 0.52, 0.50, np.nan, 0.55])
    over = np.array([-110, -110, -110, 150, -110, np.nan])
    under = np.array([-110, -110, -110, -200, -110, np.nan])
    has_line = np.array([True, True, True, True, True, False])
    d = engine.decide(p, over, under, has_line, min_ev=0.03)
    assert list(d.recommendation) == ["OVER", "UNDER", "PASS", "OVER", "PASS", "NO_LINE"]
    assert d.ev_over[0] == pytest.approx(0.6 * (1 + 100 / 110) - 1)
    assert d.expected_value[3] == pytest.approx(0.5 * 2.5 - 1)
    assert d.expected_value[2] == pytest.approx(0.52 * (1 + 100 / 110) - 1)  # PASS keeps its better side's EV
    assert list(engine.decide(p, over, under, has_line, min_ev=0.5).recommendation)[:4] == ["PASS"] * 4


def test_prices_no_vig_and_decimal_odds():
    assert market.decimal_odds(np.array([150, -150, 50, np.nan])) == pytest.approx(
        [2.5, 1 + 100 / 150, np.nan, np.nan], nan_ok=True
    )
    assert market.no_vig_over(np.array([-110]), np.array([-110]))[0] == pytest.approx(0.5)
    assert market.no_vig_over(np.array([100]), np.array([-120]))[0] == pytest.approx(0.5 / (0.5 + 120 / 220))


def test_wilson_interval():
    low, high = evaluation.wilson(50, 100)
    assert round(low, 4) == 0.4038 and round(high, 4) == 0.5962
    assert all(np.isnan(evaluation.wilson(0, 0)))


def test_bootstrap_interval_is_reproducible_and_resamples_whole_dates():
    rng = np.random.default_rng(1)
    values, dates = rng.normal(0.1, 1, 500), np.repeat(np.arange(50), 10)
    a = evaluation.bootstrap_ratio(values, np.ones(500), dates)
    assert a == evaluation.bootstrap_ratio(values, np.ones(500), dates)
    assert a[0] < values.mean() < a[1]
    # one date with every value, or too few values: no interval
    assert all(np.isnan(evaluation.bootstrap_ratio(values, np.ones(500), np.zeros(500))))
    assert all(np.isnan(evaluation.bootstrap_ratio(values[:20], np.ones(20), np.arange(20))))


def graded_rows() -> pd.DataFrame:
    rows = pd.DataFrame(
        [
            # predicted, line, actual, dnp, p_over, market, over, under
            (25.0, 20.5, 30.0, False, 0.60, 0.50, -110, -110),  # OVER by EV, edge 4.5: won at -110
            (15.0, 20.5, 25.0, False, 0.40, 0.50, 120, -130),  # UNDER by EV (-130), edge -5.5: lost
            (20.8, 20.5, 10.0, False, 0.51, 0.50, -110, -110),  # PASS (EV < min), edge 0.3
            (22.0, 21.0, 21.0, False, 0.60, 0.50, -110, -110),  # a push: not graded
            (30.0, 20.5, None, True, 0.60, 0.50, -110, -110),  # DNP: void
            (12.0, None, 8.0, False, np.nan, np.nan, np.nan, np.nan),  # NO_LINE
            (np.nan, 20.5, 8.0, False, np.nan, np.nan, -110, -110),  # gated out: not predicted
        ],
        columns=[
            "predicted_points",
            "vegas_points_line",
            "actual_points",
            "is_dnp",
            "p_over",
            "market_p_over",
            "market_over_price",
            "market_under_price",
        ],
    )
    rows["points_model_points"] = rows["predicted_points"]
    # another book quotes the same line; on the third row its over pays +105, which makes the over a bet
    rows["market_best_over_price"] = rows["market_over_price"].where(rows.index != 2, 105)
    rows["market_best_under_price"] = rows["market_under_price"]
    rows["game_date"] = [dt.date(2024, 1, 22 + i % 3) for i in range(len(rows))]
    rows["week_start"], rows["gate_reason"] = START, [None] * 6 + ["hard_floor_red_alert"]
    return evaluation.price(rows, min_ev=0.03)


def test_summary_bets_by_expected_value_at_actual_prices_and_keeps_the_edge_rule_as_a_comparison():
    s = evaluation.summarise(graded_rows())
    assert s["player_games_played"] == 6 and s["predicted"] == 5 and s["coverage_pct"] == 83.3
    bets = s["ev_bets"]
    assert (bets["bets"], bets["hits"], bets["over"]["bets"], bets["under"]["bets"]) == (2, 1, 1, 1)
    assert bets["units"] == pytest.approx(100 / 110 - 1, abs=0.01)
    assert bets["roi_pct"] == pytest.approx((100 / 110 - 1) / 2 * 100, abs=0.01)
    shopped = s["ev_bets_at_best_price"]
    assert (shopped["bets"], shopped["hits"], shopped["over"]["bets"]) == (3, 1, 2)
    by_edge = {b["min_edge"]: b for b in s["by_edge"]}
    assert (by_edge[1.0]["bets"], by_edge[1.0]["hits"]) == (2, 1)  # the push at edge 1 is not graded
    assert (by_edge[5.0]["bets"], by_edge[5.0]["under"]["bets"]) == (1, 1)
    # the points model's own predictions are the same numbers here, so its edge rule bets the same rows
    assert [b["bets"] for b in s["by_points_model_edge"]] == [b["bets"] for b in s["by_edge"]]
    assert sum(b["bets"] for b in s["by_ev"]) == 3  # every priced, graded line's better side
    assert s["line_mae"] == pytest.approx(np.mean([9.5, 4.5, 10.5, 0.0]), abs=1e-3)
    p = s["probability"]
    y, p_over, m = np.array([1, 1, 0]), np.array([0.6, 0.4, 0.51]), np.array([0.5, 0.5, 0.5])
    assert p["rows"] == 3 and p["brier"] == pytest.approx(np.mean((p_over - y) ** 2), abs=1e-5)
    assert p["market_brier"] == pytest.approx(np.mean((m - y) ** 2), abs=1e-5)
    assert sum(b["rows"] for b in p["reliability"]) == 3


def test_closing_line_value_of_a_moved_line_and_of_a_price_move():
    rows = graded_rows().iloc[:2].copy()
    rows["vegas_line_source"], rows["vegas_line_book"], rows["game_id"] = (
        "rotowire",
        "draftkings",
        ["g1", "g2"],
    )
    rows["player_lookup"] = ["a", "b"]
    rows["vegas_line_minutes_before_tipoff"] = 300.0
    closes = pd.DataFrame(
        {
            "player_lookup": ["a", "b"],
            "game_id": ["g1", "g2"],
            "line_source": "rotowire",
            "book": "draftkings",
            "close_line": [21.5, 20.5],  # the over bet beat a line that rose a point
            "close_over_price": [-110, 120],  # the under's price shortened: its no-vig probability rose
            "close_under_price": [-110, -140],
            "close_minutes_before_tipoff": 120.0,
        }
    )
    valued = evaluation.with_closing_lines(rows, closes)
    assert list(valued["clv_side"]) == ["OVER", "UNDER"]
    assert valued["clv_points"].tolist() == [1.0, 0.0]
    expected = (
        market.no_vig_over(np.array([120]), np.array([-130]))[0]
        - market.no_vig_over(np.array([120]), np.array([-140]))[0]
    )
    assert np.isnan(valued["clv_prob"].iloc[0]) and valued["clv_prob"].iloc[1] == pytest.approx(expected)
    assert list(valued["beat_close"]) == ["beat", "beat"]
    block = evaluation.clv_block(valued.assign(game_date=["2024-01-22", "2024-01-23"]))
    assert (
        block["beat_close_pct"] == 100.0 and block["mean_clv_points"] == 0.5 and block["same_line_bets"] == 1
    )
