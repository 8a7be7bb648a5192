"""What the runner does around dbt's own start-up and run: the JSON schemas dbt validates its configuration
files with are kept in the target path (the next process reads them instead of deriving them, they equal what
dbt-common derives, a file written by other package versions is ignored), and Python's cycle collector is
paused for an invocation and restored after it."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

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
