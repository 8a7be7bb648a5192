"""`nba-props build`: one date rebuilt incrementally equals the full build's rows, recorded as a run."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE_DIR, run_cli
from nba_props.backfill.fingerprint import fingerprint

pytestmark = pytest.mark.slow

STORE = "ml_feature_store_v2"


def middle_game_date(warehouse: Path) -> dt.date:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        dates = [
            r[0]
            for r in con.execute(
                "select distinct try_cast(game_date as date) from raw.player_game_logs order by 1"
            ).fetchall()
        ]
    return dates[len(dates) // 2]


def test_build_one_date_matches_the_full_build(sample_copy: Path) -> None:
    day = middle_game_date(sample_copy)
    with duckdb.connect(str(sample_copy)) as con:
        expected = fingerprint(con, STORE, day)
        other_dates = fingerprint(con, STORE, day - dt.timedelta(days=400), day - dt.timedelta(days=1))
        # drop the date so the build has to write it back
        con.execute(f"delete from features.{STORE} where game_date = ?", [day])
    assert expected.rows > 0

    proc = run_cli(["build", "--date", str(day), "--skip-tests"], sample_copy)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{expected.rows:,} feature rows for {day}" in proc.stdout

    with duckdb.connect(str(sample_copy), read_only=True) as con:
        assert fingerprint(con, STORE, day) == expected
        # an incremental build of one date leaves every other date alone
        assert (
            fingerprint(con, STORE, day - dt.timedelta(days=400), day - dt.timedelta(days=1)) == other_dates
        )
        kind, status, dates = con.execute(
            "select kind, status, date_count from runner.backfill_runs order by started_at desc limit 1"
        ).fetchone()
    assert (kind, status, dates) == ("build", "succeeded", 1)


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


def test_date_independent_models_are_rebuilt_only_when_their_inputs_change(
    sample_copy: Path, tmp_path: Path
) -> None:
    day = middle_game_date(sample_copy)
    args = ["build", "--date", str(day), "--skip-tests"]
    first = run_cli(args, sample_copy)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "date-independent model(s) once" in first.stdout  # never recorded before: built

    with duckdb.connect(str(sample_copy), read_only=True) as con:
        built = fingerprint(con, STORE, day)
    again = run_cli(args, sample_copy)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "up to date" in again.stdout and "not rebuilt" in again.stdout
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        assert fingerprint(con, STORE, day) == built

    # a box score row of an earlier game disappears from its file, loaded again under the same name (the
    # history models follow loads, docs/feature_store.md): player games (date-independent) must follow
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
    assert "date-independent model(s) once" in changed.stdout
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        left = con.execute(
            "select count(*) from intermediate.int_player_games where game_id = ? and player_id = ? "
            "and not is_dnp",
            [str(game_id).strip().zfill(10), int(player_id)],
        ).fetchone()[0]
    assert left == 0
