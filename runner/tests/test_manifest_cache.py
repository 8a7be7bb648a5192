"""The parsed manifest pickled into the target path: reused by the next process, dropped when an input of the
parse changes (a project file, an environment variable the project reads)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, cli_env

pytestmark = pytest.mark.slow

# Loads the manifest as the runner does and reports whether `dbt parse` ran to get it.
PROBE = """
import json
from nba_props import dbt
from nba_props.backfill.execute import dbt_paths
from nba_props.settings import load_settings

settings = load_settings()
target_path, log_path = dbt_paths(settings)
real = dbt._runner()
parses = []


class CountingRunner:
    def invoke(self, args):
        parses.append(args)
        return real.invoke(args)


dbt._RUNNER = CountingRunner()
manifest = dbt.parsed_manifest(settings, dbt.common_args(settings, target_path), str(log_path))
models = sorted(uid for uid in manifest.nodes if uid.startswith("model."))
print(json.dumps({"parsed": len(parses), "models": models}))
"""


def probe(warehouse: Path, **env: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_DIR,
        env=cli_env(warehouse, **env),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_pickled_manifest_is_reused_until_an_input_of_the_parse_changes(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    first = probe(warehouse)
    assert first["parsed"] == 1 and "model.nba_props.ml_feature_store_v2" in first["models"]
    assert (tmp_path / ".w.dbt" / "target" / "nba_props_manifest.pickle").is_file()

    again = probe(warehouse)
    assert again == {"parsed": 0, "models": first["models"]}

    # an environment variable the profile reads (env_var in profiles.yml) changes what dbt would parse
    other_env = probe(warehouse, NBA_PROPS_BQ_DATASET="another_dataset")
    assert other_env["parsed"] == 1

    # a project file changes (here only its mtime, as an edit would)
    macro = PROJECT_DIR / "macros" / "generate_schema_name.sql"
    before = macro.stat()
    try:
        os.utime(macro, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        edited = probe(warehouse)
    finally:
        os.utime(macro, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert edited["parsed"] == 1
    assert probe(warehouse)["parsed"] == 1  # the restored file is a change again
    assert probe(warehouse)["parsed"] == 0
