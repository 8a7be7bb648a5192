"""Replay a real 2024 day from the bundled sample at several as-of times across the hourly Rotowire
snapshots: predictions appear in the morning, lines arrive and move during the day, check-lines supersedes
the stale predictions, and prediction_accuracy grades the standing ones at their recorded prices against the
close. Asserts the whole history. Every priced line is bet (--min-ev -1), so grading has bets to settle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from conftest import run_cli, run_dbt

DAY = "2024-02-27"  # 11 Rotowire snapshots 09:09..19:08 UTC; lines of ~12 more players appear after 16:00
TIMES = ["2024-02-27T10:00:00Z", "2024-02-27T16:30:00Z", "2024-02-27T19:30:00Z"]
BET_EVERYTHING = ["--min-ev", "-1"]

pytestmark = pytest.mark.slow


def rows(wh: Path) -> list[dict]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        cur = con.execute("select * from runner.predictions order by predicted_at, player_lookup")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=None)


def test_replay_of_a_real_day(sample_copy: Path, tmp_path: Path):
    env = {"NBA_PROPS_MODELS_DIR": str(tmp_path / "models")}
    run_cli(["train", "--through-date", DAY, "--name", "replay"], sample_copy, check=True, **env)

    morning = run_cli(
        ["predict", "--date", DAY, "--as-of", TIMES[0], "--mode", "first", *BET_EVERYTHING],
        sample_copy,
        check=True,
        **env,
    )
    first = rows(sample_copy)
    assert first, morning.stdout
    assert all(r["is_active"] and r["as_of"] == ts(TIMES[0]) for r in first)
    lined = [r for r in first if r["has_line"]]
    assert lined, "the morning snapshots carry lines for some players"
    for r in lined:  # the line the features used was known at the as-of time and before tip-off
        assert r["line_snapshot_at"] <= ts(TIMES[0]) and r["line_minutes_before_tipoff"] >= 0
        assert r["line_book"] and r["recommendation"] in {"OVER", "UNDER"}
    # the prices recorded are that quote's, and p_over is there for every line
    con = duckdb.connect(str(sample_copy), read_only=True)
    for r in lined:
        quote = con.execute(
            "select over_price, under_price from intermediate.int_prop_lines_resolved "
            "where player_lookup = ? and game_id = ? and line_source = ? and book = ? and snapshot_at = ?",
            [r["player_lookup"], r["game_id"], r["line_source"], r["line_book"], r["line_snapshot_at"]],
        ).fetchone()
        assert quote == (r["over_price"], r["under_price"]) and 0 < r["p_over"] < 1
    con.close()

    for when in TIMES[1:]:
        run_cli(
            ["check-lines", "--date", DAY, "--as-of", when, *BET_EVERYTHING], sample_copy, check=True, **env
        )
    history = rows(sample_copy)
    by_id = {r["prediction_id"]: r for r in history}
    superseded = [r for r in history if not r["is_active"]]
    assert superseded, "lines arrived or moved during the day: some predictions must be superseded"
    # Nothing deleted: every morning row is still there, each superseding row adds one.
    assert {r["prediction_id"] for r in first} <= set(by_id)
    assert len(history) == len(first) + len(superseded)
    for old in superseded:
        new = by_id[old["superseded_by"]]
        assert new["supersedes"] == old["prediction_id"] and new["mode"] == "line_check"
        assert (new["player_lookup"], new["game_id"], new["model_name"]) == (
            old["player_lookup"],
            old["game_id"],
            old["model_name"],
        )
        assert old["superseded_at"] is not None and new["has_line"]
        assert new["line_snapshot_at"] <= new["as_of"] and new["as_of"] > old["as_of"]
        if old["superseded_reason"] == "line_appeared":
            assert not old["has_line"]
        else:
            assert old["superseded_reason"].startswith("line_moved_")
            assert abs(new["line_points"] - old["line_points"]) >= 1
    active = [(r["player_lookup"], r["game_id"], r["model_name"]) for r in history if r["is_active"]]
    assert len(active) == len(set(active)) == len(first)

    # A repeated predict with the evening lines changes nothing for players whose line stood still.
    run_cli(
        ["predict", "--date", DAY, "--as-of", TIMES[-1], "--mode", "retry", "--no-build", *BET_EVERYTHING],
        sample_copy,
        check=True,
        **env,
    )
    again = rows(sample_copy)
    assert {r["prediction_id"] for r in history} <= {r["prediction_id"] for r in again}
    assert not [
        r
        for r in again
        if r["prediction_id"] in by_id
        and r["is_active"] != by_id[r["prediction_id"]]["is_active"]
        and r["superseded_reason"] is None
    ]

    run_dbt(["build", "--select", "prediction_accuracy"], sample_copy)
    con = duckdb.connect(str(sample_copy), read_only=True)
    grades = dict(
        con.execute(
            "select grade_status, count(*) from predictions.prediction_accuracy group by 1"
        ).fetchall()
    )
    graded = con.execute(
        "select profit_units, bet_decimal_odds, prediction_correct, beat_close, clv_points, "
        "close_snapshot_at, line_snapshot_at from predictions.prediction_accuracy "
        "where grade_status = 'graded'"
    ).fetchall()
    con.close()
    assert sum(grades.values()) == len([r for r in again if r["is_active"]])
    assert grades.get("graded", 0) > 0 and "pending" not in grades
    for units, odds, correct, beat, clv, closed_at, quoted_at in graded:
        assert units == (odds - 1 if correct else -1)
        # the close is the same book's last quote before tip-off: never earlier than the quote bet on
        assert beat in {"beat", "lost", "same"} and clv is not None and closed_at >= quoted_at
