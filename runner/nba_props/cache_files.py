"""Files the runner keeps in dbt's target path to spare later processes work (the pickled manifest, dbt's JSON
schemas, the compiled Jinja templates). Each is a cache: it is written whole or not at all, and a file that is
missing, unreadable or written by other package versions only costs the work again."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any


def package_versions(packages: Iterable[str]) -> dict[str, str | None]:
    """Python's version and each installed package's (None when absent): what a stored file is keyed by."""
    found: dict[str, str | None] = {"python": sys.version}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def read_versioned(
    path: Path, versions: dict[str, str | None], loads: Callable[[bytes], Any], field: str
) -> dict[str, Any]:
    """FIELD of a file holding {"versions": ..., FIELD: ...}, or {} when it is absent, unreadable or written
    under other VERSIONS."""
    with contextlib.suppress(OSError, ValueError, EOFError, AttributeError, KeyError, TypeError):
        data = loads(path.read_bytes())
        if data["versions"] == versions:
            return dict(data[field])
    return {}


def write_atomically(path: Path, data: bytes) -> bool:
    """Write DATA to PATH through a partial file of this process, so that no reader sees half a file."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")  # two processes never share a partial file
        partial.write_bytes(data)
        partial.replace(path)
        return True
    return False
