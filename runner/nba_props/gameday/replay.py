"""Replaying a day: a snapshot file that holds many snapshots (the bundled sample's Rotowire file holds every
hourly snapshot of a season) split into the files a scraper would have landed, one per snapshot.

Used by `nba-props demo`, the replay test and scripts/bench_game_day.py: it reads the file and writes new
ones, never changing the original. The snapshot files of DAY are named `<kind prefix><UTC time>.csv` so that
`nba-props load` recognises them; the rest of the file (every other day) can be written under the original
name, so that loading it replaces the full file's rows in a warehouse that had them.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from nba_props.errors import NbaPropsError
from nba_props.loaders.core import match_kind

EASTERN = ZoneInfo("America/New_York")


def _open(path: Path, mode: str) -> io.TextIOBase:
    """A text file, gzip-compressed when its name says so (written reproducibly: no time in the header)."""
    if path.suffix != ".gz":
        return open(path, mode, encoding="utf-8", newline="")  # noqa: SIM115 - the caller closes it
    binary = gzip.GzipFile(path, mode.replace("t", "b"), compresslevel=6, mtime=0)
    return io.TextIOWrapper(binary, encoding="utf-8", newline="")


def _snapshot_time(text: str) -> dt.datetime | None:
    try:
        ts = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC)


def split_day(source: Path, day: dt.date, out_dir: Path, rest_dir: Path | None = None) -> list[Path]:
    """Write each snapshot taken on DAY (US Eastern) in SOURCE to its own CSV in OUT_DIR, oldest first, and
    return their paths; with REST_DIR, also write the file's other rows there under SOURCE's name."""
    kind = match_kind(source)
    if kind is None or kind.snapshot_time is None:
        raise NbaPropsError(
            f"{source.name} is not a snapshot file (rotowire_props_*, injury_status_snapshots_*)"
        )
    prefix = kind.patterns[0].split("*")[0]
    out_dir.mkdir(parents=True, exist_ok=True)
    if rest_dir is not None:
        rest_dir.mkdir(parents=True, exist_ok=True)
    snapshots: dict[dt.datetime, list[list[str]]] = {}
    with _open(source, "rt") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        column = [c.strip().lower() for c in header].index(kind.snapshot_time)
        rest_file = _open(rest_dir / source.name, "wt") if rest_dir is not None else None
        try:
            rest = csv.writer(rest_file) if rest_file is not None else None
            if rest is not None:
                rest.writerow(header)
            for row in reader:
                ts = _snapshot_time(row[column]) if len(row) > column else None
                if ts is not None and ts.astimezone(EASTERN).date() == day:
                    snapshots.setdefault(ts.astimezone(dt.UTC), []).append(row)
                elif rest is not None:
                    rest.writerow(row)
        finally:
            if rest_file is not None:
                rest_file.close()
    if not snapshots:
        raise NbaPropsError(f"{source.name} has no snapshot taken on {day}")
    paths = []
    for ts in sorted(snapshots):
        path = out_dir / f"{prefix}{ts:%Y-%m-%dT%H%M%SZ}.csv"
        with _open(path, "wt") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(snapshots[ts])
        paths.append(path)
    return paths


def snapshot_time(path: Path) -> dt.datetime:
    """The UTC time in the name of a file written by split_day."""
    stamp = path.name.rsplit("_", 1)[-1].removesuffix(".csv")
    return dt.datetime.strptime(stamp, "%Y-%m-%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def land(path: Path, landing: Path) -> Path:
    """Put PATH into the landing folder as a scraper should: written under a hidden name, then renamed, so a
    watcher never reads half a file."""
    landing.mkdir(parents=True, exist_ok=True)
    hidden = landing / f".{path.name}.part"
    hidden.write_bytes(path.read_bytes())
    return hidden.rename(landing / path.name)
