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

# Rows per row group when the warehouse is attached as the dbt profile attaches it (settings.load_settings
# reads it from profiles.yml); None: the file is opened directly, as a profile with a file `path` does.
_ROW_GROUP_SIZE: int | None = None
# The profile's config_options: the options the in-memory database the file is attached to is created with.
_DATABASE_CONFIG: dict[str, str] = {}


def attach_like_profile(row_group_size: int | None, database_config: dict[str, str] | None = None) -> None:
    """Open the warehouse the way dbt's profile does: attached with ROW_GROUP_SIZE rows per row group to an
    in-memory database created with DATABASE_CONFIG, or (None) opened directly. The two must agree: a
    checkpoint by a connection of the other kind merges the small row groups of every table into big ones
    (4.4 s for the raw tables of ../shared/data), and DuckDB refuses a second connection to a database with
    other options than it was created with."""
    global _ROW_GROUP_SIZE, _DATABASE_CONFIG
    _ROW_GROUP_SIZE = row_group_size
    _DATABASE_CONFIG = dict(database_config or {})


@contextmanager
def connect(
    path: Path, read_only: bool = False, must_exist: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse file; a lock held by another process becomes one readable error.

    With the dev target of profiles.yml.example (attach_like_profile), the file is attached to an in-memory
    database named after it, as dbt attaches it, so that tables are written in small row groups (an ATTACH
    option; a file opened directly always gets DuckDB's 122,880 rows). Most of the project's tables are
    smaller than 122,880 rows: in one row group, DuckDB scans them on one thread and keeps them in the
    write-ahead log until a checkpoint compresses them on one thread at the end of the process (about 2 s
    for a season). In small row groups they are scanned in parallel, and written and compressed as the
    query that makes them runs. Within one process the runner and dbt share that database (DuckDB caches
    named in-memory databases)."""
    if (must_exist or read_only) and not path.exists():
        raise NbaPropsError(f"no warehouse at {path}: run `nba-props load` first (or `make demo`)")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = _attached(path, read_only, _ROW_GROUP_SIZE) if _ROW_GROUP_SIZE else _opened(path, read_only)
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


def _opened(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.ConnectionException:
        # dbt (in this process, through dbtRunner) still holds the file read-write; DuckDB refuses a second
        # connection with another configuration, so share its mode.
        if not read_only:
            raise
        return duckdb.connect(str(path))


def _attached(path: Path, read_only: bool, row_group_size: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(f":memory:{path}", config=_DATABASE_CONFIG)
    alias = quote_identifier(catalog_name(path))
    options = f"ROW_GROUP_SIZE {int(row_group_size)}" + (", READ_ONLY" if read_only else "")
    try:
        # attached already when another connection of this process (dbt's, the runner's) holds it: use that
        # one, in its mode (DuckDB refuses to attach a file read-only that is attached read-write)
        held = execute(con, "select count(*) from duckdb_databases() where path = ?", [str(path)]).fetchone()
        if not held[0]:
            con.execute(f"ATTACH IF NOT EXISTS {sql_literal(str(path))} AS {alias} ({options})")
    except duckdb.BinderException as exc:
        con.close()
        if "file handle conflict" not in str(exc).lower():
            raise
        # dbt, in this process, opened the file itself (a profile without the attach): share its database
        return duckdb.connect(str(path))
    con.execute(f"USE {alias}")
    return con


def catalog_name(path: Path) -> str:
    """The name DuckDB gives the file's catalog when it opens it (`duckdb nba-props.duckdb` -> nba-props,
    my.db.duckdb -> my): the name dbt's relations and views use, so the profile attaches the file under it."""
    return path.name.lstrip(".").split(".")[0]


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
