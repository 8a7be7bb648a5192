"""Gap resolution per player (the reference marked every gap of a date resolved after a successful date).

`feature_store_gaps` resolves gaps itself, per player-date, when a build over the date no longer sees the
problem; the runner tells it who resolved them (vars `gaps_detected_by` / `gaps_resolved_by`) and counts the
gaps that the chunk's dbt invocation resolved. If the model has no `last_invocation_id` column (an older
version), the runner resolves per player itself: a gap counts as filled only when the store now holds that
player's row for that date with no required feature defaulted; other players' gaps on the date stay open.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from nba_props.backfill.checkpoints import utcnow
from nba_props.backfill.warehouse_meta import columns, find_relation
from nba_props.warehouse import execute


def gap_vars(resolver: str) -> dict[str, str]:
    return {"gaps_detected_by": resolver, "gaps_resolved_by": resolver}


def resolved_gaps(
    con: duckdb.DuckDBPyConnection,
    start: dt.date,
    end: dt.date,
    invocation_id: str | None,
    resolver: str,
) -> int | None:
    """Gaps in [start, end] resolved by this chunk; None when the warehouse tracks no gaps."""
    gaps = find_relation(con, "feature_store_gaps")
    if gaps is None:
        return None
    gap_cols = columns(con, gaps)
    if not {"player_lookup", "game_date", "resolved_at", "resolved_by"} <= gap_cols:
        return None
    if "last_invocation_id" in gap_cols:
        (count,) = execute(
            con,
            f"select count(*) from {gaps} where last_invocation_id = ? and resolved_at is not null "
            "and game_date between ? and ?",
            [invocation_id, start, end],
        ).fetchone()
        return int(count)
    return _resolve_filled(con, gaps, start, end, resolver)


def _resolve_filled(
    con: duckdb.DuckDBPyConnection, gaps: str, start: dt.date, end: dt.date, resolver: str
) -> int:
    store = find_relation(con, "ml_feature_store_v2")
    if store is None:
        return 0
    ready = "s.required_default_count = 0" if "required_default_count" in columns(con, store) else "true"
    (count,) = execute(
        con,
        f"""
        update {gaps} as g
        set resolved_at = ?, resolved_by = ?
        from {store} as s
        where g.resolved_at is null
          and g.game_date between ? and ?
          and s.player_lookup = g.player_lookup
          and s.game_date = g.game_date
          and {ready}
        """,
        [utcnow(), resolver, start, end],
    ).fetchone()
    return int(count)
