"""Any warehouse file name works: DuckDB names the catalog after the file, and profile and runner write
that name as a quoted identifier, so hyphens, spaces, SQL keywords and leading digits load, build and open in
plain DuckDB. The few names dbt-duckdb cannot carry into SQL are refused in one line before anything is
written."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE_DIR, run_cli
from nba_props.warehouse import catalog_name

SCHEDULE = next(SAMPLE_DIR.glob("nba_schedule_games_*"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("file_name", "catalog"),
    [
        pytest.param("nba-props.duckdb", "nba-props", id="hyphen"),
        pytest.param("full.duckdb", "full", id="sql-keyword"),
        pytest.param("2024 season.duckdb", "2024 season", id="space-and-leading-digit"),
    ],
)
def test_any_file_name_loads_builds_and_opens_in_plain_duckdb(
    file_name: str, catalog: str, tmp_path: Path
) -> None:
    warehouse = tmp_path / file_name
    run_cli(["load", "schedule", str(SCHEDULE)], warehouse, check=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        day = con.execute(
            "select min(try_cast(game_date as date)) from raw.schedule_games where season_type = 'regular'"
        ).fetchone()[0]
    # a view over a raw table and the seeds (tables) it reads, by dbt through the runner
    build = ["build", "--date", str(day), "--skip-tests", "--select", "+stg_league__schedule_games"]
    proc = run_cli(build, warehouse)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Parser Error" not in proc.stdout + proc.stderr
    # the views dbt created resolve when the file is opened on its own, as `duckdb FILE` does
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select current_database()").fetchone()[0] == catalog
        games, seeded = con.execute(
            "select (select count(*) from staging.stg_league__schedule_games), "
            "(select count(*) from information_schema.tables where table_schema = 'reference')"
        ).fetchone()
    assert games > 1000 and seeded > 0


def test_the_catalog_is_named_as_duckdb_names_it(tmp_path: Path) -> None:
    """Up to the first dot, leading dots aside: what `duckdb FILE` calls the catalog, and dbt-duckdb too."""
    for file_name in ("nba-props.duckdb", "my.2024.db", ".hidden.duckdb", "plain"):
        path = tmp_path / file_name
        with duckdb.connect(str(path)) as con:
            assert catalog_name(path) == con.execute("select current_database()").fetchone()[0]


@pytest.mark.parametrize(
    ("file_name", "fragment"),
    [
        pytest.param("it's.duckdb", "'", id="single-quote"),
        pytest.param('say "hi".duckdb', '"', id="double-quote"),
        pytest.param("what?.duckdb", "?", id="question-mark"),
        pytest.param("raw.duckdb", "named like the schema 'raw'", id="a-schema-inside"),
    ],
)
def test_a_name_that_cannot_work_is_refused_in_one_line_before_anything_is_written(
    file_name: str, fragment: str, tmp_path: Path
) -> None:
    warehouse = tmp_path / file_name
    proc = run_cli(["load", "schedule", str(SCHEDULE)], warehouse)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode != 0 and len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0] and "NBA_PROPS_DUCKDB_PATH" in lines[0]
    assert list(tmp_path.iterdir()) == []
