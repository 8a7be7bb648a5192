"""Planning without dbt: chunks, plan keys, the dbt command of a chunk, checkpoints, lock."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from nba_props.backfill import checkpoints as cp
from nba_props.backfill.lock import runner_lock
from nba_props.backfill.plan import BUILD, BUILD_WITHOUT_TESTS, Plan, make_chunks
from nba_props.errors import WarehouseLockedError

D = dt.date


def days(start: dt.date, n: int, step: int = 1) -> list[dt.date]:
    return [start + dt.timedelta(days=i * step) for i in range(n)]


def test_chunks_span_at_most_chunk_days_and_cover_every_date_once() -> None:
    dates = [d for d in days(D(2024, 1, 1), 40) if d.weekday() != 0]  # some days without games
    chunks = make_chunks(dates, 7)
    assert [d for c in chunks for d in c.dates] == dates
    assert all((c.end - c.start).days < 7 for c in chunks)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert len(make_chunks(dates, 1000)) == 1


def test_a_date_list_never_swallows_an_unrequested_game_date() -> None:
    all_games = days(D(2024, 1, 1), 10)
    wanted = [D(2024, 1, 1), D(2024, 1, 2), D(2024, 1, 5), D(2024, 1, 6)]
    chunks = make_chunks(wanted, 30, all_game_dates=all_games)
    assert [c.dates for c in chunks] == [tuple(wanted[:2]), tuple(wanted[2:])]
    # without other game dates in between, the same list is one chunk
    assert len(make_chunks(wanted, 30, all_game_dates=wanted)) == 1
    with pytest.raises(ValueError):
        make_chunks(wanted, 0)


def plan(dates: list[dt.date], chunk_days: int = 7, selection: tuple[str, ...] = ("+a",)) -> Plan:
    return Plan(tuple(dates), make_chunks(dates, chunk_days), selection, chunk_days, None, "dev")


def test_plan_key_changes_with_what_is_built_only() -> None:
    dates = days(D(2024, 1, 1), 10)
    assert plan(dates).key == plan(list(dates)).key
    assert plan(dates).key != plan(dates[1:]).key
    assert plan(dates).key != plan(dates, chunk_days=3).key
    assert plan(dates).key != plan(dates, selection=("+b",)).key


def test_a_chunk_runs_the_whole_selection_with_its_dates_and_full_refresh_only_first() -> None:
    dates = days(D(2024, 1, 1), 10)
    p = Plan(
        tuple(dates),
        make_chunks(dates, 4),
        ("+store", "+gaps"),
        4,
        "2024-01-05T15:00:00Z",
        "dev",
        {"gaps_detected_by": "backfill"},
        BUILD_WITHOUT_TESTS,
        full_refresh=True,
    )
    first, second = p.chunks[0], p.chunks[1]
    args, values = p.dbt_command(first)
    assert args == [*BUILD_WITHOUT_TESTS, "--select", "+store", "+gaps", "--full-refresh"]
    assert values == {
        "start_date": "2024-01-01",
        "end_date": "2024-01-04",
        "as_of": "2024-01-05T15:00:00Z",
        "gaps_detected_by": "backfill",
    }
    # the later chunks add their dates to what the first one rebuilt from raw
    assert p.dbt_command(second)[0] == [*BUILD_WITHOUT_TESTS, "--select", "+store", "+gaps"]
    assert p.by_hand(second) == (
        "dbt build --exclude-resource-type test --exclude-resource-type unit_test --select +store +gaps "
        '--vars \'{start_date: 2024-01-05, end_date: 2024-01-08, as_of: "2024-01-05T15:00:00Z", '
        "gaps_detected_by: backfill}'"
    )
    day = Plan((D(2024, 1, 2),), make_chunks([D(2024, 1, 2)], 1), ("+store",), 1, None, "dev", {}, BUILD)
    assert day.by_hand(day.chunks[0]) == (
        "dbt build --indirect-selection cautious --exclude-resource-type unit_test --select +store "
        "--vars '{start_date: 2024-01-02, end_date: 2024-01-02}'"
    )
    # a full refresh is another plan: an unfinished run without it is not resumed by one with it
    assert p.key != Plan(**{**vars(p), "full_refresh": False}).key


def test_checkpoints_resume_the_unfinished_run_of_the_same_plan(tmp_path: Path) -> None:
    p = plan(days(D(2024, 1, 1), 10), chunk_days=4)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        cp.ensure_schema(con)
        run = cp.start_run(con, p, "backfill", resume=True)
        assert not run.resumed
        first, second = p.chunks[0], p.chunks[1]
        attempt = cp.mark_chunk_running(con, run.run_id, first)
        cp.mark_chunk_finished(con, run.run_id, first, attempt, cp.DONE, 1.0, 0.9, "inv-1", 10, 0, None)
        attempt = cp.mark_chunk_running(con, run.run_id, second)  # then the process dies
        again = cp.start_run(con, p, "backfill", resume=True)
        assert again.resumed and again.run_id == run.run_id and again.invocations == 2
        states = cp.chunk_states(con, run.run_id)
        assert [s.status for s in states.values()] == [cp.DONE, "running", "pending"]
        assert cp.mark_chunk_running(con, run.run_id, second) == 2
        fresh = cp.start_run(con, p, "backfill", resume=False)
        assert fresh.run_id != run.run_id
        cp.finish_run(con, run.run_id, cp.DONE)
        cp.finish_run(con, fresh.run_id, cp.DONE)
        # a finished plan is not resumed: the next run starts afresh
        assert cp.find_resumable(con, p) is None
        attempts = con.execute(
            "select chunk_index, attempt, status from runner.backfill_chunk_attempts order by 1, 2"
        ).fetchall()
        assert attempts == [(0, 1, cp.DONE), (1, 1, "running"), (1, 2, "running")]


def test_estimate_uses_history_when_there_is_some(tmp_path: Path) -> None:
    p = plan(days(D(2024, 1, 1), 10), chunk_days=4)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        cp.ensure_schema(con)
        assert "rough default" in cp.estimate(con, p, list(p.chunks)).basis
        run = cp.start_run(con, p, "backfill", resume=True)
        for chunk, seconds in zip(
            p.chunks, (6.0, 6.0, 4.0), strict=True
        ):  # 4, 4 and 2 dates: 2 s + 1 s a date
            a = cp.mark_chunk_running(con, run.run_id, chunk)
            cp.mark_chunk_finished(con, run.run_id, chunk, a, cp.DONE, seconds, None, None, 0, None, None)
        est = cp.estimate(con, p, list(p.chunks))
    assert "fitted on 3" in est.basis
    assert est.seconds == pytest.approx(3 * 2.0 + 10 * 1.0)


def test_runner_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb.runner.lock"
    holder = [
        sys.executable,
        "-c",
        "import sys; from pathlib import Path; from nba_props.backfill.lock import runner_lock\n"
        "with runner_lock(Path(sys.argv[1]), 'backfill'):\n    print('held', flush=True); sys.stdin.read()",
        str(path),
    ]
    proc = subprocess.Popen(holder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with (
            pytest.raises(WarehouseLockedError, match=f"another nba-props backfill \\(pid {proc.pid}"),
            runner_lock(path, "build"),
        ):
            pass
    finally:
        proc.communicate("")
    # released when its holder ends; within one process a nested hold (daily -> build) is the same lock
    with runner_lock(path, "daily"), runner_lock(path, "build"):
        pass
    with runner_lock(path, "build"):
        pass
