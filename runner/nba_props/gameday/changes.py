"""What landed files change for a game date, and the dbt selection that rebuilds exactly that.

A file changes the raw table it was loaded into; the models to rebuild are those downstream of that table's
dbt source and upstream of what the predictions read (the store, its gap history and the market features):
dbt's own intersection, `source:rotowire.rotowire_prop_snapshots+,+ml_feature_store_v2`. Everything else the
store reads for the date stands as the morning's build left it. A line snapshot rebuilds the line models and
the store; a late box score rebuilds nearly everything, as it should.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from nba_props import dbt
from nba_props.loaders.registry import KINDS
from nba_props.predictions.build import SELECTION
from nba_props.settings import Settings
from nba_props.warehouse import execute, table_exists

# raw tables of the kinds snapshotted during the day (lines, injury reports): the sources bounded by as_of
SNAPSHOT_TABLES = frozenset(kind.table for kind in KINDS.values() if kind.snapshot_time)


def loads_since(con: duckdb.DuckDBPyConnection, since: dt.datetime | None) -> list[tuple[str, int]]:
    """(raw table, rows loaded) of the file loads in raw.load_log after SINCE (every load when None)."""
    if not table_exists(con, "raw", "load_log"):
        return []
    rows = execute(
        con,
        "select raw_table, sum(rows_loaded) from raw.load_log where status in ('loaded', 'replaced') "
        "and (? is null or loaded_at > ?) group by raw_table order by raw_table",
        [since, since],
    ).fetchall()
    return [(table, int(n or 0)) for table, n in rows]


def source_selectors(settings: Settings, raw_tables: list[str]) -> list[str]:
    """`source:<source>.<table>` of each raw table that is a dbt source of the project."""
    manifest = dbt.parsed_manifest(settings)
    wanted = set(raw_tables)
    found = {
        f"source:{source.source_name}.{source.name}"
        for source in manifest.sources.values()
        if source.package_name == manifest.metadata.project_name and source.identifier in wanted
    }
    return sorted(found)


def selection(settings: Settings, raw_tables: list[str] | None) -> tuple[str, ...]:
    """The models to rebuild for files loaded into RAW_TABLES (None: everything the predictions read), as of
    a later time than the last build: with them, the models of every snapshot source, whose rows taken
    between the two times become visible (bounded by as_of) even when they were loaded earlier."""
    if raw_tables is None:
        return SELECTION
    tables = sorted(set(raw_tables) | SNAPSHOT_TABLES)
    return tuple(
        f"{source}+,{target}" for source in source_selectors(settings, tables) for target in SELECTION
    )
