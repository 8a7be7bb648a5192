"""The runner's warehouse connections follow the dbt profile: with profiles.yml.example's dev target the file
is attached (catalog named after it) so that tables are written in small row groups, connections of one
process share it, and a file that dbt opened directly in this process is shared instead of refused; with a
profile that opens the file itself (copied before the attach), the runner opens it directly too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from nba_props import warehouse
from nba_props.settings import profile_duckdb_config, profile_output, profile_row_group_size
from nba_props.warehouse import connect

PROJECT = Path(__file__).resolve().parents[2]
ROW_GROUP_SIZE = 8192
ROWS = 3 * ROW_GROUP_SIZE + 100


@pytest.fixture(autouse=True)
def attached_like_the_example_profile() -> Iterator[None]:
    warehouse.attach_like_profile(ROW_GROUP_SIZE)
    yield
    warehouse.attach_like_profile(None)


def test_the_row_group_size_comes_from_the_profile(tmp_path: Path) -> None:
    (tmp_path / "profiles.yml").write_text((PROJECT / "profiles.yml.example").read_text())
    assert profile_row_group_size(profile_output(tmp_path, "dev")) == ROW_GROUP_SIZE
    assert profile_row_group_size(profile_output(tmp_path, "bigquery")) is None
    # the dev target as profiles.yml.example had it before the attach: the file opened as `path`
    (tmp_path / "profiles.yml").write_text(
        "nba_props:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        "      path: \"{{ env_var('NBA_PROPS_DUCKDB_PATH', 'warehouse/nba_props.duckdb') }}\"\n"
    )
    assert profile_row_group_size(profile_output(tmp_path, "dev")) is None


def test_the_database_spills_beside_its_file_in_dbt_and_in_the_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The profile's config_options, rendered as dbt renders them, put the in-memory database's spill folder
    beside the warehouse file (not ./.tmp, whose fixed file names two processes would share), and the
    runner's connection creates the database with them."""
    (tmp_path / "profiles.yml").write_text((PROJECT / "profiles.yml.example").read_text())
    path = tmp_path / "wh.duckdb"
    monkeypatch.setenv("NBA_PROPS_DUCKDB_PATH", str(path))
    config = profile_duckdb_config(profile_output(tmp_path, "dev"))
    assert config == {"temp_directory": f"{path}.tmp"}
    assert profile_duckdb_config(profile_output(tmp_path, "bigquery")) == {}
    warehouse.attach_like_profile(ROW_GROUP_SIZE, config)
    with connect(path) as con:
        assert con.execute("select current_setting('temp_directory')").fetchone()[0] == f"{path}.tmp"


def row_groups(con: duckdb.DuckDBPyConnection, table: str) -> int:
    sql = f"select count(distinct row_group_id) from pragma_storage_info('{table}')"
    return con.execute(sql).fetchone()[0]


def test_tables_are_written_in_small_row_groups_under_the_files_name(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    with connect(path) as con:
        assert con.execute("select current_database()").fetchone()[0] == "wh"
        con.execute(f"create table t as select range as i from range({ROWS})")
        assert row_groups(con, "t") >= 4
    # the same rows through a plain connection to the file: one row group of DuckDB's default size
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table plain as select range as i from range({ROWS})")
        assert row_groups(con, "plain") == 1
        assert con.execute("select count(*), sum(i) from t").fetchone() == (ROWS, ROWS * (ROWS - 1) // 2)


def test_connections_of_one_process_share_the_attached_file(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    with connect(path) as writer, connect(path, read_only=True) as reader:
        writer.execute("create table shared as select 1 as x")
        assert reader.execute("select x from shared").fetchone() == (1,)


def test_without_the_attach_in_the_profile_the_file_is_opened_directly(tmp_path: Path) -> None:
    warehouse.attach_like_profile(None)
    path = tmp_path / "wh.duckdb"
    with connect(path) as con:
        con.execute(f"create table t as select range as i from range({ROWS})")
        assert row_groups(con, "t") == 1


def test_a_file_opened_directly_in_this_process_is_shared(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    direct = duckdb.connect(str(path))  # as dbt-duckdb does with a `path:` profile
    try:
        direct.execute("create table opened_directly as select 2 as x")
        with connect(path) as con:
            assert con.execute("select x from opened_directly").fetchone() == (2,)
    finally:
        direct.close()
