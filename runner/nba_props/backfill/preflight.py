"""Which dates have games, and which upstream sources each date has, read from the warehouse's raw schema.

The raw schema always exists once `nba-props load` ran (staging views may not exist yet), and its column names
are a stable contract (`loaders/registry.py`), so the runner reads raw directly. Dates in raw are text that
the importer validated; `try_cast` keeps one odd row from breaking a plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from nba_props.errors import NbaPropsError
from nba_props.warehouse import execute, table_exists

RAW = "raw"

# source label -> (raw table, raw column, its game date as an expression of {column}, filter): each counts
# rows per game date. Rows are counted per distinct raw value first: the date expression runs once per value.
BOX_SCORES = [
    ("player_game_logs", "game_date", "try_cast({column} as date)", "true"),
    ("playoff_player_boxes", "game_date", "try_cast({column} as date)", "true"),
]
SCHEDULE = [
    (
        "schedule_games",
        "game_date",
        "try_cast({column} as date)",
        "lower(coalesce(season_type, '')) <> 'preseason'",
    )
]
LINES = [
    ("rotowire_prop_snapshots", "snapshot_date_et", "try_cast({column} as date)", "lower(prop) = 'points'"),
    (
        "oddsapi_player_props",
        "commence_time",
        "cast(timezone('America/New_York', try_cast({column} as timestamptz)) as date)",
        "market_key = 'player_points'",
    ),
    ("multibook_props", "game_date", "try_cast({column} as date)", "market = 'pts'"),
]
INJURIES = [("injury_status_snapshots", "snapshot_date_et", "try_cast({column} as date)", "true")]
SOURCES = {"box_scores": BOX_SCORES, "schedule": SCHEDULE, "lines": LINES, "injuries": INJURIES}
# schedule season types whose box scores the sources carry (play-in games are not in NBA.com's game log)
BOX_SCORE_SEASON_TYPES = ("regular", "playoffs")


@dataclass(frozen=True)
class DateCheck:
    game_date: dt.date
    box_scores: int | None  # player rows; None = no such raw table
    schedule: int | None  # scheduled games (preseason excluded)
    lines: int | None  # points-line snapshot rows dated that day
    injuries: int | None  # injury-status snapshot rows dated that day
    blocking: str | None = None  # why this date should not be built without --skip-preflight

    @property
    def missing(self) -> list[str]:
        return [name for name in SOURCES if not getattr(self, name)]


def _counts(
    con: duckdb.DuckDBPyConnection, specs: list[tuple[str, str, str, str]], start: dt.date, end: dt.date
) -> dict[dt.date, int] | None:
    present = [s for s in specs if table_exists(con, RAW, s[0])]
    if not present:
        return None
    parts = [
        f"select {expr.format(column='raw_value')} as game_date, sum(n) as n from ("
        f"select {column} as raw_value, count(*) as n from {RAW}.{table} where {where} group by 1) group by 1"
        for table, column, expr, where in present
    ]
    sql = (
        f"select game_date, sum(n) from ({' union all '.join(parts)}) "
        "where game_date between ? and ? group by 1"
    )
    return {d: int(n) for d, n in execute(con, sql, [start, end]).fetchall() if d is not None}


def game_dates(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> list[dt.date]:
    """Dates in [start, end] with a box score or a scheduled (non-preseason) game."""
    boxes = _counts(con, BOX_SCORES, start, end)
    schedule = _counts(con, SCHEDULE, start, end)
    if boxes is None and schedule is None:
        raise NbaPropsError(
            "the warehouse has no box scores and no schedule (raw.player_game_logs, raw.schedule_games): "
            "run `nba-props load all <folder>` first"
        )
    return sorted(set(boxes or {}) | set(schedule or {}))


def latest_game_date(con: duckdb.DuckDBPyConnection, today: dt.date) -> dt.date | None:
    """The latest date with games on or before today: the default date of a daily build."""
    dates = game_dates(con, dt.date(1900, 1, 1), today)
    return dates[-1] if dates else None


def preflight(con: duckdb.DuckDBPyConnection, dates: Iterable[dt.date]) -> dict[dt.date, DateCheck]:
    dates = sorted(set(dates))
    if not dates:
        return {}
    start, end = dates[0], dates[-1]
    counts = {name: _counts(con, specs, start, end) for name, specs in SOURCES.items()}
    holes = _box_score_holes(con, start, end)
    checks = {}
    for day in dates:
        values = {name: (None if c is None else c.get(day, 0)) for name, c in counts.items()}
        blocking = None
        if day in holes:
            blocking = "the schedule lists games but there are no box scores, although later dates have them"
        checks[day] = DateCheck(game_date=day, blocking=blocking, **values)
    return checks


def _box_score_holes(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> set[dt.date]:
    """Scheduled regular/playoff dates without box scores before the latest box-score date: a missing load."""
    if not table_exists(con, RAW, "schedule_games"):
        return set()
    boxes = _counts(con, BOX_SCORES, dt.date(1900, 1, 1), dt.date(2999, 12, 31)) or {}
    if not boxes:
        return set()
    latest = max(boxes)
    types = ", ".join(f"'{t}'" for t in BOX_SCORE_SEASON_TYPES)
    scheduled = execute(
        con,
        f"select distinct try_cast(game_date as date) from {RAW}.schedule_games "
        f"where lower(season_type) in ({types}) and try_cast(game_date as date) between ? and ?",
        [start, min(end, latest)],
    ).fetchall()
    return {d for (d,) in scheduled if d is not None and d not in boxes}
