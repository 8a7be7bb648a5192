"""Plain dbt with a wrong run var (`dbt run --vars '{start_date: ...}'`, as users type it) stops at parse time
with a compiler error that names the var (macros/features/inputs/run_vars.sql), instead of a database cast
error inside a model or an empty range that builds nothing and passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_dbt


@pytest.mark.parametrize(
    ("run_vars", "message"),
    [
        pytest.param(
            "{start_date: 03/01/2024, end_date: 2024-03-02}",
            "var start_date='03/01/2024' is not a date in YYYY-MM-DD form",
            id="us-format",
        ),
        pytest.param(
            "{start_date: 2024-03-07, end_date: 2024-03-01}",
            "var end_date 2024-03-01 is before start_date 2024-03-07: the date range is empty",
            id="end-before-start",
        ),
        pytest.param(
            "{end_date: '2024-02-30'}", "var end_date='2024-02-30' is not a day of the calendar", id="feb-30"
        ),
        pytest.param(
            "{as_of: yesterday}", "var as_of='yesterday' is not a timestamp", id="as-of-not-a-timestamp"
        ),
    ],
)
def test_a_wrong_run_var_is_a_compiler_error_naming_it(
    run_vars: str, message: str, tmp_path: Path, profile_ready: None
) -> None:
    warehouse, target_path = tmp_path / "unused.duckdb", tmp_path / "target"
    proc = run_dbt(["parse", "--vars", run_vars], warehouse, target_path, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "Compilation Error" in output, output
    assert message in output, output


def test_right_run_vars_parse(tmp_path: Path, profile_ready: None) -> None:
    run_vars = "{start_date: 2024-03-01, end_date: '2024-03-01', as_of: '2024-03-01T12:00:00-05:00'}"
    run_dbt(["parse", "--vars", run_vars], tmp_path / "unused.duckdb", tmp_path / "target")
