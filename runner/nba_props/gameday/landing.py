"""The landing folder: load every new or changed file in it, with the importers of `nba-props load`.

A file whose content is already loaded is skipped by the loader (its checksum is the current one in
raw.load_log); a changed file replaces its earlier rows. A file that cannot be loaded at all (corrupt, not
the kind its name says) is recorded once in runner.landing_failures with the error and skipped from then on
while its content stays the same: one error line, not one per cycle. Its corrected version loads as usual.
Hidden files (a name starting with a dot) are never read: a scraper writes under a hidden name and renames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from nba_props.backfill.checkpoints import SCHEMA, utcnow
from nba_props.commands.load import load_jobs
from nba_props.errors import NbaPropsError
from nba_props.loaders.core import LoadResult, discover, file_sha256
from nba_props.settings import Settings
from nba_props.warehouse import connect, execute, table_exists

FAILURES = f"{SCHEMA}.landing_failures"
DDL = [
    f"create schema if not exists {SCHEMA}",
    f"""create table if not exists {FAILURES} (
        file_name varchar not null,
        kind varchar not null,
        file_sha256 varchar not null,
        error varchar not null,
        failed_at timestamp not null,
        primary key (file_name, file_sha256)
    )""",
]


@dataclass
class Landed:
    """What one look at the landing folder did."""

    loaded: list[LoadResult] = field(default_factory=list)  # loaded or replaced (new or changed content)
    unchanged: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (file, kind, error) new this time
    failed_before: int = 0  # files skipped because this content already failed
    unclaimed: list[Path] = field(default_factory=list)

    @property
    def files_seen(self) -> int:
        return len(self.loaded) + len(self.failed)

    @property
    def rows_loaded(self) -> int:
        return sum(r.rows_loaded for r in self.loaded)

    @property
    def rows_rejected(self) -> int:
        return sum(r.rows_rejected for r in self.loaded)

    def summary(self) -> str:
        text = (
            f"{self.files_seen} new or changed file(s), {self.rows_loaded:,} rows loaded, "
            f"{self.rows_rejected:,} quarantined; {self.unchanged} unchanged"
        )
        if self.failed:
            text += f"; {len(self.failed)} could not be loaded ({', '.join(f for f, _, _ in self.failed)})"
        if self.failed_before:
            text += f"; {self.failed_before} skipped (failed before, unchanged)"
        return text


@dataclass
class Landing:
    """A landing folder. Checksums are remembered per (path, size, mtime) for the life of the object, so a
    watcher does not hash every unchanged file of the folder on every cycle."""

    folder: Path
    _known: dict[Path, tuple[int, int, str]] = field(default_factory=dict)

    def sha(self, path: Path) -> str:
        stat = path.stat()
        known = self._known.get(path)
        if known and known[:2] == (stat.st_size, stat.st_mtime_ns):
            return known[2]
        digest = file_sha256(path)
        self._known[path] = (stat.st_size, stat.st_mtime_ns, digest)
        return digest

    def load(self, settings: Settings) -> Landed:
        """Load the folder's new or changed files (see the module doc)."""
        if not self.folder.is_dir():
            raise NbaPropsError(f"no landing folder at {self.folder}")
        jobs, unclaimed = discover(self.folder)
        landed = Landed(unclaimed=unclaimed)
        with connect(settings.duckdb_path) as con:
            current = _current_checksums(con)
            failed = _failed_checksums(con)
        todo = []
        for kind, path in jobs:
            digest = self.sha(path)
            if current.get((kind.name, path.name)) == digest:
                landed.unchanged += 1
            elif (path.name, digest) in failed:
                landed.failed_before += 1
            else:
                todo.append((kind, path, digest))
        if not todo:
            return landed
        results, failures = load_jobs(settings, [(k, p) for k, p, _ in todo], keep_going=True)
        for result in results:
            if result.status == "skipped":
                landed.unchanged += 1
            else:
                landed.loaded.append(result)
        if failures:
            digests = {p.name: d for _, p, d in todo}
            with connect(settings.duckdb_path) as con:
                for statement in DDL:
                    con.execute(statement)
                for file, kind, error in failures:
                    execute(
                        con,
                        f"insert or replace into {FAILURES} values (?, ?, ?, ?, ?)",
                        [file, kind, digests[file], error, utcnow()],
                    )
            landed.failed.extend(failures)
        return landed


def _current_checksums(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(kind, file name) -> the checksum of its latest load, from raw.load_log."""
    if not table_exists(con, "raw", "load_log"):
        return {}
    rows = con.execute(
        """select kind, file_name, arg_max(file_sha256, loaded_at) from raw.load_log
           where status in ('loaded', 'replaced') group by kind, file_name"""
    ).fetchall()
    return {(kind, name): sha for kind, name, sha in rows}


def _failed_checksums(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    if not table_exists(con, SCHEMA, "landing_failures"):
        return set()
    return {
        (name, sha) for name, sha in con.execute(f"select file_name, file_sha256 from {FAILURES}").fetchall()
    }


def newest_load(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """The time of the newest file load in raw.load_log (what a build started now would see)."""
    if not table_exists(con, "raw", "load_log"):
        return None
    return con.execute("select max(loaded_at) from raw.load_log").fetchone()[0]
