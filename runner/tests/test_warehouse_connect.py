"""The runner's warehouse connections: the file is attached (catalog named after it) so that tables are
written in small row groups, connections of one process share it, and a file that dbt opened directly in this
process (a profile written before the attach) is shared instead of refused."""

from __future__ import annotations

from pathlib import Path

import duckdb
from nba_props.warehouse import ROW_GROUP_SIZE, connect

ROWS = 3 * ROW_GROUP_SIZE + 100


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


def test_a_file_opened_directly_in_this_process_is_shared(tmp_path: Path) -> None:
    path = tmp_path / "wh.duckdb"
    direct = duckdb.connect(str(path))  # as dbt-duckdb does with a `path:` profile
    try:
        direct.execute("create table opened_directly as select 2 as x")
        with connect(path) as con:
            assert con.execute("select x from opened_directly").fetchone() == (2,)
    finally:
        direct.close()
