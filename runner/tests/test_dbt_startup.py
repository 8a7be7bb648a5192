"""What the runner does around dbt's own start-up and run: the JSON schemas dbt validates its configuration
files with, the Jinja templates dbt compiles and the code dataclasses and mashumaro generate are kept in the
target path (the next process reads them instead of deriving or compiling them, what it reads behaves as what
dbt would make, a file written by other package versions is ignored), and Python's cycle collector is paused
for an invocation and restored after it."""

from __future__ import annotations
import __future__

import dataclasses
import gc
import json
import marshal
import subprocess
import sys
from pathlib import Path

from nba_props import generated_code
from nba_props.dbt import collector_paused

# Validates a project file as dbt does, with the runner's schema file, and reports what happened.
PROBE = """
import json, sys
from pathlib import Path
from nba_props import dbt_schemas
from dbt.contracts.project import Project
from dbt_common.dataclass_schema import dbtClassMixin

target = Path(sys.argv[1])
dbt_schemas.use_stored_schemas(target)
Project.validate({"name": "p", "version": "1.0", "config-version": 2, "profile": "p"})
derived = dbt_schemas._state["derived"]
dbt_schemas.save_derived_schemas()
fresh = dbtClassMixin.__dict__["json_schema"].__func__(Project)
print(json.dumps({"derived": derived, "same": json.loads(json.dumps(fresh)) == Project.json_schema()}))
"""


