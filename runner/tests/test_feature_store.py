"""ml_feature_store_v2 and feature_store_gaps on the built sample: contract, honesty, ranges, gaps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, run_dbt
from nba_props.contract import load_contract

STORE = "features.ml_feature_store_v2"
GAPS = "features.feature_store_gaps"

pytestmark = pytest.mark.slow


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()


@pytest.fixture(scope="module")
def store(sample_warehouse: Path):
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        yield con


def test_rows_carry_the_python_contract(store: duckdb.DuckDBPyConnection) -> None:
    contract = load_contract(PROJECT_DIR)
    versions = store.execute(f"select distinct feature_version, contract_hash from {STORE}").fetchall()
    assert versions == [(contract.version, contract.contract_hash)]
    names = _one(store, f"select feature_names from {STORE} limit 1")[0]
    assert tuple(names) == contract.feature_names


def test_one_row_per_spine_row(store: duckdb.DuckDBPyConnection) -> None:
    store_rows, spine_rows = _one(
        store,
        f"select (select count(*) from {STORE}), (select count(*) from intermediate.int_feature_spine)",
    )
    assert store_rows == spine_rows > 0


def test_has_vegas_line_is_not_always_true_and_follows_the_line(store: duckdb.DuckDBPyConnection) -> None:
    with_line, without_line, mismatched = _one(
        store,
        f"""select
            count(*) filter (where has_vegas_line = 1),
            count(*) filter (where has_vegas_line = 0),
            count(*) filter (where (has_vegas_line = 1) <> (vegas_points_line is not null))
        from {STORE}""",
    )
    assert with_line > 0 and without_line > 0
    assert mismatched == 0


def test_empty_opponent_history_is_no_history_not_a_default(store: duckdb.DuckDBPyConnection) -> None:
    rows = store.execute(
        f"""select player_id, player_lookup, game_date, opponent_team_abbr, games_vs_opponent,
            games_vs_opponent_source, avg_points_vs_opponent_default_reason, default_feature_indices
        from {STORE}
        where avg_points_vs_opponent_source = 'no_history' and player_id is not null
        order by game_date, player_lookup
        limit 40"""
    ).fetchall()
    assert rows, "the sample has no player facing an opponent for the first time"
    for player_id, lookup, game_date, opponent, games_vs, games_vs_source, reason, indices in rows:
        assert games_vs == 0 and games_vs_source == "opponent_history", lookup
        assert reason is None and 29 not in indices, lookup
        # independently from raw box scores: no game against this opponent in the previous 365 days
        met = _one(
            store,
            """select count(*) from raw.player_game_logs
            where player_id = ? and matchup like '%' || ? and try_cast(min as integer) > 0
                and cast(game_date as date) < ? and cast(game_date as date) >= ?""",
            [str(player_id), opponent, game_date, game_date - dt.timedelta(days=365)],
        )[0]
        assert met == 0, (lookup, game_date, opponent)


def test_required_defaults_block_readiness_and_cap_the_score(store: duckdb.DuckDBPyConnection) -> None:
    bad = _one(
        store,
        f"""select count(*) from {STORE}
        where (required_default_count > 0 and (is_quality_ready or feature_quality_score > 69))
            or (required_default_count >= 5 and feature_quality_score > 49)""",
    )[0]
    assert bad == 0
    ready, blocked = _one(
        store,
        f"select count(*) filter (where is_quality_ready), "
        f"count(*) filter (where required_default_count > 0) from {STORE}",
    )
    assert ready > 0 and blocked > 0


def _dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    return [r[0] for r in con.execute(f"select distinct game_date from {STORE} order by 1").fetchall()]


def _fingerprint(con: duckdb.DuckDBPyConnection, day: dt.date) -> list[tuple]:
    cols = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'features' and table_name = 'ml_feature_store_v2' "
            "and column_name <> 'built_at' "
            "order by ordinal_position"
        ).fetchall()
    ]
    return con.execute(
        f"select {', '.join(cols)} from {STORE} where game_date = ? order by player_lookup", [day]
    ).fetchall()


def test_rebuilding_a_range_replaces_it_exactly(sample_copy: Path) -> None:
    with duckdb.connect(str(sample_copy)) as con:
        dates = _dates(con)
        day, next_day = dates[len(dates) // 2], dates[len(dates) // 2 + 1]
        before = _fingerprint(con, day)
        before_next = _fingerprint(con, next_day)
        total = _one(con, f"select count(*) from {STORE}")[0]
        # a stale row inside the range (a player no longer on the spine) and one outside it
        for stale_day in (day, next_day):
            con.execute(
                f"insert into {STORE} by name select * replace ('zz stale player' as player_lookup) "
                f"from {STORE} where game_date = ? limit 1",
                [stale_day],
            )
    vars_arg = f"{{start_date: '{day}', end_date: '{day}'}}"
    for _ in range(2):  # twice: a rerun is idempotent
        run_dbt(["run", "--select", "ml_feature_store_v2", "--vars", vars_arg], sample_copy)
        with duckdb.connect(str(sample_copy), read_only=True) as con:
            assert _fingerprint(con, day) == before
            assert _one(con, f"select count(*) from {STORE}")[0] == total + 1  # the stale row outside stays
            stale = con.execute(
                f"select game_date from {STORE} where player_lookup = 'zz stale player'"
            ).fetchall()
            assert stale == [(next_day,)]
            assert _fingerprint(con, next_day) != before_next  # untouched: still holds its stale row


def test_gaps_open_for_required_defaults_and_resolve_per_player(sample_copy: Path) -> None:
    with duckdb.connect(str(sample_copy)) as con:
        open_gaps, store_defaulted = _one(
            con,
            f"""select
                (select count(*) from {GAPS} where resolved_at is null and reason <> 'no_feature_row'),
                (select count(*) from {STORE} where required_default_count > 0)""",
        )
        assert open_gaps == store_defaulted > 0
        # a gap for a clean row (as if an earlier build had failed it) and the real gaps of the same date
        day, player = _one(
            con,
            f"""select game_date, player_lookup from {STORE} s
            where required_default_count = 0
                and exists (select 1 from {GAPS} g where g.game_date = s.game_date and g.resolved_at is null)
            order by game_date, player_lookup limit 1""",
        )
        con.execute(
            f"""insert into {GAPS} by name
            select 'test-gap' as gap_id, ? as player_lookup, ? as game_date, 'too_few_games' as reason,
                'points_avg_last_5:too_few_games' as reason_detail, timestamp '2020-01-01' as detected_at,
                'test' as detected_by""",
            [player, day],
        )
        others_open = _one(
            con, f"select count(*) from {GAPS} where game_date = ? and resolved_at is null", [day]
        )[0]
    vars_arg = f"{{start_date: '{day}', end_date: '{day}', gaps_resolved_by: backfill}}"
    for _ in range(2):
        run_dbt(["run", "--select", "feature_store_gaps", "--vars", vars_arg], sample_copy)
    with duckdb.connect(str(sample_copy), read_only=True) as con:
        resolved_by, resolved_at = _one(
            con, f"select resolved_by, resolved_at from {GAPS} where gap_id = 'test-gap'"
        )
        assert resolved_by == "backfill" and resolved_at is not None
        still_open = _one(
            con, f"select count(*) from {GAPS} where game_date = ? and resolved_at is null", [day]
        )[0]
        assert still_open == others_open - 1
        duplicates = _one(
            con,
            f"select count(*) from (select player_lookup, game_date from {GAPS} where resolved_at is null "
            f"group by 1, 2 having count(*) > 1)",
        )[0]
        assert duplicates == 0
