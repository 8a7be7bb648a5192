"""The Python linters as tests, so `make test` (and CI) enforce them: ruff check and ruff format on
runner/ and scripts/ take about a second. sqlfluff is not here: its dbt templater compiles the whole
project first (minutes on a loaded machine); run it with `make lint` or the pre-commit hook."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR

PATHS = ["runner", "scripts"]


def ruff() -> str:
    local = Path(sys.executable).parent / "ruff"
    found = str(local) if local.exists() else shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: pip install -e '.[dev]'")
    return found


@pytest.mark.parametrize(
    "args", [["check", "--output-format", "concise"], ["format", "--check"]], ids=["check", "format"]
)
def test_ruff_is_clean(args: list[str]) -> None:
    proc = subprocess.run(
        [ruff(), *args, *PATHS], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, f"ruff {' '.join(args)} found problems (fix with `make fmt`):\n{proc.stdout}"