def probe(target: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(target)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


# Renders templates through dbt and plain Jinja with the runner's template file, and reports what happened.
TEMPLATE_PROBE = """
import json, sys
from pathlib import Path
import jinja2
from nba_props import dbt_templates
from dbt.clients.jinja import get_rendered
from dbt_common.clients.jinja import get_template

dbt_templates.use_stored_templates(Path(sys.argv[1]))
ctx = {"x": 3, "name": "nba"}
out = {
    "text": get_rendered("{% set y = x * 2 %}{{ name | upper }}-{{ y }}", ctx),
    "native": get_rendered("{{ [x, x + 1] }}", ctx, native=True),
}
# the same source under two filter calling conventions: two different compiled templates
plain = jinja2.Environment()
plain.filters["tag"] = lambda v: f"plain:{v}"
with_context = jinja2.Environment()
with_context.filters["tag"] = jinja2.pass_context(lambda c, v: f"context:{v}:{c['x']}")
out["plain"] = plain.from_string("{{ 1 | tag }}").render(x=5)
out["context"] = with_context.from_string("{{ 1 | tag }}").render(x=5)
try:
    get_template("{% if %}", {})
    out["error"] = None
except Exception as exc:
    out["error"] = type(exc).__name__
added = dbt_templates._store.added
dbt_templates.save_compiled_templates()
print(json.dumps({"added": added, "out": out}))
"""

EXPECTED_RENDERING = {
    "text": "NBA-6",
    "native": [3, 4],
    "plain": "plain:1",
    "context": "context:1:5",
    "error": "CompilationError",
}


def probe_templates(target: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", TEMPLATE_PROBE, str(target)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_templates_are_compiled_once_then_read_and_render_the_same(tmp_path: Path) -> None:
    assert probe_templates(tmp_path) == {"added": True, "out": EXPECTED_RENDERING}
    stored = marshal.loads((tmp_path / "nba_props_jinja_code.marshal").read_bytes())
    assert len(stored["code"]) == 4  # text, native, plain, context; the failed template is not kept
    assert probe_templates(tmp_path) == {"added": False, "out": EXPECTED_RENDERING}
    # written by other package versions: ignored, compiled again, rewritten
    stored["versions"]["jinja2"] = "0.0.0"
    (tmp_path / "nba_props_jinja_code.marshal").write_bytes(marshal.dumps(stored))
    assert probe_templates(tmp_path) == {"added": True, "out": EXPECTED_RENDERING}
    rewritten = marshal.loads((tmp_path / "nba_props_jinja_code.marshal").read_bytes())
    assert rewritten["versions"]["jinja2"] != "0.0.0"


# Imports dbt's project classes with (argv[2] == "stored") or without the runner's generated-code file, and
# exercises generated methods: dataclass __init__/__repr__/__eq__, mashumaro's from_dict/to_dict (including a
# union, whose helpers mashumaro names at random), and a source that does not compile.
CODE_PROBE = """
import dataclasses, json, sys
from pathlib import Path
from typing import Optional, Union
from nba_props import generated_code
if sys.argv[2] == "stored":
    generated_code.use_stored_code(Path(sys.argv[1]))
from dbt.contracts.project import Project
from dbt_common.dataclass_schema import dbtClassMixin

@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int = 2

@dataclasses.dataclass
class Line(dbtClassMixin):
    name: str
    points: list
    weight: Union[int, str] = 1
    note: Optional[str] = None

project = Project.from_dict({"name": "p", "version": "1.0", "config-version": 2, "profile": "p"})
line = Line.from_dict({"name": "a", "points": [1, 2], "weight": "heavy"})
out = {
    "project": project.to_dict(omit_none=True),
    "point": [repr(Point(1)), Point(1) == Point(1, 2), hash(Point(1)) == hash(Point(1, 2))],
    "line": [line.to_dict(), repr(line), line == Line("a", [1, 2], "heavy")],
}
try:
    getattr(dataclasses, "exec", exec)("def broken(:", {}, {})
    out["error"] = None
except SyntaxError as exc:
    out["error"] = type(exc).__name__
added = generated_code._store.added if generated_code._store else None
generated_code.save_generated_code()
print(json.dumps({"added": added, "out": out}, default=str))
"""


def probe_code(target: Path, mode: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CODE_PROBE, str(target), mode], capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_generated_code_is_compiled_once_then_read_and_behaves_the_same(tmp_path: Path) -> None:
    expected = probe_code(tmp_path, "compiled")
    assert expected["added"] is None and expected["out"]["error"] == "SyntaxError"
    assert expected["out"]["point"] == ["Point(x=1, y=2)", True, True]
    file = tmp_path / generated_code.FILE

    first = probe_code(tmp_path, "stored")
    assert first == {"added": True, "out": expected["out"]}
    stored = marshal.loads(file.read_bytes())
    assert len(stored["code"]) > 100  # the project classes and what they use: over a hundred methods

    # the second process compiles nothing the file lacks (random helper names are not kept, or it would)
    assert probe_code(tmp_path, "stored") == {"added": False, "out": expected["out"]}
    assert marshal.loads(file.read_bytes())["code"].keys() == stored["code"].keys()

    # written by other package versions: ignored, compiled again, rewritten
    stored["versions"]["mashumaro"] = "0.0.0"
    file.write_bytes(marshal.dumps(stored))
    assert probe_code(tmp_path, "stored") == {"added": True, "out": expected["out"]}
    assert marshal.loads(file.read_bytes())["versions"]["mashumaro"] != "0.0.0"


def test_generated_code_is_compiled_with_the_calling_modules_future_flags() -> None:
    assert generated_code._future_flags(dataclasses) == 0
    # this module imports annotations from __future__
    assert generated_code._future_flags(sys.modules[__name__]) == __future__.annotations.compiler_flag


def test_schemas_are_derived_once_then_read_and_equal_dbt_commons(tmp_path: Path) -> None:
    first = probe(tmp_path)
    assert first == {"derived": True, "same": True}
    stored = json.loads((tmp_path / "nba_props_json_schemas.json").read_text())
    assert "dbt.contracts.project.Project" in stored["schemas"]
    second = probe(tmp_path)
    assert second == {"derived": False, "same": True}
    # written by other package versions: ignored, derived again, rewritten
    stored["versions"]["dbt-core"] = "0.0.0"
    (tmp_path / "nba_props_json_schemas.json").write_text(json.dumps(stored))
    assert probe(tmp_path) == {"derived": True, "same": True}
    rewritten = json.loads((tmp_path / "nba_props_json_schemas.json").read_text())
    assert rewritten["versions"]["dbt-core"] != "0.0.0"


def test_the_collector_is_paused_for_an_invocation_and_restored_as_it_was() -> None:
    assert gc.isenabled()
    try:
        with collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("dbt failed")
    except RuntimeError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
