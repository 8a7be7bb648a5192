"""Backfill on the built sample: plan, idempotence, resume after a failed chunk, kill -9 and resume, locking.

Each test works on its own copy of the sample warehouse (`sample_copy`) and runs the CLI in the test process,
except where the process is the subject (kill -9, a lock held by this process).
The reference state is the sample's full `dbt build` (every date at once): a chunked backfill must reproduce
exactly its feature rows for the backfilled dates.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, cli_env, content_hash, run_cli, run_cli_process
from nba_props.backfill.lock import lock_path, runner_lock

pytestmark = pytest.mark.slow

STORE = "features.ml_feature_store_v2"
BREAK_ENV = "NBA_PROPS_TEST_BREAK_DATES"


def game_dates(warehouse: Path) -> list[dt.date]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select distinct try_cast(game_date as date) d from raw.player_game_logs "
            "where d is not null order by 1"
        ).fetchall()
    return [r[0] for r in rows]


def window(warehouse: Path, n: int) -> list[dt.date]:
    """N consecutive game dates well inside the season (players have history, so features are real)."""
    dates = game_dates(warehouse)
    middle = len(dates) // 2
    return dates[middle : middle + n]


def store_print(warehouse: Path, start: dt.date, end: dt.date):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return content_hash(con, STORE, start, end)


def chunk_rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select c.chunk_index, c.status, c.attempts, c.dbt_invocation_id, c.rows_written "
            "from runner.backfill_chunks c join runner.backfill_runs r using (run_id) "
            "where r.kind = 'backfill' order by r.started_at desc, c.chunk_index"
        ).fetchall()


def backfill_args(dates: list[dt.date], chunk_days: int, *extra: str) -> list[str]:
    return [
        "backfill",
        "--start-date",
        str(dates[0]),
        "--end-date",
        str(dates[-1]),
        "--chunk-days",
        str(chunk_days),
        *extra,
    ]


def assert_ok(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"


def test_plan_shows_dates_chunks_preflight_and_writes_nothing(sample_copy: Path) -> None:
    dates = window(sample_copy, 5)
    before = store_print(sample_copy, dates[0], dates[-1])
    proc = run_cli(backfill_args(dates, 2, "--plan"), sample_copy)
    assert_ok(proc)
    out = proc.stdout
    for day in dates:
        assert str(day) in out
    assert "chunk 3:" in out and "chunk 4:" not in out  # 5 consecutive days in 2-day chunks
    assert "box rows" in out and "estimate:" in out
    assert f"start_date: {dates[0]}, end_date: {dates[1]}" in out  # the by-hand dbt command
    # a plan is read-only: no run recorded, the store untouched
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        runs = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'runner' "
            "and table_name = 'backfill_runs'"
        ).fetchone()[0]
        if runs:
            assert con.execute("select count(*) from runner.backfill_runs").fetchone()[0] == 0
    assert store_print(sample_copy, dates[0], dates[-1]) == before


def test_same_range_twice_gives_identical_rows_equal_to_the_full_build(sample_copy: Path) -> None:
    dates = window(sample_copy, 4)
    full_build = store_print(sample_copy, dates[0], dates[-1])
    assert full_build.rows > 0

    first = run_cli(backfill_args(dates, 2), sample_copy)
    assert_ok(first)
    after_first = store_print(sample_copy, dates[0], dates[-1])
    second = run_cli(backfill_args(dates, 2, "--no-resume"), sample_copy)
    assert_ok(second)
    after_second = store_print(sample_copy, dates[0], dates[-1])

    assert after_first == after_second
    assert after_first.rows == after_first.distinct_keys  # no duplicates
    assert after_first == full_build  # chunked backfill = one full build
    # both invocations really ran dbt (the second did not skip as "already done")
    assert "already done" not in second.stdout
    assert len({r[3] for r in chunk_rows(sample_copy)}) == 4


def test_failed_chunk_does_not_stop_others_and_resume_retries_only_it(sample_copy: Path) -> None:
    dates = window(sample_copy, 3)
    expected = store_print(sample_copy, dates[0], dates[-1])

    broken = run_cli(backfill_args(dates, 1), sample_copy, **{BREAK_ENV: str(dates[1])})
    assert broken.returncode == 1
    assert "chunk 2/3" in broken.stdout and "FAILED" in broken.stdout
    assert "1 chunk(s) failed" in broken.stderr
    states = chunk_rows(sample_copy)
    assert [(i, s, a) for i, s, a, _, _ in states] == [
        (0, "succeeded", 1),
        (1, "failed", 1),
        (2, "succeeded", 1),
    ]

    plan = run_cli(backfill_args(dates, 1, "--plan"), sample_copy)
    assert_ok(plan)
    assert "done (skip)" in plan.stdout and "failed (will retry)" in plan.stdout

    resumed = run_cli(backfill_args(dates, 1), sample_copy)
    assert_ok(resumed)
    assert "resuming run" in resumed.stdout
    after = chunk_rows(sample_copy)
    assert [(i, s, a) for i, s, a, _, _ in after] == [
        (0, "succeeded", 1),
        (1, "succeeded", 2),
        (2, "succeeded", 1),
    ]
    # the chunks that had succeeded were not rerun: same dbt invocation as before
    assert after[0][3] == states[0][3] and after[2][3] == states[2][3]
    assert store_print(sample_copy, dates[0], dates[-1]) == expected


def test_fail_fast_stops_at_the_first_failed_chunk(sample_copy: Path) -> None:
    dates = window(sample_copy, 3)
    proc = run_cli(backfill_args(dates, 1, "--fail-fast"), sample_copy, **{BREAK_ENV: str(dates[0])})
    assert proc.returncode == 1
    assert "2 not run (--fail-fast)" in proc.stderr
    assert [(i, s, a) for i, s, a, _, _ in chunk_rows(sample_copy)] == [
        (0, "failed", 1),
        (1, "pending", 0),
        (2, "pending", 0),
    ]


def test_a_failed_upstream_model_fails_its_chunks_and_resume_builds_them(sample_copy: Path) -> None:
    """Every chunk runs the whole selection, upstream models included: when one of them fails (its raw table
    is gone), each chunk fails with that model's error, nothing is recorded as done, and once the table is
    back the rerun resumes the same run and ends with the full build's rows."""
    dates = window(sample_copy, 2)
    expected = store_print(sample_copy, dates[0], dates[-1])
    with duckdb.connect(str(sample_copy)) as con:
        con.execute("alter table raw.team_game_logs rename to team_game_logs_away")
    broken = run_cli(backfill_args(dates, 1), sample_copy)
    assert broken.returncode == 1
    # the model that failed, with its error: the load index, which reads every raw table, names the table
    assert "stg_loads__file_dates" in broken.stdout and "team_game_logs" in broken.stdout
    assert "2 chunk(s) failed" in broken.stderr
    assert [(i, s) for i, s, _, _, _ in chunk_rows(sample_copy)] == [(0, "failed"), (1, "failed")]

    with duckdb.connect(str(sample_copy)) as con:
        con.execute("alter table raw.team_game_logs_away rename to team_game_logs")
    resumed = run_cli(backfill_args(dates, 1), sample_copy)
    assert_ok(resumed)
    assert "resuming run" in resumed.stdout
    assert [(i, s, a) for i, s, a, _, _ in chunk_rows(sample_copy)] == [
        (0, "succeeded", 2),
        (1, "succeeded", 2),
    ]
    assert store_print(sample_copy, dates[0], dates[-1]) == expected


