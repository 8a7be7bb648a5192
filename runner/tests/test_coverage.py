"""`nba-props coverage` on the built sample: every figure equals an independent SQL count over the store, the
blockers are the store's own defaults and reasons, and the options filter what they say they filter. Nothing
is hard-coded: the seasons, months, features and default sources come from the warehouse and the seeds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, run_cli

pytestmark = pytest.mark.slow


def _seed(name: str) -> list[dict[str, str]]:
    with (PROJECT_DIR / "seeds" / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


REQUIRED = [r["feature_name"] for r in _seed("feature_contract.csv") if r["is_optional"] == "false"]
SHOT_MIX = [
    r["feature_name"]
    for r in _seed("feature_contract.csv")
    if r["is_optional"] == "false" and r["feature_group"] == "shot_mix"
]
DEFAULT_SOURCES = tuple(r["source"] for r in _seed("feature_source_weights.csv") if r["is_default"] == "true")


def _coverage(path: Path, *args: str) -> dict:
    proc = run_cli(["coverage", "--json", *args], path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def _rows(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _in(values: tuple[str, ...] | list[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# The played rows of the store counted after the season's first 14 days: the season's first date is its
# first regular-season, play-in or playoff game in int_games, written here without the command's code.
COUNTED = """
    spine_reason = 'played'
    and game_date >= (
        select min(g.game_date) + 14 from intermediate.int_games as g
        where g.season = store.season and g.season_type in ('regular', 'play_in', 'playoffs')
    )"""


@pytest.fixture(scope="module")
def report(sample_warehouse: Path) -> dict:
    return _coverage(sample_warehouse)


def test_every_month_matches_an_independent_count(sample_warehouse: Path, report: dict):
    no_profile = """not exists (
        select 1 from intermediate.int_shot_zone_games as shots
        where shots.player_lookup = store.player_lookup and shots.game_date < store.game_date)"""
    shot_default = " or ".join(f"{f}_source in {_in(DEFAULT_SOURCES)}" for f in SHOT_MIX)
    expected = {
        (season, season_type, month): {
            "rows": rows,
            "played_rows": played,
            "played_ready_rows": played_ready,
            "counted_rows": counted,
            "counted_ready_rows": counted_ready,
            "blocked_rows": counted - counted_ready,
            "no_profile_rows": no_profile_rows,
            "no_profile_players": no_profile_players,
            "no_profile_shot_blocked_rows": shot_blocked,
        }
        for season, season_type, month, rows, played, played_ready, counted, counted_ready, no_profile_rows,
        no_profile_players, shot_blocked in _rows(
            sample_warehouse,
            f"""
            select season, season_type, strftime(game_date, '%Y-%m'),
                count(*),
                sum(case when spine_reason = 'played' then 1 else 0 end),
                sum(case when spine_reason = 'played' and is_quality_ready then 1 else 0 end),
                sum(case when {COUNTED} then 1 else 0 end),
                sum(case when {COUNTED} and is_quality_ready then 1 else 0 end),
                sum(case when {COUNTED} and {no_profile} then 1 else 0 end),
                count(distinct case when {COUNTED} and {no_profile} then player_lookup end),
                sum(case when {COUNTED} and {no_profile} and not is_quality_ready and ({shot_default})
                    then 1 else 0 end)
            from features.ml_feature_store_v2 as store
            group by all""",
        )
    }  # fmt: skip
    got = {(r["season"], r["season_type"], r["month"]): r for r in report["months"]}
    assert set(got) == set(expected)
    assert sum(e["played_rows"] for e in expected.values()) > 0
    assert sum(e["counted_rows"] for e in expected.values()) > 0, (
        "the sample has rows after its first 14 days"
    )
    for key, figures in expected.items():
        assert {name: got[key][name] for name in figures} == figures, key
        row = got[key]
        if row["played_rows"]:
            assert row["played_ready_pct"] == round(100.0 * row["played_ready_rows"] / row["played_rows"], 1)
        with_profile = row["counted_rows"] - row["no_profile_rows"]
        if with_profile:
            ready = row["counted_ready_rows"] - row["no_profile_ready_rows"]
            assert row["with_profile_ready_pct"] == round(100.0 * ready / with_profile, 1)
    # the season-type totals are the months added up (player counts: distinct over the months)
    for total in report["totals"]:
        months = [r for k, r in got.items() if k[:2] == (total["season"], total["season_type"])]
        assert months
        for name in ("rows", "played_rows", "played_ready_rows", "counted_rows", "blocked_rows"):
            assert total[name] == sum(r[name] for r in months), name
        assert max(r["no_profile_players"] for r in months) <= total["no_profile_players"]
        assert total["no_profile_players"] <= sum(r["no_profile_players"] for r in months)


def test_blockers_are_the_stores_required_defaults(sample_warehouse: Path, report: dict):
    """Every (feature, reason) blocker recounted from the store's own source and reason columns, and every
    counted row that is not ready has at least one blocker."""
    blocked = [r for r in report["months"] if r["blocked_rows"]]
    assert blocked, "the sample has counted rows that are not quality-ready"
    checked = 0
    # one connection for the many recounts
    with duckdb.connect(str(sample_warehouse), read_only=True) as store:
        for row in blocked:
            where = (
                f"season = {row['season']} and season_type = '{row['season_type']}' "
                f"and strftime(game_date, '%Y-%m') = '{row['month']}' and {COUNTED} and not is_quality_ready"
            )
            assert row["reasons"], row
            for reason in row["reasons"]:
                assert 0 < reason["rows"] <= row["blocked_rows"]
            assert sum(r["rows"] for r in row["reasons"]) >= row["blocked_rows"]
            for blocker in row["blockers"]:
                if blocker["feature_name"] not in REQUIRED:
                    continue
                name = blocker["feature_name"]
                (n,) = store.execute(
                    f"select count(*) from features.ml_feature_store_v2 as store where {where} "
                    f"and {name}_source in {_in(DEFAULT_SOURCES)} and {name}_default_reason = ?",
                    [blocker["reason"]],
                ).fetchone()
                assert blocker["rows"] == n, (row["month"], blocker)
                checked += 1
            # the rows blocked by no required default at all: a low tier or matchup quality
            (quality_only,) = store.execute(
                f"select count(*) from features.ml_feature_store_v2 as store where {where} "
                "and required_default_count = 0"
            ).fetchone()
            not_required = [b["rows"] for b in row["blockers"] if b["feature_name"] not in REQUIRED]
            assert quality_only == sum(not_required)
    assert checked > 0
    # the largest reason of a reason's features is the reason's own count at least
    for row in blocked:
        for reason in row["reasons"]:
            per_feature = [b["rows"] for b in row["blockers"] if b["reason"] == reason["reason"]]
            assert max(per_feature) <= reason["rows"] <= sum(per_feature)


def test_options_filter_seasons_and_days(sample_warehouse: Path, report: dict):
    seasons = sorted({r["season"] for r in report["months"]})
    one = _coverage(sample_warehouse, "--season", str(seasons[0]))
    assert {r["season"] for r in one["months"]} == {seasons[0]}
    assert [r for r in report["months"] if r["season"] == seasons[0]] == one["months"]
    everything = _coverage(sample_warehouse, "--skip-days", "0")
    for row in everything["months"]:
        assert row["counted_rows"] == row["played_rows"]
    (first,) = _rows(
        sample_warehouse,
        "select min(game_date) from intermediate.int_games where season = ? "
        "and season_type in ('regular', 'play_in', 'playoffs')",
        [seasons[0]],
    )[0]
    assert one["seasons"][0]["first_date"] == first.isoformat()


def test_table_names_every_month_and_the_top_blockers(sample_warehouse: Path, report: dict):
    proc = run_cli(["coverage", "--top", "1"], sample_warehouse)
    assert proc.returncode == 0, proc.stderr
    for row in report["months"]:
        assert f"| {row['season_type']} | {row['month']} | {row['rows']:,} |" in proc.stdout
        if row["reasons"]:
            top = row["reasons"][0]
            assert f"{top['reason']} (" in proc.stdout and f") {top['rows']:,} |" in proc.stdout


def test_errors_are_one_line(warehouse: Path):
    proc = run_cli(["coverage"], warehouse)
    assert proc.returncode != 0
    assert proc.stderr.startswith("error: no warehouse at") and "Traceback" not in proc.stderr
