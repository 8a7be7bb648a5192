"""The Python code that dataclasses and mashumaro generate while dbt is imported, compiled once and kept.

Importing dbt defines about 640 serialisable dataclasses. For each one the standard library's
`dataclasses` writes `__init__`, `__eq__`, `__repr__`, ... as source text and mashumaro writes `to_dict` and
`from_dict`, and both `exec` that text: about 3,200 compilations of 1.7 MB of source, 0.6-0.7 s of every
process that imports dbt (a quarter of the import). The text is the same in every process, so the runner keeps
the compiled code objects in a file in the target path and hands `exec` the stored code object instead of the
text.

This is exact: compiling is a pure function of the source text, the file name (always "<string>" for `exec`
of a string), the compiler flags and the optimisation level, and the stored code object is what that
compilation produced. The key is a digest of the text; the flags are those `exec` would have inherited from
the calling module (its `from __future__` imports), and the file is keyed by the versions of Python (code
objects are version-specific), the optimisation level, mashumaro and dbt-core. A source that fails to compile
is never kept: it raises from `exec` as before. Nor is a source that names a random helper (mashumaro names
the helpers of unions and typed dicts with `uuid4().hex`): it never recurs, so storing it would only grow the
file.
"""

from __future__ import annotations
import __future__

import builtins
import hashlib
import importlib
import re
import sys
from pathlib import Path
from typing import Any

from nba_props.cache_files import StoredCode, package_versions

FILE = "nba_props_generated_code.marshal"
_PACKAGES = ("mashumaro", "dbt-core", "dbt-common")
# the modules whose `exec` of generated source is answered from the file
MODULES = (
    "dataclasses",
    "mashumaro.core.meta.code.builder",
    "mashumaro.core.meta.types.common",
    "mashumaro.core.meta.types.pack",
    "mashumaro.core.meta.types.unpack",
)
# mashumaro's random_hex(): uuid4().hex
_RANDOM_NAME = re.compile(r"[0-9a-f]{32}")
# The file keeps this process's code first, then earlier code up to this many entries (stale ones age out).
MAX_ENTRIES = 12000

_store: StoredCode | None = None


def _future_flags(module: Any) -> int:
    """The compiler flags `exec` of a string inherits from code in MODULE: its `from __future__` imports."""
    flags = 0
    for value in vars(module).values():
        if isinstance(value, __future__._Feature):
            flags |= value.compiler_flag
    return flags


def _stored_exec(store: StoredCode, flags: int) -> Any:
    def exec(source, globals=None, locals=None, /):  # noqa: A001, A002 - the builtin's own signature
        if not isinstance(source, str) or _RANDOM_NAME.search(source):
            return builtins.exec(source, globals, locals)
        key = hashlib.sha256(f"{flags}:{source}".encode()).hexdigest()
        code = store.compiled(
            key, lambda: compile(source, "<string>", "exec", flags=flags, dont_inherit=True)
        )
        return builtins.exec(code, globals, locals)

    return exec


def use_stored_code(target_path: Path) -> None:
    """Make the generators' `exec` answer from the file in TARGET_PATH (once a process, before dbt's import
    to be of use)."""
    global _store
    if _store is not None:
        return
    versions = {**package_versions(_PACKAGES), "optimize": sys.flags.optimize}
    _store = StoredCode(target_path / FILE, versions, MAX_ENTRIES)
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a mashumaro without that module: its code is compiled as before
            continue
        # a module-level name shadows the builtin for the module's own functions
        module.exec = _stored_exec(_store, _future_flags(module))


def save_generated_code() -> None:
    """Write the file when this process compiled code the file lacked."""
    if _store is not None:
        _store.save()