def test_sigkill_mid_chunk_then_resume_ends_like_an_uninterrupted_run(sample_copy: Path) -> None:
    dates = window(sample_copy, 3)
    expected = store_print(sample_copy, dates[0], dates[-1])
    # start from a store without these dates, so a resume that skipped work would be visible
    with duckdb.connect(str(sample_copy)) as con:
        con.execute(f"delete from {STORE} where game_date between ? and ?", [dates[0], dates[-1]])

    proc = subprocess.Popen(
        [sys.executable, "-m", "nba_props.cli", *backfill_args(dates, 1)],
        cwd=PROJECT_DIR,
        env=cli_env(sample_copy),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stdout:
            if line.startswith("chunk 2/3") and "running" in line:
                break
        else:
            pytest.fail(f"the backfill never started chunk 2: {proc.stderr.read()}")
        time.sleep(1.0)  # dbt is now compiling/running chunk 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    states = chunk_rows(sample_copy)
    assert [(i, s) for i, s, _, _, _ in states] == [(0, "succeeded"), (1, "running"), (2, "pending")]

    resumed = run_cli(backfill_args(dates, 1), sample_copy)
    assert_ok(resumed)
    assert "chunk 1/3" in resumed.stdout and "already done" in resumed.stdout
    after = chunk_rows(sample_copy)
    assert [(i, s, a) for i, s, a, _, _ in after] == [
        (0, "succeeded", 1),
        (1, "succeeded", 2),
        (2, "succeeded", 1),
    ]
    assert store_print(sample_copy, dates[0], dates[-1]) == expected


def test_second_writer_gets_a_clear_message(sample_copy: Path) -> None:
    dates = window(sample_copy, 1)
    # another backfill holds the runner lock
    with runner_lock(lock_path(sample_copy), "backfill"):
        proc = run_cli_process(backfill_args(dates, 1), sample_copy)
    assert proc.returncode != 0
    assert "another nba-props backfill" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    # some other process (not the runner) holds the DuckDB file itself
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
            "time.sleep(60)",
            str(sample_copy),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        proc = run_cli(backfill_args(dates, 1), sample_copy)
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode != 0
    assert "in use by another process" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
