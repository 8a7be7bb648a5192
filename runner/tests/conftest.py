"""Shared fixtures: an isolated warehouse per test, the CLI and dbt in the test process (as click's and
dbt-core's test utilities run them; the CLI in a subprocess where the process itself is tested), one built
sample warehouse.

Every test runs against the project's shipped profile (profiles.yml.example, copied once into a folder of the
session) and writes dbt's artifacts to a target path of the session, never to the checkout's profiles.yml or
target/: one target path per warehouse file (target_path_for). dbt keeps its partial-parse state in the
target path and discards it when the profile's connection details (the warehouse path among them) differ
from the previous invocation's, so commands on one warehouse file, in one test or in the next test's
sample_copy at the same path, parse only what changed instead of the whole project.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import chdir, contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
SHARED_DATA = Path(os.environ.get("NBA_PROPS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data")).resolve()
# the session's dbt profile (the shipped example) and target paths; set in pytest_configure
SESSION_DIR = Path(tempfile.gettempdir())
PROFILES_DIR = SESSION_DIR
TARGETS_DIR = SESSION_DIR


def pytest_configure(config: pytest.Config) -> None:
    global SESSION_DIR, PROFILES_DIR, TARGETS_DIR
    SESSION_DIR = Path(tempfile.mkdtemp(prefix="nba-props-tests-"))
    PROFILES_DIR = SESSION_DIR / "profiles"
    PROFILES_DIR.mkdir()
    shutil.copyfile(PROJECT_DIR / "profiles.yml.example", PROFILES_DIR / "profiles.yml")
    TARGETS_DIR = SESSION_DIR / "targets"
    # dbt writes a debug log of every invocation (each query, each event) to dbt.log: about a tenth of the CPU
    # of a one-date build. No test reads it; DBT_LOG_LEVEL_FILE=debug brings it back when investigating.
    os.environ.setdefault("DBT_LOG_LEVEL_FILE", "none")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(SESSION_DIR, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    if SHARED_DATA.is_dir():
        return f"real data: {SHARED_DATA} (tests marked real_data run)"
    return f"real data: absent at {SHARED_DATA}; tests marked real_data are skipped"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The BigQuery emulator's module first: with `make test`'s two workers, one starts on it (it needs only
    # the loaded sample) while the other builds the sample warehouse that most other tests share. Then the
    # tests marked slow, the short ones last: they fill the end, so both workers finish at about one time.
    items.sort(key=lambda item: ("test_bigquery_emulator.py" not in item.nodeid, "slow" not in item.keywords))
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason=f"real data absent at {SHARED_DATA}")
    for item in items:
        if "real_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


def target_path_for(warehouse: Path) -> Path:
    """The session's dbt target path for commands on WAREHOUSE (see the module's doc)."""
    return TARGETS_DIR / hashlib.sha1(str(Path(warehouse).resolve()).encode()).hexdigest()[:12]


def cli_env(warehouse: Path, write_json: bool = False, **extra: str) -> dict[str, str]:
    """The environment of `nba-props` on WAREHOUSE. dbt writes its JSON artifacts (manifest.json,
    run_results.json: about a second of every invocation) only with WRITE_JSON: the runner reads dbt's results
    from dbtRunnerResult, and only the tests that check the artifacts ask for them."""
    target_path = target_path_for(warehouse)
    env = dict(os.environ)
    env.update(
        NBA_PROPS_PROJECT_DIR=str(PROJECT_DIR),
        NBA_PROPS_DUCKDB_PATH=str(warehouse),
        NBA_PROPS_TARGET="dev",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_PROFILES_DIR=str(PROFILES_DIR),
        DBT_TARGET_PATH=str(target_path),
        DBT_LOG_PATH=str(target_path / "logs"),
    )
    if not write_json:
        env["DBT_WRITE_JSON"] = "false"
    env.update(extra)
    return env


def run_cli(
    args: list[str], warehouse: Path, check: bool = False, write_json: bool = False, **extra_env: str
) -> subprocess.CompletedProcess:
    """`nba-props ARGS` against WAREHOUSE in this process, as click's CliRunner runs a command: the runner's
    `main` with the command's environment, working directory and standard streams, its exit code from the
    SystemExit it ends with (an exception it lets through is printed as the interpreter would, code 1).
    The same dbt, DuckDB file and warehouse as `nba-props` typed in a shell, without a new interpreter's
    imports (about 3 s per command). What belongs to the process (signals, exit, a lock another holder in
    this process has) is tested through run_cli_process."""
    from nba_props import cli
    from nba_props import dbt as runner_dbt

    global _CLI_SETTINGS
    settings = (Path(warehouse).resolve(), tuple(sorted(extra_env.items())))
    if settings != _CLI_SETTINGS:
        # the runner keeps the project it parsed per settings for the process's next command (as `watch`
        # does from cycle to cycle); here one at a time
        runner_dbt.parsed_manifest.cache_clear()
        _CLI_SETTINGS = settings
    env = cli_env(warehouse, write_json, **extra_env)
    stdout, stderr = io.StringIO(), io.StringIO()
    with _in_this_process(env), chdir(PROJECT_DIR), redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            cli.main(args)
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc.code, stderr)
        except Exception:
            traceback.print_exc(file=stderr)
            code = 1
    proc = subprocess.CompletedProcess(["nba-props", *args], code, stdout.getvalue(), stderr.getvalue())
    return _checked(proc, args) if check else proc


_CLI_SETTINGS: tuple | None = None


def _exit_code(code: object, stderr: io.StringIO) -> int:
    """The exit status of `sys.exit(CODE)`, as the interpreter sets it."""
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=stderr)
    return 1


def run_cli_process(
    args: list[str], warehouse: Path, check: bool = False, write_json: bool = False, **extra_env: str
) -> subprocess.CompletedProcess:
    """`nba-props ARGS` in a subprocess against WAREHOUSE: for what belongs to the process."""
    proc = subprocess.run(
        [sys.executable, "-m", "nba_props.cli", *args],
        cwd=PROJECT_DIR,
        env=cli_env(warehouse, write_json, **extra_env),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return _checked(proc, args) if check else proc


def _checked(proc: subprocess.CompletedProcess, args: list[str]) -> subprocess.CompletedProcess:
    """PROC of `nba-props ARGS`, or an AssertionError with what it printed when it exited non-zero."""
    if proc.returncode != 0:
        raise AssertionError(
            f"nba-props {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


@dataclass(frozen=True)
class DbtResult:
    """What `run_dbt` returns, shaped like the subprocess.CompletedProcess of `dbt ARGS` typed in a shell."""

    returncode: int  # 0, 1 (a node failed), 2 (dbt could not run), as dbt's CLI exits
    stdout: str  # dbt's log lines
    stderr: str  # the exception dbt ended with, if any


# The manifest parsed last in this test process, by (warehouse, target path): the project does not change
# during the session, and dbt's manifest does not depend on the warehouse's data. One only: a test process
# that keeps several spends its garbage collections walking them.
_PARSED: dict[tuple[Path, Path], object] = {}


@contextmanager
def _in_this_process(env: dict[str, str]) -> Iterator[None]:
    """ENV as the whole environment while a command runs in this process; afterwards the warehouse closed
    (dbt-duckdb keeps it open for a next invocation, and the test reads it next) and the environment back."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        DuckDBConnectionManager.close_all_connections()
        os.environ.clear()
        os.environ.update(saved)


