"""Incremental history (the full-history intermediates and staging tables): a day's build rebuilds exactly
what a load changed, and the result is what a build from raw gives.

On a copy of the built sample:
- a corrected old box score (the season file loaded again under the same name, one game's points changed),
  then the next one-date build by hand: the history models rebuild exactly the dates their late-row rules map
  the change onto (the corrected date; the later dates of its season where rolling rosters read it) and
  nothing else, the store dates that read the game are listed as stale, and once rebuilt the whole warehouse
  equals a `--full-refresh` build of the same raw tables;
- a new day's box scores (a file of its own), then its one-date build: no history row of an earlier date is
  rewritten (the same content and the same `_built_at`), and the new date's rows are there.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE_DIR, fresh_sample_copy, run_cli, run_dbt

# one worker of `make test` runs this module: its module fixture (two builds of the sample) builds once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("incremental_history")]

BOOKKEEPING = {"_built_at", "_loaded_through", "_built_as_of", "built_at"}
# full-history models and their key (the date a row is kept by)
HISTORY = {
    "staging.stg_nba_stats__player_game_logs": "game_date",
    "staging.stg_nba_stats__playoff_player_boxes": "game_date",
    "staging.stg_nba_stats__shots": "game_date",
    "staging.stg_injuries__status_snapshots": "snapshot_date_et",
    "staging.stg_rotowire__points_lines": "snapshot_date_et",
    "intermediate.int_games": "game_date",
    "intermediate.int_team_games": "game_date",
    "intermediate.int_player_games": "game_date",
    "intermediate.int_shot_zone_games": "game_date",
    "intermediate.int_prop_lines_resolved_rotowire": "snapshot_date_et",
}
CORRECTED_DATE = dt.date(2024, 1, 10)
SELECTION = ["--select", "+ml_feature_store_v2", "+feature_store_gaps"]


def day_vars(start: dt.date, end: dt.date | None = None) -> str:
    return f"{{start_date: '{start}', end_date: '{end or start}'}}"


def columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[str]:
    schema, name = table.split(".")
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() where database_name = ? and schema_name = ? "
        "and table_name = ? order by column_index",
        [catalog, schema, name],
    ).fetchall()
    # DOUBLE columns compared to 9 decimals: a parallel aggregate (ml_market_states' stddev_samp of the books'
    # lines) sums in a different order in two builds of the same rows and differs in the last bits.
    kept = [(c, t) for c, t in rows if c not in BOOKKEEPING]
    return [f'round("{c}", 9) as "{c}"' if t == "DOUBLE" else f'"{c}"' for c, t in kept]


def differing_rows(a: Path, b: Path, table: str, where: str = "true") -> tuple[int, int, int]:
    """(rows, rows only in A, rows only in B) of TABLE in two warehouses, bookkeeping columns left out: each
    distinct row counted on both sides in one pass (what EXCEPT ALL counts each way)."""
    with duckdb.connect() as con:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        selected = columns(con, "a", table)
        names = ", ".join(column.rsplit(" as ", 1)[-1] for column in selected)
        cols = ", ".join(selected)
        rows, only_a, only_b = con.execute(
            f"""select coalesce(sum(in_a), 0), coalesce(sum(greatest(in_a - in_b, 0)), 0),
                coalesce(sum(greatest(in_b - in_a, 0)), 0)
            from (
                select
                    count(*) filter (where _warehouse = 'a') as in_a,
                    count(*) filter (where _warehouse = 'b') as in_b
                from (
                    select {cols}, 'a' as _warehouse from a.{table} where {where}
                    union all
                    select {cols}, 'b' as _warehouse from b.{table} where {where}
                )
                group by {names}
            )"""
        ).fetchone()
    return int(rows), int(only_a), int(only_b)


def built_keys(wh: Path, table: str, key: str) -> dict[dt.date, object]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return dict(con.execute(f"select {key}, max(_built_at) from {table} group by 1").fetchall())


def rebuilt_keys(before: dict, after: dict) -> set:
    return {k for k, v in after.items() if before.get(k) != v}


def corrected_player_logs(target: Path) -> tuple[str, str, int]:
    """The sample's season file with one player's points on CORRECTED_DATE raised by 10 (5 more field goals),
    under the same name; returns (player_id, game_id, new points)."""
    source = SAMPLE_DIR / "player_logs_2023-24.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    at = {name: header.index(name) for name in ("PLAYER_ID", "GAME_ID", "GAME_DATE", "PTS", "FGM", "MIN")}
    for row in rows[1:]:
        if row[at["GAME_DATE"]] == str(CORRECTED_DATE) and int(row[at["PTS"]]) >= 20:
            row[at["PTS"]] = str(int(row[at["PTS"]]) + 10)
            row[at["FGM"]] = str(int(row[at["FGM"]]) + 5)
            changed = (row[at["PLAYER_ID"]], row[at["GAME_ID"]], int(row[at["PTS"]]))
            break
    else:
        raise AssertionError(f"no 20-point game on {CORRECTED_DATE} in the sample")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(target, "wt", encoding="utf-8", newline="") as f:
        f.write(buffer.getvalue())
    return changed


def latest_store_date(wh: Path) -> dt.date:
    with duckdb.connect(str(wh), read_only=True) as con:
        return con.execute("select max(game_date) from features.ml_feature_store_v2").fetchone()[0]


@pytest.fixture(scope="module")
def correction(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The built sample, the corrected file loaded, then the one-date build of the latest date (incremental);
    and a copy of the same raw tables built with --full-refresh (reference)."""
    root = tmp_path_factory.mktemp("correction")
    inc = root / "incremental" / sample_warehouse.name
    ref = root / "reference" / sample_warehouse.name
    inc.parent.mkdir()
    ref.parent.mkdir()
    shutil.copyfile(sample_warehouse, inc)
    before = {table: built_keys(inc, table, key) for table, key in HISTORY.items()}
    player_id, game_id, points = corrected_player_logs(root / "files" / "player_logs_2023-24.csv.gz")
    loaded = run_cli(["load", "player_game_logs", str(root / "files" / "player_logs_2023-24.csv.gz")], inc)
    assert loaded.returncode == 0 and "replaced" in loaded.stdout, loaded.stdout + loaded.stderr
    # the reference is built at sample_copy's path (whose dbt parse this worker keeps), then kept beside
    building_ref = fresh_sample_copy(inc)
    day = latest_store_date(inc)
    # the stale list in the same run (it reads the store after its build, and no date var)
    run_dbt(["run", *SELECTION, "stale_feature_dates", "--vars", day_vars(day)], inc)
    run_dbt(
        [
            "build",
            "--full-refresh",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
        ],
        building_ref,
    )
    shutil.copyfile(building_ref, ref)
    return {
        "root": root,
        "inc": inc,
        "ref": ref,
        "day": day,
        "before": before,
        "after": {table: built_keys(inc, table, key) for table, key in HISTORY.items()},
        "player_id": player_id,
        "game_id": game_id,
        "points": points,
    }


