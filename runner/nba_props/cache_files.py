"""Files the runner keeps in dbt's target path to spare later processes work (the pickled manifest, dbt's JSON
schemas, the compiled Jinja templates and generated Python code). Each is a cache: it is written whole or not
at all, and a file that is missing, unreadable or written by other package versions only costs the work
again."""

from __future__ import annotations

import contextlib
import marshal
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


class StoredCode:
    """Compiled code objects kept in a marshal file from one process to the next, each under a key that stands
    for everything its compilation depended on (the caller's to choose); the file as a whole is keyed by
    VERSIONS. The file keeps this process's code first, then earlier code up to MAX_ENTRIES (stale entries
    age out)."""

    def __init__(self, path: Path, versions: dict[str, Any], max_entries: int) -> None:
        self.path = path
        self.versions = versions
        self.max_entries = max_entries
        self.code: dict[str, bytes] = read_versioned(path, versions, marshal.loads, "code")
        self.used: dict[str, bytes] = {}  # keys read or added by this process
        self.added = False  # whether this process compiled code the file lacks

    def compiled(self, key: str, compile_source: Callable[[], Any]) -> Any:
        """The code stored under KEY, else compile_source()'s (stored; an exception is not)."""
        stored = self.code.get(key)
        if stored is not None:
            with contextlib.suppress(ValueError, EOFError, TypeError):
                code = marshal.loads(stored)
                self.used[key] = stored
                return code
        code = compile_source()
        self.used[key] = self.code[key] = marshal.dumps(code)
        self.added = True
        return code

    def save(self) -> None:
        """Write the file when this process compiled code it lacked (a cache: failing costs nothing)."""
        if not self.added:
            return
        kept = dict(self.used)
        for key, code in self.code.items():
            if len(kept) >= self.max_entries:
                break
            kept.setdefault(key, code)
        with contextlib.suppress(TypeError, ValueError):
            if write_atomically(self.path, marshal.dumps({"versions": self.versions, "code": kept})):
                self.added = False
