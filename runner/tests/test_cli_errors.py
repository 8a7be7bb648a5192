"""What a user sees when a command cannot run: one readable `error:` line on stderr, a non-zero exit and
no traceback.

Each case runs the real CLI in a subprocess (as a user would) against a warehouse path that does not exist, so
no case depends on data; the cases that need a command only run when its module exists.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import SAMPLE_DIR, run_cli_process


def command_exists(module: str) -> bool:
    return importlib.util.find_spec(f"nba_props.commands.{module}") is not None


def needs(module: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not command_exists(module), reason=f"command module {module} not written yet")


def assert_one_line_error(proc, *needles: str) -> str:
    """The process failed with exactly one non-empty stderr line starting with `error:` that names NEEDLES."""
    output = f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode != 0, output
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, output
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, output
    line = lines[0]
    assert line.startswith("error: "), output
    for needle in needles:
        assert needle.lower() in line.lower(), f"{needle!r} not in {line!r}"
    return line


@pytest.fixture
def missing_warehouse(tmp_path: Path) -> Path:
    return tmp_path / "no_such_dir" / "warehouse.duckdb"


# --- a missing profile ------------------------------------------------------------------------------------
PROFILE_CASES = [
    pytest.param(["load", "all", str(SAMPLE_DIR)], marks=needs("load"), id="load"),
    pytest.param(["build", "--date", "2024-03-01"], marks=needs("build"), id="build"),
    pytest.param(
        ["validate-daily", "--date", "2024-03-01"], marks=needs("validate_daily"), id="validate-daily"
    ),
    pytest.param(
        ["report", "--start-date", "2024-03-01", "--end-date", "2024-03-02"],
        marks=needs("report"),
        id="report",
    ),
]


@pytest.mark.parametrize("args", PROFILE_CASES)
def test_missing_profile_is_one_error_line(args: list[str], tmp_path: Path, missing_warehouse: Path) -> None:
    empty = tmp_path / "empty_profiles"
    empty.mkdir()
    proc = run_cli_process(args, missing_warehouse, DBT_PROFILES_DIR=str(empty))
    assert_one_line_error(proc, "profiles.yml", str(empty))
    assert not missing_warehouse.exists()


# --- an unknown command -----------------------------------------------------------------------------------
def test_unknown_command_is_one_error_line(missing_warehouse: Path) -> None:
    proc = run_cli_process(["frobnicate", "--date", "2024-03-01"], missing_warehouse)
    assert_one_line_error(proc, "frobnicate")
    assert proc.returncode == 2


def test_unknown_option_is_one_error_line(missing_warehouse: Path) -> None:
    proc = run_cli_process(["load", "--no-such-flag", "all", str(SAMPLE_DIR)], missing_warehouse)
    assert_one_line_error(proc, "--no-such-flag")


def test_unknown_load_kind_is_one_error_line(missing_warehouse: Path) -> None:
    proc = run_cli_process(["load", "box_scorez", str(SAMPLE_DIR)], missing_warehouse)
    assert_one_line_error(proc, "box_scorez")


# --- a date in an unknown format --------------------------------------------------------------------------
DATE_CASES = [
    pytest.param(["build", "--date", "03/05/2024"], "03/05/2024", marks=needs("build"), id="build-us-format"),
    pytest.param(["build", "--date", "2024-13-01"], "2024-13-01", marks=needs("build"), id="build-month-13"),
    pytest.param(
        ["validate-daily", "--date", "yesterday"],
        "yesterday",
        marks=needs("validate_daily"),
        id="validate-daily-word",
    ),
    pytest.param(
        ["predict", "--date", "2024-02-30"], "2024-02-30", marks=needs("predict"), id="predict-feb-30"
    ),
    pytest.param(
        ["backfill", "--start-date", "2024/03/01", "--end-date", "2024-03-05"],
        "2024/03/01",
        marks=needs("backfill"),
        id="backfill-slashes",
    ),
    pytest.param(
        ["report", "--start-date", "2024-03-01", "--end-date", "5 March"],
        "5 March",
        marks=needs("report"),
        id="report-words",
    ),
    pytest.param(
        ["evaluate", "--start-date", "1 March 2024", "--end-date", "2024-03-05"],
        "1 March 2024",
        marks=needs("evaluate"),
        id="evaluate-words",
    ),
]


@pytest.mark.parametrize(("args", "bad_value"), DATE_CASES)
def test_unknown_date_format_is_one_error_line(
    args: list[str], bad_value: str, missing_warehouse: Path
) -> None:
    proc = run_cli_process(args, missing_warehouse)
    assert_one_line_error(proc, bad_value, "YYYY-MM-DD")
    assert not missing_warehouse.exists()


def test_bad_as_of_timestamp_is_one_error_line(missing_warehouse: Path) -> None:
    if not command_exists("build"):
        pytest.skip("command module build not written yet")
    proc = run_cli_process(["build", "--date", "2024-03-01", "--as-of", "tea time"], missing_warehouse)
    assert_one_line_error(proc, "tea time", "timestamp")


# --- an end date before the start date --------------------------------------------------------------------
RANGE_COMMANDS = [
    pytest.param("backfill", marks=needs("backfill")),
    pytest.param("report", marks=needs("report")),
    pytest.param("evaluate", marks=needs("evaluate")),
]


@pytest.mark.parametrize("command", RANGE_COMMANDS)
def test_end_before_start_is_one_error_line(command: str, missing_warehouse: Path) -> None:
    proc = run_cli_process(
        [command, "--start-date", "2024-03-05", "--end-date", "2024-03-01"], missing_warehouse
    )
    assert_one_line_error(proc, "2024-03-01", "before", "2024-03-05")
    assert not missing_warehouse.exists()


# --- a missing warehouse ----------------------------------------------------------------------------------
WAREHOUSE_CASES = [
    pytest.param(["build", "--date", "2024-03-01"], marks=needs("build"), id="build"),
    pytest.param(
        ["validate-daily", "--date", "2024-03-01"], marks=needs("validate_daily"), id="validate-daily"
    ),
    pytest.param(
        ["report", "--start-date", "2024-03-01", "--end-date", "2024-03-05"],
        marks=needs("report"),
        id="report",
    ),
    pytest.param(
        ["backfill", "--start-date", "2024-03-01", "--end-date", "2024-03-02"],
        marks=needs("backfill"),
        id="backfill",
    ),
    pytest.param(
        ["evaluate", "--start-date", "2024-03-01", "--end-date", "2024-03-02"],
        marks=needs("evaluate"),
        id="evaluate",
    ),
    pytest.param(["train", "--through-date", "2024-03-01"], marks=needs("train"), id="train"),
]


@pytest.mark.parametrize("args", WAREHOUSE_CASES)
def test_missing_warehouse_is_one_error_line(args: list[str], missing_warehouse: Path) -> None:
    proc = run_cli_process(args, missing_warehouse)
    assert_one_line_error(proc, "no warehouse", str(missing_warehouse))
    # Reading commands must not leave an empty warehouse behind that later looks like a real one.
    assert not missing_warehouse.exists()


# --- a warehouse file named like a schema inside it -------------------------------------------------------
@pytest.mark.parametrize("name", ["raw.duckdb", "intermediate.duckdb", "runner.duckdb"])
def test_warehouse_named_like_a_schema_is_one_error_line(name: str, tmp_path: Path) -> None:
    warehouse = tmp_path / name
    proc = run_cli_process(["load", "all", str(SAMPLE_DIR)], warehouse)
    assert_one_line_error(proc, name, "NBA_PROPS_DUCKDB_PATH")
    assert not warehouse.exists()


def test_missing_input_file_is_one_error_line(tmp_path: Path, missing_warehouse: Path) -> None:
    missing = tmp_path / "player_logs_2099-00.csv"
    proc = run_cli_process(["load", "player_game_logs", str(missing)], missing_warehouse)
    assert_one_line_error(proc, str(missing))


def test_help_lists_only_commands_that_exist(missing_warehouse: Path) -> None:
    proc = run_cli_process(["--help"], missing_warehouse)
    assert proc.returncode == 0, proc.stderr
    assert "load" in proc.stdout
    from nba_props.cli import COMMANDS

    for name, module in COMMANDS.items():
        assert (f"  {name} " in proc.stdout or f"  {name}\n" in proc.stdout) == command_exists(module), name
