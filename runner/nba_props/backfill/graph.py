"""Which models of a selection depend on the date range, so a backfill builds the others only once.

A model whose SQL (or a macro it calls) reads `var('start_date')` / `var('end_date')` is *date-bounded*: its
output depends on the chunk, so it runs in every chunk, and so does everything downstream of it. The rest
(staging views, the full-history intermediates such as player games or resolved lines) comes out the same
for every chunk: the backfill builds it once, in a `prepare` invocation with the whole backfill's range as
vars, before the chunks. A model misread as unbounded is still correct, only built once over the whole
range (a superset of every chunk). Running the whole selection per chunk, as by hand, gives the same rows.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from nba_props import dbt
from nba_props.errors import NbaPropsError
from nba_props.settings import Settings

DATE_VAR = re.compile(r"""var\(\s*['"](start_date|end_date)['"]""")
# `name`, `+name`, `name+`, `+name+`: what the runner's default selection uses; anything else goes to `dbt ls`
GRAPH_SELECTOR = re.compile(r"^(\+?)([A-Za-z_][A-Za-z0-9_]*)(\+?)$")


@dataclass(frozen=True)
class Split:
    prepare: tuple[str, ...]  # model names built once per backfill
    per_chunk: tuple[str, ...]  # model names built in every chunk

    @property
    def useful(self) -> bool:
        return bool(self.prepare) and bool(self.per_chunk)


def list_models(
    settings: Settings, selection: tuple[str, ...], dbt_vars: dict[str, str], target_path: Any, log_path: Any
) -> list[str]:
    """Unique ids of the models SELECTION picks, as `dbt ls --resource-type model` lists them. On DuckDB,
    selectors of the form `[+]name[+]` are resolved on the process's parsed manifest (an `ls` invocation
    costs 0.2-0.6 s here); any other selector method (tag:, path:, @, n+, ...) goes to `dbt ls`."""
    common = dbt.common_args(settings, target_path)
    if settings.is_duckdb and dbt.parsed_manifest(settings, common, str(log_path)) is not None:
        chosen = select_by_name(dbt.manifest_graph(settings, target_path), selection)
        if chosen is not None:
            return chosen
    args = [
        "--quiet",
        "ls",
        "--select",
        *selection,
        "--resource-type",
        "model",
        "--output",
        "json",
        "--output-keys",
        "unique_id",
        *common,
        "--log-path",
        str(log_path),
        "--vars",
        dbt.vars_arg(dbt_vars),
    ]
    # dbt.invoke reads run_results.json, which `ls` does not write: call the shared runner directly, under
    # the same lock (dbtRunner allows one invocation at a time per process)
    # `ls` prints its list even with --quiet: keep it off the user's terminal
    with dbt._RUNNER_LOCK, contextlib.redirect_stdout(io.StringIO()):
        result = dbt.run_with_manifest(settings, args, common)
    if not result.success:
        raise NbaPropsError(f"dbt ls --select {' '.join(selection)} failed: {result.exception}")
    return [json.loads(line)["unique_id"] for line in (result.result or [])]


def reach(starts: Any, edges: Any) -> set[str]:
    """STARTS and every node reachable from them through EDGES (a node -> its neighbours function)."""
    seen, todo = set(starts), list(starts)
    while todo:
        for nxt in edges(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def select_by_name(manifest: dict, selection: tuple[str, ...]) -> list[str] | None:
    """The models `[+]name[+]` selectors pick (a union, like dbt's space-separated selectors), sorted; None
    when a selector has another form or names no model, so that dbt itself answers (or explains)."""
    nodes = manifest["nodes"]
    model_ids = {n["name"]: uid for uid, n in nodes.items() if n.get("resource_type") == "model"}
    children: dict[str, set[str]] = {}
    for uid, n in nodes.items():
        for parent in n["depends_on"].get("nodes", []):
            children.setdefault(parent, set()).add(uid)

    chosen: set[str] = set()
    for selector in selection:
        match = GRAPH_SELECTOR.match(selector)
        if match is None or match.group(2) not in model_ids:
            return None
        uid = model_ids[match.group(2)]
        chosen.add(uid)
        if match.group(1):
            chosen |= reach([uid], lambda u: nodes[u]["depends_on"].get("nodes", []) if u in nodes else [])
        if match.group(3):
            chosen |= reach([uid], lambda u: children.get(u, ()))
    return sorted(u for u in chosen if nodes.get(u, {}).get("resource_type") == "model")


def split_models(manifest: dict, selected: list[str]) -> Split:
    nodes = manifest["nodes"]
    macros = manifest.get("macros", {})
    bounded_macros = {uid for uid, m in macros.items() if DATE_VAR.search(m.get("macro_sql") or "")}
    changed = True
    while changed:  # a macro that calls a bounded macro is bounded too
        changed = False
        for uid, m in macros.items():
            if uid not in bounded_macros and set(m.get("depends_on", {}).get("macros", [])) & bounded_macros:
                bounded_macros.add(uid)
                changed = True
    chosen = set(selected)
    bounded = {
        uid
        for uid in chosen
        if DATE_VAR.search(nodes[uid].get("raw_code") or "")
        or set(nodes[uid]["depends_on"].get("macros", [])) & bounded_macros
    }
    changed = True
    while changed:  # downstream of a bounded model (within the selection) changes with the chunk too
        changed = False
        for uid in chosen - bounded:
            if set(nodes[uid]["depends_on"].get("nodes", [])) & bounded:
                bounded.add(uid)
                changed = True
    name = {uid: nodes[uid]["name"] for uid in chosen}
    return Split(
        prepare=tuple(sorted(name[u] for u in chosen - bounded)),
        per_chunk=tuple(sorted(name[u] for u in bounded)),
    )


# what each verb executes among the nodes a selector picks (sources, tests and unit tests aside)
EXECUTED = {"run": frozenset({"model"}), "build": frozenset({"model", "seed", "snapshot"})}


def compact_selection(manifest: dict, selection: tuple[str, ...], verb: str) -> tuple[str, ...]:
    """SELECTION (bare model and seed names) as `+name` selectors of its most downstream nodes, when
    `dbt VERB` would then execute exactly the same nodes; otherwise SELECTION unchanged. dbt matches each
    bare name against every node of the project (about 500 with the data tests), three times per `build`:
    37 names cost about 0.25 s before the first model starts, two `+name` selectors next to nothing. The
    tests a selection brings along depend only on the nodes it picks, so they are the same too."""
    executed = EXECUTED.get(verb)
    nodes = manifest["nodes"]
    by_name = {n["name"]: uid for uid, n in nodes.items() if n.get("resource_type") in ("model", "seed")}
    if executed is None or not selection or any(name not in by_name for name in selection):
        return selection
    chosen = {by_name[name] for name in selection}

    def parents(uid: str) -> list[str]:
        return [p for p in nodes[uid]["depends_on"].get("nodes", []) if p in nodes]

    fed = {p for uid in chosen for p in parents(uid)}
    sinks = sorted(chosen - fed)
    upstream = reach(sinks, parents)
    if {u for u in upstream if nodes[u].get("resource_type") in executed} != chosen:
        return selection
    return tuple(f"+{nodes[uid]['name']}" for uid in sinks)
