"""Bad input to `backfill` and `build`: one readable line on stderr and a non-zero exit, never a traceback.

None of these reach dbt, so they are quick; the ones that need raw data use a copy of the built sample.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli


def assert_one_line_error(proc, *fragments: str) -> None:
    assert proc.returncode != 0, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--start-date", "2024-01-10", "--end-date", "2024-01-01"], ["is before"]),
        (["--start-date", "2024-13-01", "--end-date", "2024-01-01"], ["'2024-13-01'", "YYYY-MM-DD"]),
        (["--start-date", "yesterday", "--end-date", "2024-01-01"], ["'yesterday'"]),
        (["--dates", "2024-01-05,not-a-date"], ["'not-a-date'"]),
        (["--start-date", "2024-01-01"], ["--end-date"]),
        (["--dates", "2024-01-05", "--start-date", "2024-01-01", "--end-date", "2024-01-02"], ["not both"]),
        (["--start-date", "2024-01-01", "--end-date", "2024-01-02", "--chunk-days", "0"], ["--chunk-days"]),
    ],
)
def test_bad_arguments(args: list[str], fragments: list[str], warehouse: Path) -> None:
    assert_one_line_error(run_cli(["backfill", *args], warehouse), *fragments)


def test_missing_warehouse(warehouse: Path) -> None:
    proc = run_cli(["backfill", "--start-date", "2024-01-01", "--end-date", "2024-01-02"], warehouse)
    assert_one_line_error(proc, "no warehouse at", str(warehouse))
    assert not warehouse.exists()


def test_missing_profile(sample_copy: Path, tmp_path: Path) -> None:
    proc = run_cli(
        ["backfill", "--start-date", "2024-01-01", "--end-date", "2024-01-02"],
        sample_copy,
        DBT_PROFILES_DIR=str(tmp_path / "nowhere"),
    )
    assert_one_line_error(proc, "no profiles.yml")


def test_range_without_games(sample_copy: Path) -> None:
    proc = run_cli(["backfill", "--start-date", "2011-07-01", "--end-date", "2011-07-31"], sample_copy)
    assert_one_line_error(proc, "no games", "2011-07-01", "2011-07-31")


def test_listed_date_without_games(sample_copy: Path) -> None:
    proc = run_cli(["backfill", "--dates", "2011-07-04", "--plan"], sample_copy)
    assert_one_line_error(proc, "no games", "2011-07-04")


def test_build_of_a_date_without_games(sample_copy: Path) -> None:
    proc = run_cli(["build", "--date", "2011-07-04"], sample_copy)
    assert_one_line_error(proc, "no games", "2011-07-04")


def test_build_bad_date_and_missing_warehouse(warehouse: Path) -> None:
    assert_one_line_error(run_cli(["build", "--date", "2024-02-30"], warehouse), "'2024-02-30'")
    assert_one_line_error(run_cli(["build", "--date", "2024-02-01"], warehouse), "no warehouse at")
