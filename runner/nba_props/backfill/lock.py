"""One writer at a time: an exclusive flock on a file beside the warehouse, held for a whole build/backfill.

DuckDB's own file lock is not enough: the runner closes its connection while dbt runs (dbt opens the file
itself), so between two chunks another process could slip in. The kernel releases a flock when its holder
dies, even by SIGKILL, so a crashed run never leaves a stale lock behind.

The lock belongs to the process, as the flock does: `daily` and `watch` hold it for their whole run, and the
build they call inside takes it again without conflict (a nested hold in the holding process is counted, not
re-acquired). Any other process gets the one-line message.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nba_props.backfill.checkpoints import utcnow
from nba_props.errors import WarehouseLockedError

# lock file -> how many nested holds this process has on it (the kernel's flock is per process as well)
_held: dict[str, int] = {}


def lock_path(settings_path: Path) -> Path:
    return settings_path.with_name(settings_path.name + ".runner.lock")


@contextmanager
def runner_lock(path: Path, what: str) -> Iterator[None]:
    """Hold the runner lock at PATH while the block runs; another process gets WarehouseLockedError."""
    key = str(path.resolve())
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            raise WarehouseLockedError(
                f"another nba-props {holder.get('what', 'run')} (pid {holder.get('pid', '?')}, started "
                f"{holder.get('started_at', '?')} UTC) is writing to this warehouse; wait for it to finish "
                f"(lock file {path})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(
            fd,
            json.dumps(
                {"what": what, "pid": os.getpid(), "started_at": f"{utcnow():%Y-%m-%d %H:%M:%S}"}
            ).encode(),
            0,
        )
        _held[key] = 1
        try:
            yield
        finally:
            _held.pop(key, None)
    finally:
        # closing the descriptor releases the flock
        os.close(fd)


def _read_holder(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        return {}
