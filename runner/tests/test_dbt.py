"""dbt through dbtRunner and nothing else: no function or attribute of Python, dbt, Jinja, mashumaro or DuckDB
is replaced, the process ends normally, the runner writes nothing of its own into dbt's target path, and the
manifest the runner parses once without vars (and hands to every invocation) is the one dbt parses with
them."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import conftest
import duckdb
import pytest
from conftest import PROJECT_DIR, cli_env, run_dbt

RUNNER_PACKAGE = PROJECT_DIR / "runner" / "nba_props"

# Runs `nba-props ARGS` in this fresh process as the console script does, then reports (from its last exit
# handler) whether anything of Python or of the dependencies was replaced, and the collector's state.
PROBE = r"""
import atexit, builtins, gc, json, sys, types
from pathlib import Path

BUILTINS = {name: getattr(builtins, name) for name in ("exec", "eval", "compile", "__import__", "open")}
PACKAGES = ("dataclasses", "mashumaro", "jinja2", "dbt", "dbt_common", "dbt_adapters", "duckdb", "click")
out, runner_dir, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
report = {}


def at_exit():  # registered first, so it runs last: after dbt's and DuckDB's own exit handlers
    report["gc_enabled_at_exit"] = gc.isenabled()
    report["gc_frozen_at_exit"] = gc.get_freeze_count()
    out.write_text(json.dumps(report))


atexit.register(at_exit)


def code_file(value):
    # the file that defines a function, through classmethod, staticmethod, property and functools wrappers
    for _ in range(10):
        if isinstance(value, (classmethod, staticmethod)):
            value = value.__func__
        elif isinstance(value, property):
            value = value.fget
        elif hasattr(value, "__wrapped__"):
            value = value.__wrapped__
        else:
            break
    code = getattr(value, "__code__", None)
    return code.co_filename if isinstance(code, types.CodeType) else None


def runner_defined(module):
    # every module-level name and class attribute of MODULE whose function is defined in the runner's package
    found = []
    for name, value in list(vars(module).items()):
        if str(code_file(value) or "").startswith(runner_dir):
            found.append(f"{module.__name__}.{name}")
        if isinstance(value, type) and value.__module__ == module.__name__:
            for attr, member in list(vars(value).items()):
                if str(code_file(member) or "").startswith(runner_dir):
                    found.append(f"{module.__name__}.{name}.{attr}")
    return found


try:
    from nba_props.cli import main

    main(args)
    report["exit"] = 0
except SystemExit as exc:
    report["exit"] = exc.code
finally:
    import dataclasses, jinja2
    from dbt_common.dataclass_schema import dbtClassMixin

    modules = [m for n, m in list(sys.modules.items()) if n.split(".")[0] in PACKAGES and m is not None]
    report["modules_checked"] = len(modules)
    report["builtins_replaced"] = sorted(n for n, f in BUILTINS.items() if getattr(builtins, n) is not f)
    report["runner_defined"] = sorted(x for m in modules for x in runner_defined(m))
    report["dataclasses_shadows"] = sorted(n for n in BUILTINS if n in vars(dataclasses))
    compile_ = jinja2.Environment.compile
    report["jinja_compile"] = f"{compile_.__module__}.{compile_.__qualname__}"
    schema = vars(dbtClassMixin)["json_schema"].__func__
    report["json_schema"] = f"{schema.__module__}.{schema.__qualname__}"
