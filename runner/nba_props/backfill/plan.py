"""Chunking game dates into set-based dbt invocations, and the identity of a plan (for resume)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

# What a backfill rebuilds without --select: the store and the gap history, with everything upstream.
DEFAULT_SELECTION: tuple[str, ...] = ("+ml_feature_store_v2", "+feature_store_gaps")
# `dbt build` with its data tests (a day's build), or without them: models and seeds only, what `dbt run`
# builds plus the seeds the models read (a backfill, `build --skip-tests`). A data test runs only when every
# node it reads is selected (cautious): dbt's default (eager) also picks the relationships tests between the
# selected seeds and staging views outside the selection, absent from a warehouse only loaded. Unit tests
# check the SQL on fixtures, not the day's data: they run in development and CI (`make test`), as dbt
# advises, not in every production build.
WITHOUT_UNIT_TESTS: tuple[str, ...] = ("--exclude-resource-type", "unit_test")
BUILD: tuple[str, ...] = ("build", "--indirect-selection", "cautious", *WITHOUT_UNIT_TESTS)
BUILD_WITHOUT_TESTS: tuple[str, ...] = ("build", "--exclude-resource-type", "test", *WITHOUT_UNIT_TESTS)


@dataclass(frozen=True)
class Chunk:
    """One dbt invocation: every game date from start to end (inclusive) is rebuilt by it."""

    index: int
    dates: tuple[dt.date, ...]

    @property
    def start(self) -> dt.date:
        return self.dates[0]

    @property
    def end(self) -> dt.date:
        return self.dates[-1]

    @property
    def label(self) -> str:
        return f"{self.start}" if self.start == self.end else f"{self.start}..{self.end}"


@dataclass(frozen=True)
class Plan:
    dates: tuple[dt.date, ...]
    chunks: tuple[Chunk, ...]
    selection: tuple[str, ...]
    chunk_days: int
    as_of: str | None
    target: str
    extra_vars: dict[str, str] = field(default_factory=dict)
    dbt_verb: tuple[str, ...] = BUILD_WITHOUT_TESTS
    full_refresh: bool = False

    @property
    def key(self) -> str:
        """Same dates, chunking, selection, as_of, target (and full refresh) = the same plan: a run of it can
        be resumed."""
        fields = {
            "dates": [d.isoformat() for d in self.dates],
            "chunk_days": self.chunk_days,
            "selection": list(self.selection),
            "as_of": self.as_of,
            "target": self.target,
        }
        if self.full_refresh:
            fields["full_refresh"] = True
        payload = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def dbt_command(self, chunk: Chunk) -> tuple[list[str], dict[str, str]]:
        """The dbt arguments and vars of CHUNK. --full-refresh goes to the first chunk only: it rebuilds the
        incremental models from the raw tables, and the later chunks add their dates to them."""
        args = [*self.dbt_verb, "--select", *self.selection]
        if self.full_refresh and chunk.index == 0:
            args.append("--full-refresh")
        return args, chunk_vars(chunk, self.as_of, self.extra_vars)

    def by_hand(self, chunk: Chunk) -> str:
        """CHUNK's dbt command as a user would type it."""
        args, values = self.dbt_command(chunk)
        typed = ", ".join(f'{k}: "{v}"' if k == "as_of" else f"{k}: {v}" for k, v in values.items())
        return f"dbt {' '.join(args)} --vars '{{{typed}}}'"


def make_chunks(
    dates: Sequence[dt.date], chunk_days: int, all_game_dates: Sequence[dt.date] | None = None
) -> tuple[Chunk, ...]:
    """Group sorted game dates into chunks spanning at most `chunk_days` calendar days.

    A chunk is run as one `start_date..end_date` range, so it must not swallow a game date the user did not
    ask for (a `--dates` list with holes): when `all_game_dates` is given, a chunk also ends before any game
    date that is not in `dates`.
    """
    if chunk_days < 1:
        raise ValueError("chunk_days must be at least 1")
    wanted = sorted(set(dates))
    unwanted = sorted(set(all_game_dates or ()) - set(wanted))
    chunks: list[Chunk] = []
    current: list[dt.date] = []
    for day in wanted:
        if current and (
            (day - current[0]).days >= chunk_days or any(current[-1] < u < day for u in unwanted)
        ):
            chunks.append(Chunk(len(chunks), tuple(current)))
            current = []
        current.append(day)
    if current:
        chunks.append(Chunk(len(chunks), tuple(current)))
    return tuple(chunks)


def chunk_vars(chunk: Chunk, as_of: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The dbt vars of one chunk; exactly what `dbt run --vars '{...}'` by hand would pass."""
    values = {"start_date": chunk.start.isoformat(), "end_date": chunk.end.isoformat()}
    if as_of:
        values["as_of"] = as_of
    values.update(extra or {})
    return values
