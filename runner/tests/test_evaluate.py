"""Walk-forward evaluation: no peeking (a leakage check), and the summary's grading rules."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import predictions_synth as synth
import pytest
from nba_props.predictions import evaluation

START, END = dt.date(2024, 1, 22), dt.date(2024, 2, 4)  # two weekly retrains


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    rows, labels = synth.frames(days=35, players=30)
    return rows.merge(
        labels.rename(columns={"points": "actual_points"})[
            ["player_lookup", "game_id", "actual_points", "is_dnp"]
        ],
        on=["player_lookup", "game_id"],
        how="left",
    )


def walk(frame: pd.DataFrame) -> pd.DataFrame:
    c = synth.contract()
    return evaluation.walk_forward(
        frame, c.feature_names, START, END, c.version, c.contract_hash, mode="last_call"
    )


def week_predictions(result: pd.DataFrame, week_start: dt.date) -> pd.Series:
    week = result[result["week_start"] == week_start].sort_values(["game_date", "player_lookup"])
    return week.set_index(["game_date", "player_lookup"])["predicted_points"]


def shuffled(frame: pd.DataFrame, mask: pd.Series, seed: int = 3) -> pd.DataFrame:
    out = frame.copy()
    values = out.loc[mask, "actual_points"].to_numpy()
    out.loc[mask, "actual_points"] = np.random.default_rng(seed).permutation(values)
    return out


def test_shuffling_future_labels_does_not_change_this_weeks_predictions(labelled):
    base = walk(labelled)
    first_week = START
    future = labelled["game_date"] >= first_week  # this week's own labels and every later week's
    leak_probe = walk(shuffled(labelled, future))
    pd.testing.assert_series_equal(
        week_predictions(base, first_week), week_predictions(leak_probe, first_week)
    )
    # The check is sensitive: shuffling labels the model may use (before the week) does change them.
    past = labelled["game_date"] < first_week
    moved = walk(shuffled(labelled, past))
    assert not week_predictions(base, first_week).equals(week_predictions(moved, first_week))


def test_every_week_is_trained_only_on_earlier_rows(labelled):
    result = walk(labelled)
    assert sorted(result["week_start"].unique()) == [START, START + dt.timedelta(days=7)]
    dates = pd.to_datetime(labelled["game_date"]).dt.date
    for week_start, rows in result.groupby("week_start"):
        eligible = labelled[(dates < week_start) & labelled["actual_points"].notna()]
        assert rows["train_rows"].iloc[0] == len(eligible)


def test_wilson_interval():
    low, high = evaluation.wilson(50, 100)
    assert round(low, 4) == 0.4038 and round(high, 4) == 0.5962
    assert all(np.isnan(evaluation.wilson(0, 0)))


def test_summary_grades_only_over_under_bets_and_skips_pushes_dnp_and_missing_lines():
    rows = pd.DataFrame(
        [
            # predicted, line, actual, dnp
            (25.0, 20.5, 30.0, False),  # OVER edge 4.5, hit
            (15.0, 20.5, 25.0, False),  # UNDER edge -5.5, miss
            (22.0, 20.0, 20.0, False),  # OVER edge 2.0, push: not graded
            (20.8, 20.5, 10.0, False),  # PASS: not a bet
            (30.0, 20.5, None, True),  # DNP: void
            (12.0, None, 8.0, False),  # NO_LINE
            (np.nan, 20.5, 8.0, False),  # gated out: not predicted
        ],
        columns=["predicted_points", "line_points", "actual_points", "is_dnp"],
    )
    recs = [
        evaluation.recommend(p, None if pd.isna(line) else line) if not pd.isna(p) else (None, None)
        for p, line in zip(rows["predicted_points"], rows["line_points"], strict=True)
    ]
    rows["recommendation"], rows["edge"] = [r[0] for r in recs], [r[1] for r in recs]
    rows["week_start"], rows["gate_reason"] = START, [None] * 6 + ["hard_floor_red_alert"]
    s = evaluation.summarise(rows)
    by_edge = {b["min_edge"]: b for b in s["by_edge"]}
    assert (by_edge[1.0]["bets"], by_edge[1.0]["hits"]) == (2, 1)
    assert (by_edge[5.0]["bets"], by_edge[5.0]["hits"]) == (1, 0)
    assert s["player_games_played"] == 6 and s["predicted"] == 5 and s["coverage_pct"] == 83.3
    assert s["line_mae"] == pytest.approx(np.mean([9.5, 4.5, 0.0, 10.5]), abs=1e-3)
