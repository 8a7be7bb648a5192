"""dbt invoked in-process through dbtRunner; outcomes read from run_results.json, as dbt-core's CLI does.

On the DuckDB target the project is parsed once per process *without* vars and that manifest is handed to
every later invocation (`dbtRunner(manifest=...)`): dbt re-renders each model's SQL with the invocation's own
`--vars` at compile time, so a backfill's chunks and a day's build skip parsing altogether. Parsing without
vars also keeps dbt's partial-parse state valid from one process to the next (dbt discards it whenever the
command-line vars differ, and the date vars differ on every run). This is exact only because no model's
*config* depends on a var on DuckDB (the store's BigQuery partition list does, so BigQuery parses per call).

The parsed manifest is also pickled into the target path, keyed by everything the parse reads (every project
file's path, size and mtime, profiles.yml, the environment variables the project and profile name in
env_var(), the dbt and adapter versions, the command-line arguments): the next process with the same key loads
it in about 0.15 s instead of dbt's partial parse (1.1-1.5 s here). Any change of the key parses again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import os
import pickle
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nba_props.cache_files import write_atomically
from nba_props.dbt_schemas import save_derived_schemas, use_stored_schemas
from nba_props.dbt_templates import save_compiled_templates, use_stored_templates
from nba_props.errors import DbtFailure, NbaPropsError
from nba_props.generated_code import save_generated_code, use_stored_code
from nba_props.settings import Settings

# dbtRunner keeps global state: one runner per process, one invocation at a time.
_RUNNER_LOCK = threading.Lock()
_RUNNER: Any = None
_INVOKED = False  # whether this process has invoked dbt yet
# (project, profiles, target, target path, warehouse) -> (project files fingerprint, parsed Manifest)
_MANIFESTS: dict[tuple[str, ...], tuple[tuple, Any]] = {}
_MANIFEST_VERBS = frozenset({"run", "build", "seed", "test", "ls", "list", "compile", "show"})
_WRITES_RESULTS = frozenset({"run", "build", "seed", "test"})
_PROJECT_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots", "analyses")
MANIFEST_CACHE = "nba_props_manifest.pickle"
_ENV_VAR_NAME = re.compile(r"""env_var\(\s*['"](\w+)['"]""")


@dataclass
class NodeResult:
    unique_id: str
    status: str
    execution_time: float
    message: str | None
    rows_affected: int | None


@dataclass
class DbtRun:
    args: list[str]
    success: bool
    invocation_id: str | None
    elapsed: float
    nodes: list[NodeResult] = field(default_factory=list)

    @property
    def failures(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in {"error", "fail", "runtime error"}]


def _runner(target_path: Path | None = None) -> Any:
    """The process's dbtRunner; the first call imports dbt, with the generated code that TARGET_PATH keeps
    (nba_props.generated_code)."""
    global _RUNNER
    if _RUNNER is None:
        if target_path is not None:
            use_stored_code(target_path)
        # importing dbt makes about 135 k collectable objects (modules, classes, generated code) that live as
        # long as the process: no collector passes while they are made (0.25 s), none walk them afterwards
        with collector_paused():
            from dbt.cli.main import dbtRunner

            _RUNNER = dbtRunner()
            # frozen before the collector is back: its first pass would otherwise walk all of them (0.17 s)
            gc.freeze()
    return _RUNNER


def ensure_imported(target_path: Path) -> None:
    """dbt imported in this process, with the generated code TARGET_PATH keeps. Before the runner imports
    any dbt module of its own."""
    _runner(target_path)


def _target_path(common: list[str]) -> Path:
    return Path(common[common.index("--target-path") + 1])


def _project_fingerprint(project_dir: Path, profiles_dir: Path) -> tuple:
    """Every project file's path, size and mtime: a reused manifest is dropped as soon as one changes."""
    files = [project_dir / "dbt_project.yml", profiles_dir / "profiles.yml"]
    for folder in _PROJECT_FOLDERS:
        if (project_dir / folder).is_dir():
            files.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    stats = []
    for path in sorted(files):
        with contextlib.suppress(OSError):
            st = path.stat()
            stats.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(stats)


def _manifest_key(settings: Settings, common: list[str]) -> tuple[str, ...]:
    return (*common, str(settings.duckdb_path))


def _parse_inputs_digest(settings: Settings, key: tuple[str, ...], fingerprint: tuple) -> str:
    """A digest of everything a parse without vars reads, for the pickled manifest (see the module doc)."""
    from dbt.adapters.duckdb.__version__ import version as duckdb_adapter_version
    from dbt.version import __version__ as dbt_version

    env_names: set[str] = set()
    for path, _, _ in fingerprint:
        if path.endswith((".yml", ".yaml", ".sql")):
            with contextlib.suppress(OSError, UnicodeDecodeError):
                env_names.update(_ENV_VAR_NAME.findall(Path(path).read_text()))
    payload = {
        "python": sys.version,
        "dbt": dbt_version,
        "adapter": duckdb_adapter_version,
        "key": key,
        "files": fingerprint,
        "env": {name: os.environ.get(name) for name in sorted(env_names)},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _load_pickled_manifest(path: Path, digest: str) -> Any:
    from dbt.contracts.graph.manifest import Manifest

    try:
        with path.open("rb") as f:
            stored_digest, fields = pickle.load(f)
        if stored_digest != digest:
            return None
        return Manifest(**fields)
    except Exception:  # absent, truncated, or pickled by other code: parse instead
        return None


def _save_pickled_manifest(path: Path, digest: str, manifest: Any) -> None:
    # the public fields only: Manifest's own __reduce_ex__ (dbt-core 1.11) passes its lookup caches in the
    # wrong positions, and the private fields are caches and a lock that the constructor rebuilds
    fields = {
        f.name: getattr(manifest, f.name) for f in dataclasses.fields(manifest) if not f.name.startswith("_")
    }
    with contextlib.suppress(Exception):  # a cache: failing to write it only costs the next parse
        write_atomically(path, pickle.dumps((digest, fields), protocol=pickle.HIGHEST_PROTOCOL))


def parsed_manifest(settings: Settings, common: list[str], log_path: str | None) -> Any:
    """The project's manifest parsed without vars, once per project state (DuckDB only): from this process's
    memory, else from the pickle an earlier process left in the target path, else from `dbt parse`."""
    key = _manifest_key(settings, common)
    fingerprint = _project_fingerprint(settings.project_dir, settings.profiles_dir)
    cached = _MANIFESTS.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    target_path = _target_path(common)
    _runner(target_path)  # dbt's modules, which unpickling needs too
    save_generated_code()
    digest = _parse_inputs_digest(settings, key, fingerprint)
    pickled = target_path / MANIFEST_CACHE
    with collector_paused():
        manifest = _load_pickled_manifest(pickled, digest)
        if manifest is not None:
            gc.freeze()  # kept for the rest of the process: frozen before the collector's first pass walks it
    if manifest is None:
        # no manifest.json: this process hands the object to its invocations (partial_parse.msgpack is still
        # saved)
        args = ["--quiet", "--no-write-json", "parse", *common]
        if log_path:
            args += ["--log-path", log_path]
        with collector_paused():
            result = _runner().invoke(args)
        if not result.success or result.result is None:
            return None  # the real command reports the problem (profile, project, syntax) in its own words
        manifest = result.result
        _save_pickled_manifest(pickled, digest, manifest)
        gc.collect()  # the parse's own garbage first: what is frozen is never freed
        gc.freeze()
    _MANIFESTS[key] = (fingerprint, manifest)
    return manifest


def run_with_manifest(settings: Settings, args: list[str], common: list[str]) -> Any:
    """dbtRunner.invoke(args), reusing this process's parsed manifest where that is exact (see above), the
    JSON schemas dbt validates its configuration with (nba_props.dbt_schemas) and the Jinja templates it
    compiles (nba_props.dbt_templates)."""
    global _INVOKED
    target_path = _target_path(common)
    _runner(target_path)
    use_stored_schemas(target_path)
    use_stored_templates(target_path)
    if _INVOKED and not gc.isenabled():
        gc.collect()  # a process that keeps the collector off (the CLI) frees one invocation's cycles here
    _INVOKED = True
    try:
        with collector_paused():
            return _run_with_manifest(settings, args, common)
    finally:
        save_derived_schemas()
        save_compiled_templates()
        save_generated_code()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the block (a dbt invocation, the parse, dbt's import, the manifest
    load), restored as it was after it. dbt allocates heavily for every node, so the collector ran about 800
    times in a season's invocation, each full pass walking the whole heap (the parsed manifest included) with
    the GIL held: 0.6-1.2 s here. The season's peak RSS stayed the same without it (1.1-1.2 GB).

    Restoring it has a price too: the first pass after the block walks everything the block made that is
    still alive (0.17 s after dbt's import, 0.24 s after a season's invocation). So what is kept for the
    process is frozen inside the block, and the CLI (nba_props.cli.run) keeps the collector off altogether:
    run_with_manifest then collects once before each invocation but the first, never after the last."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _run_with_manifest(settings: Settings, args: list[str], common: list[str]) -> Any:
    from dbt.cli.main import dbtRunner

    verb = next((a for a in args if not a.startswith("-")), "")
    if not settings.is_duckdb or verb not in _MANIFEST_VERBS:
        return _runner().invoke(args)
    log_path = args[args.index("--log-path") + 1] if "--log-path" in args else None
    manifest = parsed_manifest(settings, common, log_path)
    if manifest is None:
        return _runner().invoke(args)
    if verb not in _WRITES_RESULTS:
        return dbtRunner(manifest=manifest).invoke(args)
    # dbt would re-serialise the whole (unchanged) manifest after every run (1.5 s here); write only the run's
    # results, the same artifact dbt writes, to the same place
    result = dbtRunner(manifest=manifest).invoke(["--no-write-json", *args])
    if hasattr(result.result, "write"):
        target_path = _target_path(common)
        result.result.write(str(target_path / "run_results.json"))
    return result


def manifest_graph(settings: Settings, target_path: Path) -> dict:
    """Nodes, macros and sources of the manifest the last invocation used, in manifest.json's shape."""
    common = common_args(settings, target_path)
    cached = _MANIFESTS.get(_manifest_key(settings, common))
    if cached is None:
        return json.loads((target_path / "manifest.json").read_text())
    manifest = cached[1]
    return {
        "nodes": {
            uid: {
                "name": node.name,
                "resource_type": str(node.resource_type),
                "raw_code": getattr(node, "raw_code", ""),
                "checksum": {"checksum": node.checksum.checksum},
                "depends_on": {
                    "nodes": list(getattr(node.depends_on, "nodes", [])),
                    "macros": list(node.depends_on.macros),
                },
            }
            for uid, node in manifest.nodes.items()
        },
        "macros": {
            uid: {"macro_sql": macro.macro_sql, "depends_on": {"macros": list(macro.depends_on.macros)}}
            for uid, macro in manifest.macros.items()
        },
        "sources": {
            uid: {"schema": source.schema, "identifier": source.identifier}
            for uid, source in manifest.sources.items()
        },
    }


def vars_arg(values: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in values.items() if v is not None})


def invoke(
    settings: Settings,
    command: list[str],
    dbt_vars: dict[str, Any] | None = None,
    target_path: Path | None = None,
    quiet: bool = True,
    raise_on_failure: bool = True,
) -> DbtRun:
    """Run one dbt command (e.g. ["build", "--select", "+ml_feature_store_v2"]) and return its results."""
    target_path = target_path or settings.project_dir / "target"
    common = common_args(settings, target_path)
    args = [*command, *common]
    if dbt_vars:
        args += ["--vars", vars_arg(dbt_vars)]
    global_flags = ["--quiet"] if quiet else []
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    run_results = target_path / "run_results.json"
    with _RUNNER_LOCK:
        if run_results.exists():
            run_results.unlink()
        result = run_with_manifest(settings, [*global_flags, *args], common)
    if result.exception is not None and not run_results.exists():
        raise NbaPropsError(f"dbt {command[0]} could not start: {_first_line(result.exception)}")
    run = _read_run_results(args, run_results, bool(result.success))
    if raise_on_failure and not run.success:
        failed = ", ".join(
            f"{n.unique_id.split('.')[-1]} ({_first_line(n.message)})" for n in run.failures[:5]
        )
        raise DbtFailure(f"dbt {command[0]} failed: {failed or _first_line(result.exception)}")
    return run


def common_args(settings: Settings, target_path: Path) -> list[str]:
    return [
        "--project-dir",
        str(settings.project_dir),
        "--profiles-dir",
        str(settings.profiles_dir),
        "--target",
        settings.target,
        "--target-path",
        str(target_path),
    ]


def _read_run_results(args: list[str], path: Path, success: bool) -> DbtRun:
    if not path.exists():
        return DbtRun(args=args, success=success, invocation_id=None, elapsed=0.0)
    data = json.loads(path.read_text())
    nodes = [
        NodeResult(
            unique_id=r["unique_id"],
            status=str(r["status"]),
            execution_time=float(r.get("execution_time") or 0.0),
            message=r.get("message"),
            rows_affected=(r.get("adapter_response") or {}).get("rows_affected"),
        )
        for r in data.get("results", [])
    ]
    return DbtRun(
        args=args,
        success=success,
        invocation_id=data.get("metadata", {}).get("invocation_id"),
        elapsed=float(data.get("elapsed_time") or 0.0),
        nodes=nodes,
    )


def _first_line(value: object) -> str:
    text = str(value or "").strip()
    return text.splitlines()[0][:300] if text else "unknown error"
