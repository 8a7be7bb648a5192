"""The watcher's clock: the wall clock, or (replays) the newest snapshot time among the files it loaded.

With `--now-from-files` a replay runs at the speed files land: when the 16:08 UTC snapshot lands, the watcher
acts as it would have at 16:08 (the store is built as of that time and the predictions carry it as their
as_of). Only snapshot kinds count (loaders.registry: `snapshot_time`), and only the files this watcher loaded:
the folder's history, loaded before (a season's injury file, the morning's snapshot), does not move the clock.
Until a snapshot file lands, the clock has no time and the watcher waits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from nba_props.loaders.core import RAW_SCHEMA, LoadResult
from nba_props.loaders.registry import KINDS
from nba_props.settings import Settings
from nba_props.warehouse import connect, execute, quote_identifier, table_exists


def wall_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class FilesClock:
    """Now = the newest snapshot time in the snapshot files loaded so far (never going back)."""

    _files: dict[str, set[str]] = field(default_factory=dict)  # kind -> file names loaded by this watcher
    _now: dt.datetime | None = None

    def saw(self, loaded: Iterable[LoadResult]) -> None:
        for result in loaded:
            if KINDS[result.kind].snapshot_time:
                self._files.setdefault(result.kind, set()).add(result.file)

    def now(self, settings: Settings) -> dt.datetime | None:
        newest = None
        with connect(settings.duckdb_path, read_only=True) as con:
            for kind_name, names in self._files.items():
                kind = KINDS[kind_name]
                if not table_exists(con, RAW_SCHEMA, kind.table):
                    continue
                places = ", ".join("?" for _ in names)
                (value,) = execute(
                    con,
                    f"select max(try_cast({quote_identifier(kind.snapshot_time)} as timestamptz)) "
                    f"from {RAW_SCHEMA}.{kind.table} where _source_file in ({places})",
                    sorted(names),
                ).fetchone()
                if value is not None:
                    value = value.astimezone(dt.UTC)
                    newest = value if newest is None else max(newest, value)
        if newest is not None and (self._now is None or newest > self._now):
            self._now = newest
        return self._now
