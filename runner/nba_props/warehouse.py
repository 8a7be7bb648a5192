"""DuckDB connections for the runner's own reads and writes (loads, checkpoints, predictions)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from nba_props.errors import NbaPropsError, WarehouseLockedError


@contextmanager
def connect(
    path: Path, read_only: bool = False, must_exist: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse file; a lock held by another process becomes one readable error."""
    if (must_exist or read_only) and not path.exists():
        raise NbaPropsError(f"no warehouse at {path}: run `nba-props load` first (or `make demo`)")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.ConnectionException:
            # dbt (in this process, through dbtRunner) still holds the file read-write; DuckDB refuses
            # a second connection with another configuration, so share its mode.
            if not read_only:
                raise
            con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLockedError(
                f"the warehouse {path} is in use by another process (DuckDB allows one writer at a time); "
                "wait for it to finish and try again"
            ) from exc
        raise NbaPropsError(f"cannot open the warehouse {path}: {exc}") from exc
    try:
        yield con
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """A table or view SCHEMA.TABLE in the warehouse file itself (not a temp table of the same name)."""
    row = execute(
        con,
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ? "
        "and table_catalog = current_database()",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()
) -> duckdb.DuckDBPyConnection:
    """`con.execute(sql, params)` with the values quoted here as SQL literals. DuckDB's own parameter binding
    imports pandas on first use (about a second), which every build and backfill would otherwise pay for a
    few checkpoint rows. Values: None, bool, int, float, str, date, naive datetime."""
    parts = re.split(r"('(?:[^']|'')*')", sql)  # odd parts are string literals: their `?` is text
    values = list(params)
    placeholders = sum(parts[i].count("?") for i in range(0, len(parts), 2))
    if placeholders != len(values):
        raise ValueError(f"{placeholders} placeholder(s) but {len(values)} parameter(s) in: {sql[:80]}")
    literals = (sql_literal(v) for v in values)
    for i in range(0, len(parts), 2):
        pieces = parts[i].split("?")
        parts[i] = pieces[0] + "".join(next(literals) + piece for piece in pieces[1:])
    return con.execute("".join(parts))


def sql_literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"cast({value!r} as double)" if math.isfinite(value) else f"cast('{value}' as double)"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise TypeError("timestamps are stored naive (UTC): drop the time zone first")
        return f"timestamp '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"date '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__}")
