"""dbt invoked in-process through dbtRunner; outcomes read from run_results.json, as dbt-core's CLI does."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nba_props.errors import DbtFailure, NbaPropsError
from nba_props.settings import Settings

# dbtRunner keeps global state: one runner per process, one invocation at a time.
_RUNNER_LOCK = threading.Lock()
_RUNNER: Any = None


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


def _runner() -> Any:
    global _RUNNER
    if _RUNNER is None:
        from dbt.cli.main import dbtRunner

        _RUNNER = dbtRunner()
    return _RUNNER


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
    args = [
        *command,
        "--project-dir",
        str(settings.project_dir),
        "--profiles-dir",
        str(settings.profiles_dir),
        "--target",
        settings.target,
        "--target-path",
        str(target_path),
    ]
    if dbt_vars:
        args += ["--vars", vars_arg(dbt_vars)]
    global_flags = ["--quiet"] if quiet else []
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    run_results = target_path / "run_results.json"
    with _RUNNER_LOCK:
        if run_results.exists():
            run_results.unlink()
        result = _runner().invoke([*global_flags, *args])
    if result.exception is not None and not run_results.exists():
        raise NbaPropsError(f"dbt {command[0]} could not start: {_first_line(result.exception)}")
    run = _read_run_results(args, run_results, bool(result.success))
    if raise_on_failure and not run.success:
        failed = ", ".join(
            f"{n.unique_id.split('.')[-1]} ({_first_line(n.message)})" for n in run.failures[:5]
        )
        raise DbtFailure(f"dbt {command[0]} failed: {failed or _first_line(result.exception)}")
    return run


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
