"""Shared fixtures: an isolated warehouse per test, the CLI as a subprocess, one built sample warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
SHARED_DATA = Path(os.environ.get("NBA_PROPS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data")).resolve()


def pytest_report_header(config: pytest.Config) -> str:
    if SHARED_DATA.is_dir():
        return f"real data: {SHARED_DATA} (tests marked real_data run)"
    return f"real data: absent at {SHARED_DATA}; tests marked real_data are skipped"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"real data absent at {SHARED_DATA}")
    for item in items:
        if "real_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


def cli_env(warehouse: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NBA_PROPS_PROJECT_DIR=str(PROJECT_DIR),
        NBA_PROPS_DUCKDB_PATH=str(warehouse),
        NBA_PROPS_TARGET="dev",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.pop("DBT_PROFILES_DIR", None)
    env.update(extra)
    return env


def run_cli(
    args: list[str], warehouse: Path, check: bool = False, **extra_env: str
) -> subprocess.CompletedProcess:
    """Run `nba-props ARGS` in a subprocess against WAREHOUSE (dbtRunner allows one runner per process)."""
    proc = subprocess.run(
        [sys.executable, "-m", "nba_props.cli", *args],
        cwd=PROJECT_DIR,
        env=cli_env(warehouse, **extra_env),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"nba-props {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def run_dbt(
    args: list[str], warehouse: Path, target_path: Path, check: bool = True
) -> subprocess.CompletedProcess:
    """Run the dbt CLI from the project against WAREHOUSE, with its own target path."""
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [
            str(dbt),
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
            "--target-path",
            str(target_path),
            "--log-path",
            str(target_path / "logs"),
        ],
        cwd=PROJECT_DIR,
        env=cli_env(warehouse),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"dbt {' '.join(args)} exited {proc.returncode}\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A fresh, empty warehouse file path for one test."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture(scope="session")
def profile_ready() -> None:
    profile = PROJECT_DIR / "profiles.yml"
    if not profile.exists():
        shutil.copyfile(PROJECT_DIR / "profiles.yml.example", profile)


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory, profile_ready: None) -> Path:
    """The bundled sample loaded and `dbt build` run once per session. Copy it before changing it."""
    root = tmp_path_factory.mktemp("sample_warehouse")
    wh = root / "sample.duckdb"
    run_cli(["load", "all", str(SAMPLE_DIR)], wh, check=True)
    run_dbt(["build"], wh, root / "target")
    return wh


@pytest.fixture
def sample_copy(sample_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the built sample warehouse that a test may change. It keeps the file name: DuckDB
    names the catalog after the file, and the views dbt created refer to it."""
    copy = tmp_path / sample_warehouse.name
    shutil.copyfile(sample_warehouse, copy)
    return copy