def test_a_corrected_box_score_reaches_every_history_model(correction: dict) -> None:
    for table in HISTORY:
        rows, only_inc, only_ref = differing_rows(correction["inc"], correction["ref"], table)
        assert rows > 0 or table.endswith("rotowire"), table
        assert (only_inc, only_ref) == (0, 0), f"{table}: {only_inc} rows differ from a build from raw"
    with duckdb.connect(str(correction["inc"]), read_only=True) as con:
        points = con.execute(
            "select points from intermediate.int_player_games where player_id = ? and game_id = ?",
            [int(correction["player_id"]), correction["game_id"]],
        ).fetchone()[0]
    assert points == correction["points"]


def test_a_corrected_box_score_rebuilds_exactly_the_dates_its_rules_name(correction: dict) -> None:
    before, after, wh = correction["before"], correction["after"], correction["inc"]
    rebuilt = {table: rebuilt_keys(before[table], after[table]) for table in HISTORY}
    # the file's content changed on one date only: its staging table restages that date, no other
    assert rebuilt["staging.stg_nba_stats__player_game_logs"] == {CORRECTED_DATE}
    # same-date rules: the game's row and its shot-zone rows
    assert rebuilt["intermediate.int_games"] == {CORRECTED_DATE}
    assert rebuilt["intermediate.int_shot_zone_games"] == {CORRECTED_DATE}
    # player games: the date and every later date of its season (rosters and latest games read it)
    season_dates = {d for d in after["intermediate.int_player_games"] if d >= CORRECTED_DATE}
    assert rebuilt["intermediate.int_player_games"] == season_dates
    # Rotowire resolution: the day before and every later scrape date (a player's latest box score)
    lines_dates = {
        d
        for d in after["intermediate.int_prop_lines_resolved_rotowire"]
        if d >= CORRECTED_DATE - dt.timedelta(days=1)
    }
    assert rebuilt["intermediate.int_prop_lines_resolved_rotowire"] == lines_dates
    # feeds that did not change are untouched
    for table in (
        "intermediate.int_team_games",
        "staging.stg_nba_stats__shots",
        "staging.stg_rotowire__points_lines",
        "staging.stg_injuries__status_snapshots",
        "staging.stg_nba_stats__playoff_player_boxes",
    ):
        assert rebuilt[table] == set(), table
    # the store dates that read the corrected game (its date and the later dates of its season, but the one
    # just built) are listed as stale, and no other
    with duckdb.connect(str(wh), read_only=True) as con:
        stale = {r[0] for r in con.execute("select game_date from monitoring.stale_feature_dates").fetchall()}
        store_dates = {
            r[0]
            for r in con.execute(
                "select distinct game_date from features.ml_feature_store_v2 where season = "
                "(select season from intermediate.int_games where game_date = ? limit 1) "
                "and game_date >= ? and game_date < ?",
                [CORRECTED_DATE, CORRECTED_DATE, correction["day"]],
            ).fetchall()
        }
    assert stale == store_dates, sorted(stale ^ store_dates)[:5]


