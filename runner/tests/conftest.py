"""Shared fixtures: an isolated warehouse per test, the CLI as a subprocess, one built sample warehouse.

Every test runs against the project's shipped profile (profiles.yml.example, copied once into a folder of the
session) and writes dbt's artifacts to one target path of the session (DBT_TARGET_PATH), never to the
checkout's profiles.yml or target/.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
SHARED_DATA = Path(os.environ.get("NBA_PROPS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data")).resolve()
# the session's dbt profile (the shipped example) and target path; set in pytest_configure
SESSION_DIR = Path(tempfile.gettempdir())
PROFILES_DIR = SESSION_DIR
DBT_TARGET_PATH = SESSION_DIR


def pytest_configure(config: pytest.Config) -> None:
    global SESSION_DIR, PROFILES_DIR, DBT_TARGET_PATH
    SESSION_DIR = Path(tempfile.mkdtemp(prefix="nba-props-tests-"))
    PROFILES_DIR = SESSION_DIR / "profiles"
    PROFILES_DIR.mkdir()
    shutil.copyfile(PROJECT_DIR / "profiles.yml.example", PROFILES_DIR / "profiles.yml")
    DBT_TARGET_PATH = SESSION_DIR / "target"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(SESSION_DIR, ignore_errors=True)


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
        DBT_PROFILES_DIR=str(PROFILES_DIR),
        DBT_TARGET_PATH=str(DBT_TARGET_PATH),
        DBT_LOG_PATH=str(DBT_TARGET_PATH / "logs"),
    )
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
            str(PROFILES_DIR),
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
    """The session's profile exists (pytest_configure copies it): kept for the tests that ask for it."""
    assert (PROFILES_DIR / "profiles.yml").is_file()


@pytest.fixture(scope="session")
def sample_raw(tmp_path_factory: pytest.TempPathFactory, profile_ready: None) -> Path:
    """The bundled sample loaded into raw tables (`nba-props load all`) once per session, nothing built. Copy
    it before changing it."""
    wh = tmp_path_factory.mktemp("sample_raw") / "sample.duckdb"
    run_cli(["load", "all", str(SAMPLE_DIR)], wh, check=True)
    return wh


@pytest.fixture(scope="session")
def sample_warehouse(sample_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The loaded sample with `dbt build` run once per session (its manifest.json in ../target). Copy it
    before changing it."""
    root = tmp_path_factory.mktemp("sample_warehouse")
    wh = root / sample_raw.name
    shutil.copyfile(sample_raw, wh)
    run_dbt(["build"], wh, root / "target")
    return wh


@pytest.fixture
def sample_copy(sample_warehouse: Path, tmp_path: Path) -> Path:
    """A private copy of the built sample warehouse that a test may change. It keeps the file name: DuckDB
    names the catalog after the file, and the views dbt created refer to it."""
    copy = tmp_path / sample_warehouse.name
    shutil.copyfile(sample_warehouse, copy)
    return copy


# columns that record when or by which invocation a row was written: they differ between two correct builds
VOLATILE_COLUMNS = frozenset(
    {"built_at", "detected_at", "resolved_at", "gap_id", "last_invocation_id", "invocation_id", "run_id"}
)


@dataclass(frozen=True)
class ContentHash:
    rows: int
    distinct_keys: int
    digest: str


def content_hash(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    key: tuple[str, ...] = ("player_lookup", "game_date"),
) -> ContentHash:
    """An order-independent hash of every row of RELATION (schema.table; the game dates START..END when given)
    without its bookkeeping columns: equal hashes, the same rows."""
    schema, table = relation.split(".")
    cols = [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "and table_catalog = current_database() order by ordinal_position",
            [schema, table],
        ).fetchall()
        if name not in VOLATILE_COLUMNS
    ]
    assert cols, f"no table {relation}"
    where, params = ("game_date between ? and ?", [start, end or start]) if start else ("true", [])
    quoted = ", ".join(f'"{c}"' for c in cols)
    keys = ", ".join(f'"{k}"' for k in key)
    rows, distinct, digest = con.execute(
        f"""with hashed as (
            select md5(cast(row({quoted}) as varchar)) as h, ({keys}) as k from {relation} where {where}
        )
        select count(*), count(distinct k), coalesce(md5(string_agg(h, '' order by h)), '') from hashed""",
        params,
    ).fetchone()
    return ContentHash(int(rows), int(distinct), str(digest))
