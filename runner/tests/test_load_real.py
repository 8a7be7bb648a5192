"""The importers on real files: the full data in ../shared/data (when present) and the bundled sample."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, SAMPLE_DIR, run_cli
from nba_props.loaders.core import discover
from nba_props.loaders.registry import KINDS

SAMPLE_LIMIT_BYTES = 15 * 1024 * 1024


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def assert_every_row_accounted_for(warehouse: Path, expected_files: set[str]) -> None:
    """rows read = loaded + rejected for every file, and the raw and quarantine tables agree with the log."""
    log = query(
        warehouse,
        "select kind, raw_table, file_name, rows_read, rows_loaded, rows_rejected, status from raw.load_log",
    )
    assert {row[2] for row in log} == expected_files
    for kind, table, file, read, loaded, rejected, status in log:
        assert status == "loaded", file
        assert read > 0, file
        assert read == loaded + rejected, file
        in_raw = query(warehouse, f"select count(*) from raw.{table} where _source_file = ?", [file])[0][0]
        in_quarantine = query(
            warehouse,
            "select count(*) from raw.load_quarantine where kind = ? and file_name = ?",
            [kind, file],
        )[0][0]
        assert (in_raw, in_quarantine) == (loaded, rejected), file


@pytest.mark.real_data
@pytest.mark.slow
def test_load_all_real_data_loads_every_file(
    shared_data: Path, real_warehouse: tuple[Path, str], tmp_path: Path
) -> None:
    found, unclaimed = discover(shared_data)
    assert unclaimed == [], "a real data file no importer recognises"
    assert {kind.name for kind, _ in found} == set(KINDS), "every kind has a real file"

    warehouse, printed = real_warehouse  # the session's one load of ../shared/data

    assert_every_row_accounted_for(warehouse, {path.name for _, path in found})
    summary = f"{len(found)} file(s): {len(found)} loaded, 0 replaced, 0 skipped (unchanged), 0 failed"
    assert summary in printed
    # the data README's known dirt: git conflict markers in the injury snapshots are not teams
    markers = query(
        warehouse,
        "select json_extract_string(record, '$.team') from raw.load_quarantine "
        "where kind = 'injury_status' and reason like 'unknown_team:team%' order by row_number",
    )
    assert [m[:7] for (m,) in markers] == ["<<<<<<<", "=======", ">>>>>>>"]
    # box scores have no duplicate (game_id, player_id) and every row is clean
    assert query(
        warehouse,
        "select count(*) from raw.load_quarantine where kind in ('player_game_logs', 'team_game_logs')",
    ) == [(0,)]

    copy = tmp_path / warehouse.name  # the session's load stays as it is for the other real-data tests
    shutil.copyfile(warehouse, copy)
    again = run_cli(["load", "all", str(shared_data)], copy)
    assert again.returncode == 0, again.stderr
    assert f"0 loaded, 0 replaced, {len(found)} skipped (unchanged), 0 failed" in again.stdout
    assert query(copy, "select count(*) from raw.load_log") == [(len(found),)]


def test_sample_loads_cleanly_and_is_small(sample_raw: Path) -> None:
    files = [p for p in SAMPLE_DIR.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) < SAMPLE_LIMIT_BYTES
    found, unclaimed = discover(SAMPLE_DIR)
    assert unclaimed == []
    readme = (SAMPLE_DIR / "README.md").read_text()
    for _, path in found:
        assert f"`{path.name}`" in readme, f"{path.name} is not described in data/sample/README.md"

    warehouse = sample_raw  # the session's `nba-props load all data/sample`, which must have exited 0

    assert_every_row_accounted_for(warehouse, {path.name for _, path in found})
    # what the feature store needs is there: a season of box scores, shots with counts, Points lines only
    assert query(warehouse, "select count(distinct game_id) from raw.player_game_logs") == [(1230,)]
    assert query(warehouse, "select distinct prop from raw.rotowire_prop_snapshots") == [("Points",)]
    shots, rows = query(warehouse, "select sum(shot_count::int), count(*) from raw.shots")[0]
    assert shots > rows > 0


@pytest.mark.real_data
@pytest.mark.slow
def test_make_sample_reproduces_the_committed_sample(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "sample"
    proc = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "make_sample.py"), "--source", str(shared_data),
         "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    committed = sorted(p.name for p in SAMPLE_DIR.iterdir() if p.is_file())
    assert sorted(p.name for p in out.iterdir()) == committed
    _, mismatch, errors = filecmp.cmpfiles(SAMPLE_DIR, out, committed, shallow=False)
    assert (mismatch, errors) == ([], [])
