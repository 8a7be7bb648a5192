"""DuckDB connections for the runner's own reads and writes (loads, checkpoints, predictions)."""

from __future__ import annotations

from collections.abc import Iterator
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
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])
