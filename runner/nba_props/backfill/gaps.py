"""Gap resolution per player: `feature_store_gaps` opens and resolves gaps itself, per player-date, and stamps
each row it touched with the dbt invocation id; the runner only counts what a chunk's invocation resolved."""

from __future__ import annotations

import datetime as dt

import duckdb

from nba_props.backfill.warehouse_meta import columns, find_relation
from nba_props.warehouse import execute


def gap_vars(resolver: str) -> dict[str, str]:
    """The vars that tell feature_store_gaps who detected and resolved its gaps (its default: build)."""
    return {"gaps_detected_by": resolver, "gaps_resolved_by": resolver}


def resolved_gaps(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, invocation_id: str | None
) -> int | None:
    """Gaps in [start, end] that dbt invocation INVOCATION_ID resolved; None without a gap history."""
    gaps = find_relation(con, "feature_store_gaps")
    if gaps is None or not {"last_invocation_id", "resolved_at"} <= columns(con, gaps):
        return None
    (count,) = execute(
        con,
        f"select count(*) from {gaps} where last_invocation_id = ? and resolved_at is not null "
        "and game_date between ? and ?",
        [invocation_id, start, end],
    ).fetchone()
    return int(count)