"""


@pytest.mark.slow
def test_a_real_invocation_replaces_nothing_and_the_process_ends_normally(
    sample_copy: Path, tmp_path: Path
) -> None:
    day = "2024-02-27"
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        assert con.execute(
            "select count(*) from intermediate.int_games where game_date = ?", [day]
        ).fetchone()[0]
    out, target_path = tmp_path / "report.json", conftest.target_path_for(sample_copy)
    args = ["build", "--date", day, "--skip-tests", "--select", "+int_games"]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), str(RUNNER_PACKAGE), *args],
        cwd=PROJECT_DIR,
        env=cli_env(sample_copy, write_json=True),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert out.is_file(), "the exit handlers never ran: the process did not end normally"
    report = json.loads(out.read_text())
    assert report["exit"] == 0, proc.stdout + proc.stderr
    assert report["modules_checked"] > 300  # dbt, its adapters, Jinja, mashumaro and DuckDB were imported
    assert report["builtins_replaced"] == []
    assert report["dataclasses_shadows"] == []
    assert report["runner_defined"] == []
    assert report["jinja_compile"] == "jinja2.environment.Environment.compile"
    assert report["json_schema"].startswith("dbt_common.") or report["json_schema"].startswith("mashumaro.")
    assert report["gc_enabled_at_exit"] is True and report["gc_frozen_at_exit"] == 0
    # dbt wrote its artifacts to the one target path, and the runner nothing of its own
    written = {p.name for p in target_path.iterdir()}
    assert {"manifest.json", "run_results.json", "partial_parse.msgpack"} <= written
    assert not [name for name in written if name.startswith("nba_props") or name.endswith(".marshal")]
    results = json.loads((target_path / "run_results.json").read_text())
    assert any(r["unique_id"] == "model.nba_props.int_games" for r in results["results"])


def imported_names(tree: ast.Module) -> set[str]:
    """Names a module binds to something imported from outside the runner's own package: `import x`,
    `from x import y`, and `m = importlib.import_module(...)`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(
                a.asname or a.name.split(".")[0] for a in node.names if not a.name.startswith("nba_props")
            )
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and not node.module.startswith("nba_props"):
            names.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Assign) and "import_module" in ast.unparse(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


FORBIDDEN_CALLS = {"os._exit", "atexit._run_exitfuncs", "gc.disable", "gc.freeze"}


def patches(source: str) -> list[str]:
    """Assignments (and setattr/delattr) to an attribute of an imported module or of anything reached through
    one, and calls that bypass the interpreter's exit or switch the cycle collector off."""
    tree = ast.parse(source)
    imported = imported_names(tree)
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("setattr", "delattr") and node.args:
            targets = [ast.Attribute(value=node.args[0], attr=ast.unparse(node.args[1:2]))]
        for target in targets:
            if isinstance(target, ast.Attribute) and root_name(target) in imported:
                found.append(f"{node.lineno}: {ast.unparse(target)}")
        if isinstance(node, ast.Attribute) and ast.unparse(node) in FORBIDDEN_CALLS:
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_runner_module_assigns_to_an_attribute_of_an_imported_module() -> None:
    """Nothing in runner/nba_props sets an attribute of Python, dbt, Jinja, mashumaro or DuckDB (nor of any
    other imported module). Setting an item (os.environ[...] = ...) is not an attribute."""
    files = sorted(RUNNER_PACKAGE.rglob("*.py"))
    assert len(files) > 20
    found = [f"{path.relative_to(PROJECT_DIR)}:{hit}" for path in files for hit in patches(path.read_text())]
    assert found == []


def test_the_check_finds_the_patches_it_forbids() -> None:
    sample = """
import atexit, gc, importlib, os
import jinja2
from dbt_common import dataclass_schema as ds

jinja2.Environment.compile = lambda *a: None
module = importlib.import_module("dataclasses")
module.exec = print
setattr(ds.dbtClassMixin, "json_schema", None)
gc.disable()
os._exit(0)
local = type("Local", (), {})()
local.value = 1
os.environ["X"] = "1"
"""
    assert patches(sample) == [
        "6: jinja2.Environment.compile",
        "8: module.exec",
        "9: ds.dbtClassMixin.'json_schema'",
        "10: gc.disable",
        "11: os._exit",
    ]


# The vars the runner passes to a chunk: a manifest parsed with them must equal the one parsed without.
RUN_VARS = {
    "start_date": "2024-03-01",
    "end_date": "2024-03-07",
    "as_of": "2024-03-01T12:00:00Z",
    "gaps_detected_by": "backfill",
    "gaps_resolved_by": "backfill",
}
PARSED_FIELDS = ("resource_type", "config", "depends_on", "refs", "sources", "tags", "columns", "database")


@pytest.mark.slow
def test_the_manifest_parsed_without_vars_is_the_one_parsed_with_them(tmp_path: Path) -> None:
    """dbt.py reuses a manifest parsed without vars for invocations with date vars (DuckDB): exact only while
    no config, ref or source depends on a var there. A model whose config reads var('start_date') fails."""
    warehouse = tmp_path / "unused.duckdb"  # a parse opens no warehouse
    run_dbt(["parse"], warehouse, tmp_path / "without")
    run_dbt(["parse", "--vars", json.dumps(RUN_VARS)], warehouse, tmp_path / "with")
    without = json.loads((tmp_path / "without" / "manifest.json").read_text())
    with_vars = json.loads((tmp_path / "with" / "manifest.json").read_text())
    assert with_vars["metadata"]["adapter_type"] == without["metadata"]["adapter_type"] == "duckdb"
    for kind in ("nodes", "sources", "macros", "unit_tests", "exposures"):
        assert set(with_vars[kind]) == set(without[kind]), kind
    differ = {
        uid: field
        for uid, node in without["nodes"].items()
        for field in PARSED_FIELDS
        if node.get(field) != with_vars["nodes"][uid].get(field)
    }
    assert len(without["nodes"]) > 300 and differ == {}
