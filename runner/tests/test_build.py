"""`nba-props build`: one date rebuilt equals the full build's rows, recorded as a run; the build is the dbt
command it prints, it follows a change of the raw data, and --full-refresh reaches dbt."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from pathlib import Path

import conftest
import duckdb
import pytest
from conftest import SAMPLE_DIR, content_hash, run_cli

pytestmark = pytest.mark.slow

STORE = "features.ml_feature_store_v2"


def middle_game_date(warehouse: Path) -> dt.date:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        dates = [
            r[0]
            for r in con.execute(
                "select distinct try_cast(game_date as date) from raw.player_game_logs order by 1"
            ).fetchall()
        ]
    return dates[len(dates) // 2]


def run_results(warehouse: Path) -> dict:
    """dbt's run_results.json of the last invocation on WAREHOUSE (in its target path of the session)."""
    return json.loads((conftest.target_path_for(warehouse) / "run_results.json").read_text())


def test_build_one_date_matches_the_full_build(sample_copy: Path) -> None:
    day = middle_game_date(sample_copy)
    with duckdb.connect(str(sample_copy)) as con:
        expected = content_hash(con, STORE, day)
        other_dates = content_hash(con, STORE, day - dt.timedelta(days=400), day - dt.timedelta(days=1))
        # drop the date so the build has to write it back
        con.execute(f"delete from {STORE} where game_date = ?", [day])
    assert expected.rows > 0

    # the day's build as users run it: with the data tests of what it builds
    proc = run_cli(["build", "--date", str(day)], sample_copy, write_json=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{expected.rows:,} feature rows for {day}" in proc.stdout
    # the command it printed is the one dbt ran (dbt's own run_results.json, in dbt's own target path)
    by_hand = (
        "dbt build --indirect-selection cautious --exclude-resource-type unit_test "
        f"--select +ml_feature_store_v2 +feature_store_gaps --vars '{{start_date: {day}, end_date: {day}}}'"
    )
    assert by_hand in proc.stdout
    results = run_results(sample_copy)
    ran = results["args"]
    assert ran["vars"] == {"start_date": str(day), "end_date": str(day)}
    assert ran["select"] == ["+ml_feature_store_v2", "+feature_store_gaps"]
    assert ran["which"] == "build" and not ran.get("full_refresh")
    kinds = {r["unique_id"].split(".")[0] for r in results["results"]}
    assert "test" in kinds and "unit_test" not in kinds, kinds

    with duckdb.connect(str(sample_copy), read_only=True) as con:
        assert content_hash(con, STORE, day) == expected
        # a build of one date leaves every other date alone
        assert (
            content_hash(con, STORE, day - dt.timedelta(days=400), day - dt.timedelta(days=1)) == other_dates
        )
        kind, status, dates, invocation = con.execute(
            "select r.kind, r.status, r.date_count, c.dbt_invocation_id from runner.backfill_runs r "
            "join runner.backfill_chunks c using (run_id) order by r.started_at desc limit 1"
        ).fetchone()
    assert (kind, status, dates) == ("build", "succeeded", 1)
    assert invocation == run_results(sample_copy)["metadata"]["invocation_id"]


def test_build_defaults_to_the_latest_date_with_games(sample_copy: Path) -> None:
    proc = run_cli(["build", "--skip-tests", "--select", "int_games"], sample_copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(latest date with games)" in proc.stdout
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        latest = con.execute(
            "select max(d) from (select try_cast(game_date as date) d from raw.player_game_logs union all "
            "select try_cast(game_date as date) from raw.playoff_player_boxes union all "
            "select try_cast(game_date as date) from raw.schedule_games where season_type <> 'preseason') "
            "where d <= current_date"
        ).fetchone()[0]
    assert f"build {latest} (latest date with games)" in proc.stdout


def test_a_build_follows_a_change_of_the_raw_data_and_is_idempotent(
    sample_copy: Path, tmp_path: Path
) -> None:
    day = middle_game_date(sample_copy)
    args = ["build", "--date", str(day), "--skip-tests"]
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        built = content_hash(con, STORE, day)  # built already (the sample's `dbt build`)
    again = run_cli(args, sample_copy)
    assert again.returncode == 0, again.stdout + again.stderr
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        assert content_hash(con, STORE, day) == built

    # a box score row of an earlier game disappears from its file, loaded again under the same name (the
    # history models follow loads, docs/feature_store.md): player games (full history) must follow
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        game_id, player_id = con.execute(
            "select game_id, player_id from raw.player_game_logs where try_cast(game_date as date) < ? "
            "order by game_date desc, game_id, player_id limit 1",
            [day],
        ).fetchone()
    corrected = tmp_path / "player_logs_2023-24.csv.gz"
    with gzip.open(SAMPLE_DIR / corrected.name, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    at_game, at_player = rows[0].index("GAME_ID"), rows[0].index("PLAYER_ID")
    kept = [r for r in rows[1:] if (r[at_game], r[at_player]) != (game_id, player_id)]
    assert len(kept) == len(rows) - 2
    with gzip.open(corrected, "wt", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([rows[0], *kept])
    loaded = run_cli(["load", "player_game_logs", str(corrected)], sample_copy)
    assert loaded.returncode == 0 and "replaced" in loaded.stdout, loaded.stdout + loaded.stderr
    changed = run_cli(args, sample_copy)
    assert changed.returncode == 0, changed.stdout + changed.stderr
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        left = con.execute(
            "select count(*) from intermediate.int_player_games where game_id = ? and player_id = ? "
            "and not is_dnp",
            [str(game_id).strip().zfill(10), int(player_id)],
        ).fetchone()[0]
    assert left == 0


def test_full_refresh_is_passed_to_dbt(sample_copy: Path) -> None:
    """`--full-refresh` reaches dbt: the incremental store is rebuilt from scratch, so a one-date build leaves
    that date alone in it, with the full build's rows."""
    day = middle_game_date(sample_copy)
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        expected = content_hash(con, STORE, day)
        assert con.execute(f"select count(distinct game_date) from {STORE}").fetchone()[0] > 1
    args = ["build", "--date", str(day), "--skip-tests", "--select", "ml_feature_store_v2", "--full-refresh"]
    proc = run_cli(args, sample_copy, write_json=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "--full-refresh" in proc.stdout
    assert run_results(sample_copy)["args"]["full_refresh"] is True
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        assert con.execute(f"select distinct game_date from {STORE}").fetchall() == [(day,)]
        assert content_hash(con, STORE, day) == expected
