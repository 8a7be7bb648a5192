"""The report's prediction section: bets at their recorded prices, p_over against the market, closing-line
value, from prediction_accuracy rows (the columns that mart gives)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from nba_props.monitoring import report


def accuracy() -> pd.DataFrame:
    rows = [
        # recommendation, status, profit, p_over sq err, market sq err, beat, clv points, clv prob
        ("OVER", "graded", 1.0, 0.16, 0.25, "beat", 1.0, None),
        ("UNDER", "graded", -1.0, 0.36, 0.25, "lost", 0.0, -0.02),
        ("UNDER", "graded", 100 / 110, 0.16, 0.25, "same", 0.0, 0.0),
        ("PASS", "ungraded_pass", None, 0.25, 0.25, None, None, None),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "recommendation",
            "grade_status",
            "profit_units",
            "p_over_squared_error",
            "market_p_over_squared_error",
            "beat_close",
            "clv_points",
            "clv_prob",
        ],
    )
    frame["model_name"] = "m"
    frame["game_date"] = [dt.date(2024, 2, 1), dt.date(2024, 2, 1), dt.date(2024, 2, 2), dt.date(2024, 2, 3)]
    frame["prediction_correct"] = [True, False, True, None]
    frame["absolute_error"], frame["line_absolute_error"] = 4.0, 5.0
    return frame


def data(acc: pd.DataFrame) -> report.ReportData:
    empty = pd.DataFrame()
    return report.ReportData(
        dt.date(2024, 2, 1), dt.date(2024, 2, 3), empty, empty, empty, empty, empty, empty, empty, empty, acc
    )


def test_market_table_settles_bets_at_their_prices_and_measures_clv():
    table = report.market_table(data(accuracy()))
    row = table.iloc[0]
    assert row["bets"] == 3 and row["OVER / UNDER"] == "1 / 2"
    assert row["ROI %"] == pytest.approx((1 - 1 + 100 / 110) / 3 * 100)
    assert row["Brier p_over"] == f"{(0.16 + 0.36 + 0.16 + 0.25) / 4:.4f}" and row["Brier market"] == "0.2500"
    assert row["beat close %"] == pytest.approx(100 / 3) and row["lost to close %"] == pytest.approx(100 / 3)
    assert row["mean CLV (points)"] == "+0.33"
    assert row["mean CLV (no-vig pp)"] == pytest.approx(-1.0)  # the two same-line bets: -2 and 0 points
    assert row["ROI 95% CI"] == ""  # three bets: too few for an interval
    many = pd.concat(
        [accuracy().assign(game_date=dt.date(2024, 2, 1) + dt.timedelta(days=i)) for i in range(15)]
    )
    assert " to " in report.market_table(data(many)).iloc[0]["ROI 95% CI"]


def test_the_page_has_the_section_only_with_market_columns():
    page = report.render_html(data(accuracy()), dt.datetime(2024, 2, 4), "nba-props report")
    assert "closing-line value" in page and "Brier p_over" in page
    old = accuracy().drop(columns=["profit_units"])
    assert report.market_table(data(old)).empty
