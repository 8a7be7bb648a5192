"""dbt in this process, through dbtRunner; the outcome and node results come from the dbtRunnerResult.

Target path: dbt's own. The runner passes no --target-path or --log-path, so dbt writes its artifacts
(manifest.json, run_results.json, partial_parse.msgpack) and logs where `dbt` typed in the checkout does: the
project's target/ and logs/, or $DBT_TARGET_PATH and $DBT_LOG_PATH when set.

On DuckDB a process parses the project once, without vars, and hands that manifest to each of its
invocations (`dbtRunner(manifest=...)`, dbt's documented way to reuse a manifest), which compile every model
with their own --vars. dbt discards its partial-parse state whenever the command-line vars differ, so parsing
per invocation with date vars would be a full parse every time; parsing without vars keeps it valid from one
run to the next. This is exact because no model's config, refs or sources depend on a var on DuckDB
(runner/tests/test_dbt.py compares the two parses). On BigQuery the feature store's partition list does, so
each invocation parses with its own vars there.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from nba_props.errors import DbtFailure
from nba_props.settings import Settings

if TYPE_CHECKING:
    from dbt.artifacts.schemas.run import RunResult
    from dbt.contracts.graph.manifest import Manifest

FAILED = frozenset({"error", "fail", "runtime error"})


@dataclass(frozen=True)
class DbtRun:
    """One dbt invocation: its arguments, dbt's node results (RunResult), invocation id and elapsed time."""

    args: list[str]
    success: bool
    results: list[RunResult]
    invocation_id: str | None
    elapsed: float

    @property
    def failures(self) -> list[RunResult]:
        return [r for r in self.results if str(r.status) in FAILED]

    def built(self, name: str) -> bool:
        return any(r.node.name == name and str(r.status) == "success" for r in self.results)

    def error(self) -> str:
        """The failed nodes and their messages, on one line."""
        failed = self.failures
        shown = "; ".join(f"{r.node.name}: {one_line(r.message)}" for r in failed[:3])
        more = f" (+{len(failed) - 3} more)" if len(failed) > 3 else ""
        return f"{shown}{more}" if failed else "dbt reported failure without a failed node"


def vars_arg(values: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in values.items() if v is not None})


def invoke(
    settings: Settings,
    command: list[str],
    dbt_vars: dict[str, Any] | None = None,
    quiet: bool = True,
    raise_on_failure: bool = True,
) -> DbtRun:
    """`dbt COMMAND --vars DBT_VARS` (e.g. ["build", "--select", "+ml_feature_store_v2"]) on the settings'
    project, profile and target. Raises DbtFailure when dbt could not run (profile, parse, bad --vars) and,
    with RAISE_ON_FAILURE, when a node failed."""
    from dbt.cli.main import dbtRunner
    from dbt_common.invocation import get_invocation_id

    args = [*(["--quiet"] if quiet else []), *command, *settings.dbt_flags]
    if dbt_vars:
        args += ["--vars", vars_arg(dbt_vars)]
    runner = dbtRunner(manifest=parsed_manifest(settings, quiet)) if settings.is_duckdb else dbtRunner()
    res = runner.invoke(args)
    if isinstance(res.exception, KeyboardInterrupt):
        raise res.exception  # Ctrl-C reaches the caller (a backfill records the chunk as interrupted)
    if res.exception is not None or res.result is None:
        raise DbtFailure(f"dbt {command[0]} could not run: {one_line(res.exception)}")
    run = DbtRun(
        args=args,
        success=res.success,
        results=list(getattr(res.result, "results", [])),
        invocation_id=get_invocation_id(),
        elapsed=float(getattr(res.result, "elapsed_time", 0.0)),
    )
    if raise_on_failure and not run.success:
        raise DbtFailure(f"dbt {command[0]} failed: {run.error()}")
    return run


@functools.cache
def parsed_manifest(settings: Settings, quiet: bool = True) -> Manifest:
    """`dbt parse` without vars, once per process and settings (see the module's doc).

    With --no-write-json: the invocation that uses this manifest writes manifest.json itself when it ends
    (every build, run and test does), so the parse's copy would be overwritten seconds later; writing it
    costs about half a second of the parse. dbt's partial-parse state (partial_parse.msgpack) is written
    either way."""
    from dbt.cli.main import dbtRunner

    res = dbtRunner().invoke(
        [*(["--quiet"] if quiet else []), "parse", "--no-write-json", *settings.dbt_flags]
    )
    if res.exception is not None or not res.success:
        raise DbtFailure(f"dbt parse failed: {one_line(res.exception)}")
    return res.result


def one_line(value: object, limit: int = 300) -> str:
    """A dbt message (often several indented lines) squeezed onto one line."""
    text = " ".join(str(value or "").split())
    return text[:limit] if text else "unknown error"


def release_warehouse(settings: Settings) -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after an invocation (it keeps it for
    the next one, and closes it at exit with this same hook). A long-running `nba-props watch` calls it after
    each cycle so that other processes (a query, `validate-daily`, a backfill after the watcher) can open the
    warehouse file between cycles; the next invocation opens it again."""
    if settings.is_duckdb:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        DuckDBConnectionManager.close_all_connections()