def run_dbt(
    args: list[str],
    warehouse: Path,
    target_path: Path | None = None,
    check: bool = True,
    write_json: bool = False,
) -> DbtResult:
    """`dbt ARGS` from the project against WAREHOUSE, in the warehouse's target path of the session unless
    TARGET_PATH is given: through dbtRunner in this process, as dbt-core's own test utilities
    (dbt.tests.util.run_dbt) and the runner (runner/nba_props/dbt.py) call it. A command other than parse gets
    the project parsed once without --vars and kept for this process, as the runner does: typed as `dbt run
    --vars ...`, every change of the vars would discard dbt's partial-parse state and parse the whole project
    again (about 9 s); parsing without vars is exact here (test_dbt.py compares the two parses). A run, build
    or test writes manifest.json and run_results.json only with WRITE_JSON (about a second of every
    invocation; a parse writes them always): tests read the warehouse, not them."""
    target_path = Path(target_path or target_path_for(warehouse))
    # --target as the runner passes it: dbt keeps its partial-parse state only for the same command-line
    # target (and vars), so `nba-props` commands on this warehouse reuse this parse and the other way round
    flags = [
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROFILES_DIR),
        "--target",
        "dev",
        "--target-path",
        str(target_path),
        "--log-path",
        str(target_path / "logs"),
    ]
    if args[0] != "parse" and not write_json:
        args = [*args, "--no-write-json"]
    with _in_this_process(cli_env(warehouse, write_json=True)):
        result = _invoke(args, flags, (Path(warehouse).resolve(), target_path.resolve()))
    if check and result.returncode != 0:
        raise AssertionError(
            f"dbt {' '.join(args)} exited {result.returncode}\n{result.stdout[-6000:]}\n{result.stderr}"
        )
    return result


def run_dbt_as_typed(args: list[str], env: dict[str, str]) -> DbtResult:
    """`dbt ARGS` exactly as given (project, profile and target flags included) with ENV as the whole
    environment, through dbtRunner in this process: for a test's own profile or target (the BigQuery
    emulator's), where run_dbt's session profile does not apply."""
    from dbt.cli.main import dbtRunner

    logged: list[str] = []
    with _in_this_process(env), chdir(PROJECT_DIR):
        res = dbtRunner(callbacks=[lambda event: logged.append(event.info.msg)]).invoke(args)
    code = 0 if res.success else 1 if res.exception is None else 2
    return DbtResult(code, "\n".join(logged), "" if res.exception is None else str(res.exception))