def test_stale_store_dates_rebuilt_give_the_full_refresh_warehouse(correction: dict) -> None:
    """Rebuilding the dates listed stale makes every model equal a --full-refresh build (incremental =
    full refresh), and the stale list empty."""
    wh = correction["inc"]
    with duckdb.connect(str(wh), read_only=True) as con:
        first, last = con.execute(
            "select min(game_date), max(game_date) from monitoring.stale_feature_dates"
        ).fetchone()
    assert first == CORRECTED_DATE
    run_dbt(["run", *SELECTION, "stale_feature_dates", "--vars", day_vars(first, last)], wh)
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("select count(*) from monitoring.stale_feature_dates").fetchone()[0] == 0
        tables = [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_catalog = current_database() and table_type = 'BASE TABLE' "
                "and table_schema in ('staging', 'intermediate', 'features') "
                "and table_name not in ('stg_loads__file_dates', 'feature_store_gaps') order by 1, 2"
            ).fetchall()
        ]
    assert "features.player_daily_cache" in tables and "intermediate.int_feature_spine" in tables
    for table in tables:
        rows, only_inc, only_ref = differing_rows(wh, correction["ref"], table)
        assert (only_inc, only_ref) == (0, 0), f"{table}: {only_inc} / {only_ref} of {rows} rows differ"


@pytest.fixture
def new_day(sample_copy: Path, tmp_path: Path) -> dict:
    """A new day of box scores in a file of its own: the Finals' last game replayed three days later as a new
    game (new game id), loaded into the built sample."""
    source = SAMPLE_DIR / "playoff_player_box_P24.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    date_at, game_at = header.index("GAME_DATE"), header.index("GAME_ID")
    last = max(dt.date.fromisoformat(r[date_at]) for r in rows[1:])
    new_date = last + dt.timedelta(days=3)
    day_rows = [list(r) for r in rows[1:] if r[date_at] == str(last)]
    for row in day_rows:
        row[date_at] = str(new_date)
        row[game_at] = row[game_at][:-1] + ("9" if row[game_at][-1] != "9" else "8")
    target = tmp_path / "files" / "playoff_player_box_new_day.csv.gz"
    target.parent.mkdir()
    with gzip.open(target, "wt", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *day_rows])
    return {"warehouse": sample_copy, "file": target, "date": new_date, "rows": len(day_rows)}


def test_a_new_day_leaves_history_untouched(new_day: dict, tmp_path: Path) -> None:
    wh, day = new_day["warehouse"], new_day["date"]
    earlier = tmp_path / "before" / wh.name
    earlier.parent.mkdir()
    shutil.copyfile(wh, earlier)
    loaded = run_cli(["load", "playoff_player_boxes", str(new_day["file"])], wh)
    assert loaded.returncode == 0 and "loaded" in loaded.stdout, loaded.stdout + loaded.stderr
    run_dbt(["run", *SELECTION, "--vars", day_vars(day)], wh)
    for table, key in HISTORY.items():
        # every earlier row: the same content and the same batch (not rewritten)
        rows, only_after, only_before = differing_rows(wh, earlier, table, f"{key} < date '{day}'")
        assert (only_after, only_before) == (0, 0), table
        before, after = built_keys(earlier, table, key), built_keys(wh, table, key)
        assert {k for k in rebuilt_keys(before, after) if k < day} == set(), table
    with duckdb.connect(str(wh), read_only=True) as con:
        new_rows = con.execute(
            "select count(*) filter (where not is_dnp), count(*) from intermediate.int_player_games "
            "where game_date = ?",
            [day],
        ).fetchone()
        store_rows = con.execute(
            "select count(*) from features.ml_feature_store_v2 where game_date = ?", [day]
        ).fetchone()[0]
    assert new_rows[0] > 0 and new_rows[0] <= new_day["rows"]
    assert store_rows == new_rows[1]
