"""The JSON schemas dbt validates its configuration files with, kept from one process to the next.

dbt checks dbt_project.yml, profiles.yml, packages and selectors against JSON schemas that dbt-common derives
from dbt's dataclasses (through mashumaro) the first time a process needs each one: about 0.35 s of every
command's start-up here, spent deriving the same eight schemas again. They depend only on the installed
packages, so the runner keeps them in a JSON file in the target path, keyed by those packages' versions, and
dbt-common's own `json_schema` (per class, cached for the process) answers from it. A class the file lacks is
derived as before and added to the file; deleting the file only costs the derivation again.
"""

from __future__ import annotations

import contextlib
import functools
import json
from pathlib import Path
from typing import Any

from nba_props.cache_files import package_versions, read_versioned, write_atomically

FILE = "nba_props_json_schemas.json"
_PACKAGES = ("dbt-core", "dbt-common", "dbt-adapters", "dbt-duckdb", "dbt-bigquery", "mashumaro")

# (file, versions key, schemas read or derived in this process, whether some were derived)
_state: dict[str, Any] = {}


def use_stored_schemas(target_path: Path) -> None:
    """Make dbt-common's `dbtClassMixin.json_schema` answer from the file in TARGET_PATH (once a process)."""
    if _state:
        return
    from dbt_common.dataclass_schema import dbtClassMixin

    derive = dbtClassMixin.__dict__["json_schema"].__func__
    versions = package_versions(_PACKAGES)
    path = target_path / FILE
    schemas = read_versioned(path, versions, json.loads, "schemas")
    _state.update(path=path, versions=versions, schemas=schemas, derived=False)

    @functools.lru_cache
    def json_schema(cls: type) -> dict[str, Any]:
        name = f"{cls.__module__}.{cls.__qualname__}"
        if name not in schemas:
            # a JSON round trip, so that a stored schema and a derived one are the same value
            schemas[name] = json.loads(json.dumps(derive(cls)))
            _state["derived"] = True
        return schemas[name]

    dbtClassMixin.json_schema = classmethod(json_schema)


def save_derived_schemas() -> None:
    """Write the file when this process derived a schema it did not hold (a cache: failing costs nothing)."""
    if not _state.get("derived"):
        return
    with contextlib.suppress(TypeError, ValueError):
        data = json.dumps({"versions": _state["versions"], "schemas": _state["schemas"]})
        if write_atomically(_state["path"], data.encode()):
            _state["derived"] = False
