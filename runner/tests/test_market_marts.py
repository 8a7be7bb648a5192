"""The market marts on the built sample: ml_market_features carries exactly the store's line (one rule, two
models), is point in time like the store (built as of a time it equals the ml_market_states state at that
time, and erasing the future moves nothing), and prediction_closing_lines is each book's last quote before
tip-off."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import run_dbt
from nba_props.predictions import market
from test_point_in_time import _erase_the_future

pytestmark = pytest.mark.slow

SAME_LINE = [
    ("vegas_points_line", "line_points"),
    ("vegas_opening_line", "opening_line"),
    ("vegas_line_move", "line_move"),
    ("vegas_line_book", "line_book"),
    ("vegas_line_source", "line_source"),
    ("vegas_line_snapshot_at", "line_snapshot_at"),
    ("vegas_line_minutes_before_tipoff", "line_minutes_before_tipoff"),
]


def _mismatches(con: duckdb.DuckDBPyConnection, where: str = "true") -> tuple[int, int]:
    differs = " or ".join(f"s.{a} is distinct from m.{b}" for a, b in SAME_LINE)
    return con.execute(
        f"""select count(*), count(*) filter (where {differs})
        from features.ml_feature_store_v2 as s
        left join features.ml_market_features as m using (player_lookup, game_date)
        where {where}"""
    ).fetchone()


# A real day of the sample with hourly Rotowire snapshots from 09:09 UTC; about 12 more players' lines appear
# after 16:00 UTC (test_replay.py replays it).
LINED_DAY = dt.date(2024, 2, 27)
AS_OF = dt.datetime(2024, 2, 27, 16, 30)


@pytest.fixture(scope="module")
def lined_day(sample_warehouse: Path) -> dt.date:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        lined = con.execute(
            "select count(*) from features.ml_market_features "
            "where game_date = ? and line_points is not null",
            [LINED_DAY],
        ).fetchone()[0]
    assert lined > 20, f"the sample has few lines on {LINED_DAY}"
    return LINED_DAY


def test_market_features_carry_the_line_of_the_store(sample_warehouse: Path):
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        rows, differing = _mismatches(con)
        lined = con.execute("select count(*) from features.ml_market_features where line_points is not null")
        assert rows > 0 and differing == 0 and lined.fetchone()[0] > 100
        # prices of that very quote, and the close is the last quote of its book before tip-off
        bad = con.execute(
            """select count(*) from features.ml_market_features as m
            left join intermediate.int_prop_lines_resolved as q
                on q.player_lookup = m.player_lookup and q.game_id = m.game_id and q.book = m.line_book
                and q.line_source = m.line_source and q.snapshot_at = m.line_snapshot_at
            where m.line_points is not null and (
                q.over_price is distinct from m.over_price or q.under_price is distinct from m.under_price
                or q.points_line is distinct from m.line_points
            )"""
        ).fetchone()[0]
        assert bad == 0
        later = con.execute(
            """select count(*) from predictions.prediction_closing_lines as c
            join intermediate.int_prop_lines_resolved as q using (player_lookup, game_id, line_source, book)
            where q.is_line_usable and q.snapshot_at < q.tipoff_at and q.snapshot_at > c.close_snapshot_at"""
        ).fetchone()[0]
        assert later == 0


def test_market_features_as_of_a_time_are_the_market_state_at_that_time(
    sample_warehouse: Path, sample_copy: Path, lined_day: dt.date
):
    as_of = AS_OF  # 11:30 US Eastern: some lines posted, not all
    run_dbt(
        [
            "run",
            "--select",
            "+ml_feature_store_v2",
            "+ml_market_features",
            "--vars",
            f"{{start_date: '{lined_day}', end_date: '{lined_day}', as_of: '{as_of:%Y-%m-%dT%H:%M:%SZ}'}}",
        ],
        sample_copy,
    )
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        rows, differing = _mismatches(con, f"s.game_date = '{lined_day}'")
        assert rows > 0 and differing == 0
        built = market.features(con, start=lined_day, end=lined_day)
        states = market.states(con, start=lined_day, end=lined_day)
        store = con.execute(
            "select player_lookup, game_id from features.ml_feature_store_v2 where game_date = ?", [lined_day]
        ).df()
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        closing = market.features(con, start=lined_day, end=lined_day)
    keys = store.assign(cutoff=pd.Timestamp(as_of))
    picked = market.state_at(states, keys)
    picked[["player_lookup", "game_id"]] = keys[["player_lookup", "game_id"]]
    merged = picked.merge(built, on="player_lookup", suffixes=("_at", "_built"))
    for column in (
        "line_points",
        "line_book",
        "over_price",
        "under_price",
        "consensus_line",
        "books_quoting",
    ):
        a, b = merged[f"market_{column}_at"], merged[f"market_{column}_built"]
        assert ((a == b) | (a.isna() & b.isna())).all(), column
    seen = pd.to_datetime(built["market_state_at"]).dropna()
    assert len(seen) and (seen <= pd.Timestamp(as_of)).all()
    # later in the day more players have a line than at noon
    assert closing["market_line_points"].notna().sum() > built["market_line_points"].notna().sum()


def test_market_features_of_a_date_ignore_everything_from_that_date_on(
    sample_warehouse: Path, sample_copy: Path, lined_day: dt.date
):
    def rows(path: Path) -> pd.DataFrame:
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(
                "select * from features.ml_market_features where game_date = ? order by player_lookup",
                [lined_day],
            ).df()

    expected = rows(sample_warehouse)
    assert expected["line_points"].notna().any() and expected["prior_lined_games"].gt(0).any()
    touched = _erase_the_future(sample_copy, lined_day)
    assert sum(touched.values()) > 1000, touched
    run_dbt(
        [
            "run",
            "--select",
            "+ml_market_features",
            "--vars",
            f"{{start_date: '{lined_day}', end_date: '{lined_day}'}}",
        ],
        sample_copy,
    )
    pd.testing.assert_frame_equal(rows(sample_copy), expected)
