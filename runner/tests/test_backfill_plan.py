"""Planning without dbt: chunks, plan keys, the bounded/unbounded split of a selection, checkpoints, lock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from nba_props.backfill import checkpoints as cp
from nba_props.backfill.graph import compact_selection, select_by_name, split_models
from nba_props.backfill.lock import runner_lock
from nba_props.backfill.plan import Plan, make_chunks
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


def node(name: str, sql: str = "select 1", deps: tuple[str, ...] = (), macros: tuple[str, ...] = ()) -> dict:
    return {"name": name, "raw_code": sql, "depends_on": {"nodes": list(deps), "macros": list(macros)}}


def test_split_runs_date_bounded_models_and_their_descendants_per_chunk() -> None:
    m = "model.p."
    manifest = {
        "nodes": {
            m + "stg": node("stg"),
            m + "history": node("history", deps=(m + "stg",)),
            m + "spine": node(
                "spine",
                "select * from x where {{ date_range_filter('d') }}",
                (m + "stg",),
                ("macro.p.date_range_filter",),
            ),
            m + "direct": node("direct", "{% if var('end_date') %} ... {% endif %}", (m + "history",)),
            m + "after_spine": node("after_spine", deps=(m + "spine", m + "history")),
            m + "other": node("other", deps=(m + "history",), macros=("macro.p.uses_filter",)),
        },
        "macros": {
            "macro.p.date_range_filter": {
                "macro_sql": "{% set s = var('start_date', none) %}",
                "depends_on": {"macros": []},
            },
            "macro.p.uses_filter": {
                "macro_sql": "{{ date_range_filter(c) }}",
                "depends_on": {"macros": ["macro.p.date_range_filter"]},
            },
            # a dbt macro with a start_date *argument* does not read the var
            "macro.dbt.date_spine": {
                "macro_sql": "{% macro date_spine(start_date, end_date) %}",
                "depends_on": {"macros": []},
            },
        },
    }
    split = split_models(manifest, list(manifest["nodes"]))
    assert split.prepare == ("history", "stg")
    assert split.per_chunk == ("after_spine", "direct", "other", "spine")
    assert split.useful
    # only what was selected is split
    only = split_models(manifest, [m + "stg", m + "history"])
    assert only.per_chunk == () and not only.useful


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
    # flock is per open file description: a second open in the same process conflicts like another process
    with (
        runner_lock(path, "backfill"),
        pytest.raises(WarehouseLockedError, match="another nba-props backfill"),
        runner_lock(path, "build"),
    ):
        pass
    with runner_lock(path, "build"):
        pass


def small_project() -> dict:
    m = "model.p."
    return {
        "seed.p.teams": {"name": "teams", "resource_type": "seed", "depends_on": {"nodes": []}},
        m + "stg": {"name": "stg", "resource_type": "model", "depends_on": {"nodes": ["seed.p.teams"]}},
        m + "mid": {"name": "mid", "resource_type": "model", "depends_on": {"nodes": [m + "stg"]}},
        m + "store": {"name": "store", "resource_type": "model", "depends_on": {"nodes": [m + "mid"]}},
        m + "other": {"name": "other", "resource_type": "model", "depends_on": {"nodes": [m + "stg"]}},
        "test.p.t1": {"name": "t1", "resource_type": "test", "depends_on": {"nodes": [m + "store"]}},
    }


def test_name_selectors_pick_what_dbt_ls_would_and_defer_the_rest() -> None:
    m = "model.p."
    manifest = {"nodes": small_project()}
    assert select_by_name(manifest, ("+store",)) == [m + "mid", m + "stg", m + "store"]
    assert select_by_name(manifest, ("stg+",)) == [m + "mid", m + "other", m + "stg", m + "store"]
    assert select_by_name(manifest, ("mid", "other")) == [m + "mid", m + "other"]
    assert select_by_name(manifest, ("+mid+",)) == [m + "mid", m + "stg", m + "store"]
    # other selector methods, unknown names and non-models are dbt's to answer
    for selection in [("tag:daily",), ("2+store",), ("@mid",), ("nope",), ("teams",), ("+store", "path:x")]:
        assert select_by_name(manifest, selection) is None


def test_a_selection_that_is_a_whole_upstream_becomes_plus_selectors_of_its_last_nodes() -> None:
    manifest = {"nodes": small_project()}
    everything = ("teams", "stg", "mid", "store", "other")
    assert compact_selection(manifest, everything, "build") == ("+other", "+store")
    # `dbt run` executes no seed: the models alone are the whole upstream
    assert compact_selection(manifest, ("stg", "mid", "store"), "run") == ("+store",)
    # what the compact form would add (a seed `build` loads, a model left out) keeps the names
    assert compact_selection(manifest, ("stg", "mid", "store"), "build") == ("stg", "mid", "store")
    assert compact_selection(manifest, ("teams", "mid", "store"), "build") == ("teams", "mid", "store")
    assert compact_selection(manifest, ("mid", "store"), "run") == ("mid", "store")
    # selectors other than bare names, and verbs it does not know, are passed on as they are
    assert compact_selection(manifest, ("+store",), "run") == ("+store",)
    assert compact_selection(manifest, ("stg", "mid", "store"), "test") == ("stg", "mid", "store")