def _invoke(args: list[str], flags: list[str], key: tuple[Path, Path]) -> DbtResult:
    from dbt.cli.main import dbtRunner

    logged: list[str] = []

    def log(event) -> None:
        logged.append(event.info.msg)

    manifest = None
    if args[0] != "parse":
        manifest = _PARSED.get(key)
        if manifest is None:
            parsed = dbtRunner(callbacks=[log]).invoke(["parse", "--no-write-json", *flags])
            if not parsed.success:
                return DbtResult(2, "\n".join(logged), f"dbt parse failed: {parsed.exception}")
            _PARSED.clear()
            manifest = _PARSED[key] = parsed.result
    res = dbtRunner(manifest=manifest, callbacks=[log]).invoke([*args, *flags])
    code = 0 if res.success else 1 if res.exception is None else 2
    return DbtResult(code, "\n".join(logged), "" if res.exception is None else str(res.exception))


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A fresh, empty warehouse file path for one test."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture(scope="session")
def profile_ready() -> None:
    """The session's profile exists (pytest_configure copies it): kept for the tests that ask for it."""
    assert (PROFILES_DIR / "profiles.yml").is_file()


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder of the whole test session: with pytest-xdist (`make test` runs two workers), every worker has
    its own basetemp and shares their parent."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / name
    folder.mkdir(exist_ok=True)
    return folder


@contextmanager
def made_once(folder: Path) -> Iterator[bool]:
    """Yields whether FOLDER is still to be made (then marks it made), holding a lock meanwhile: the first
    worker to need a session fixture makes it, the others wait for it and use it."""
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = folder / ".made"
        needed = not made.exists()
        yield needed
        if needed:
            made.touch()


@pytest.fixture(scope="session")
def sample_raw(tmp_path_factory: pytest.TempPathFactory, profile_ready: None) -> Path:
    """The bundled sample loaded into raw tables (`nba-props load all`) once per session, nothing built. Copy
    it before changing it."""
    folder = shared_folder(tmp_path_factory, "sample_raw")
    wh = folder / "sample.duckdb"
    with made_once(folder) as needed:
        if needed:
            run_cli(["load", "all", str(SAMPLE_DIR)], wh, check=True)
    return wh


@pytest.fixture(scope="session")
def sample_warehouse(sample_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The loaded sample with `dbt build` run once per session (its manifest.json in ../target). Copy it
    before changing it."""
    folder = shared_folder(tmp_path_factory, "sample_warehouse")
    wh = folder / sample_raw.name
    with made_once(folder) as needed:
        if needed:
            # built at this worker's sample_copy path, so that the worker's next commands there find dbt's
            # parse of that path (a new path is a whole-project parse)
            built = fresh_sample_copy(sample_raw)
            run_dbt(["build"], built, write_json=True)
            shutil.copyfile(built, wh)
            (folder / "target").mkdir()
            shutil.copyfile(target_path_for(built) / "manifest.json", folder / "target" / "manifest.json")
    return wh


@pytest.fixture
def sample_copy(sample_warehouse: Path) -> Path:
    """A private copy of the built sample warehouse that a test may change, made afresh for each test.

    It keeps the file name (DuckDB names the catalog after the file, and the views dbt created refer to it)
    and every copy lies at the same path: the dbt profile names the file, so dbt's partial parsing (in the
    file's target path of the session) carries over from one test's `nba-props` commands to the next instead
    of a full parse in every test."""
    return fresh_sample_copy(sample_warehouse)


def fresh_sample_copy(source: Path) -> Path:
    """The sample_copy fixture's file made afresh from SOURCE (the built sample, or sample_raw: the same file
    name), whatever DuckDB left beside it removed: for a test that starts over midway, or needs the sample
    in another state at the path whose dbt parse this worker keeps."""
    copy = sample_copy_path(source.name)
    shutil.copyfile(source, copy)
    return copy


def sample_copy_path(name: str) -> Path:
    """The path of the sample_copy fixture's file NAME, nothing there yet: for a warehouse a test makes
    itself (a slice of the sample) that dbt should parse where this worker's other commands do."""
    folder = SESSION_DIR / "sample_copy"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder / name


@pytest.fixture(scope="session")
def real_warehouse(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """../shared/data loaded (`nba-props load all`) once per session, for every real-data test, and what that
    load printed. Copy it before changing it."""
    if not shared_data.is_dir():
        pytest.skip(f"real data absent at {shared_data}")
    folder = shared_folder(tmp_path_factory, "real_warehouse")
    wh, printed = folder / "real.duckdb", folder / "load.txt"
    with made_once(folder) as needed:
        if needed:
            proc = run_cli(["load", "all", str(shared_data)], wh)
            assert proc.returncode == 0, proc.stderr
            printed.write_text(proc.stdout)
    return wh, printed.read_text()


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
