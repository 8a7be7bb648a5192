"""Content hashes of warehouse tables, to prove that two builds produced the same rows (idempotence, resume).

Columns that record *when* or *by which invocation* a row was written differ between two correct runs, so
they are left out; everything else (every feature value, source, reason, quality field) is hashed. The hash
does not depend on row order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from nba_props.backfill.warehouse_meta import find_relation
from nba_props.warehouse import execute

# bookkeeping columns of the store and the gap history: build time, invocation, run-derived ids
VOLATILE_COLUMNS = frozenset(
    {"built_at", "detected_at", "resolved_at", "gap_id", "last_invocation_id", "invocation_id", "run_id"}
)


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    distinct_keys: int
    digest: str


def fingerprint(
    con: duckdb.DuckDBPyConnection,
    name: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    key: tuple[str, ...] = ("player_lookup", "game_date"),
    exclude: frozenset[str] = VOLATILE_COLUMNS,
) -> Fingerprint:
    relation = find_relation(con, name)
    if relation is None:
        raise LookupError(f"no table {name} in the warehouse")
    schema, table = relation.split(".", 1)
    cols = [
        r[0]
        for r in execute(
            con,
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "and table_catalog = current_database() order by ordinal_position",
            [schema, table],
        ).fetchall()
        if r[0] not in exclude
    ]
    where, params = "true", []
    if start is not None:
        where, params = "game_date between ? and ?", [start, end or start]
    quoted = ", ".join(f'"{c}"' for c in cols)
    keys = ", ".join(f'"{k}"' for k in key)
    rows, distinct, digest = execute(
        con,
        f"""
        with hashed as (
            select md5(cast(row({quoted}) as varchar)) as h, ({keys}) as k from {relation} where {where}
        )
        select count(*), count(distinct k), coalesce(md5(string_agg(h, '' order by h)), '') from hashed
        """,
        params,
    ).fetchone()
    return Fingerprint(int(rows), int(distinct), str(digest))
