"""Finding dbt-built relations in the DuckDB warehouse without hard-coding the schema a target uses."""

from __future__ import annotations

import duckdb

from nba_props.warehouse import execute


def find_relation(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """`schema.name` of the table or view called NAME (the first schema alphabetically if several)."""
    row = execute(
        con,
        "select table_schema from information_schema.tables where table_name = ? "
        "and table_catalog = current_database() order by table_schema limit 1",
        [name],
    ).fetchone()
    return f"{row[0]}.{name}" if row else None


def columns(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    schema, name = relation.split(".", 1)
    rows = execute(
        con,
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "and table_catalog = current_database()",
        [schema, name],
    ).fetchall()
    return {r[0] for r in rows}


def rows_between(con: duckdb.DuckDBPyConnection, name: str, start: object, end: object) -> int | None:
    relation = find_relation(con, name)
    if relation is None or "game_date" not in columns(con, relation):
        return None
    (count,) = execute(
        con, f"select count(*) from {relation} where game_date between ? and ?", [start, end]
    ).fetchone()
    return int(count)
