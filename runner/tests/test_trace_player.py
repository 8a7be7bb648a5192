"""One player traced by hand: features 0-4 and 31-33 recomputed in Python from the raw box-score rows.

Nothing here reuses the SQL: the rows are read from `raw.player_game_logs` (text, as loaded) and the
formulas are the contract's descriptions. The player-date is chosen by rule (the season's top scorer among
players who appeared in every one of their team's games before the date, so the DNP rate is known to be 0
from the box scores alone), on a real mid-season date of the sample.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

STORE = "features.ml_feature_store_v2"
TRACE_DATE = dt.date(2024, 2, 1)
REAL_SOURCES = {"player_daily_cache", "last_games", "calculated"}


@dataclass
class Game:
    game_id: str
    game_date: dt.date
    team: str
    minutes: int
    points: int


def _raw_games(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        """
        select player_id, player_name, game_id, game_date, team_abbreviation, min, pts, season_id
        from raw.player_game_logs
        """
    ).fetchall()


def _pick_player(rows: list[tuple], day: dt.date) -> tuple[str, str, list[Game]]:
    """Top scorer (by season points before DAY) who plays on DAY and appeared in every game of his team's
    season before it."""
    season_id = "22023"
    team_games: dict[str, set[str]] = {}
    by_player: dict[str, list[Game]] = {}
    names: dict[str, str] = {}
    plays_on_day: set[str] = set()
    for player_id, name, game_id, game_date, team, minutes, points, sid in rows:
        date = dt.date.fromisoformat(game_date)
        if sid == season_id and date == day:
            plays_on_day.add(player_id)
        if sid != season_id or date >= day:
            continue
        team_games.setdefault(team, set()).add(game_id)
        by_player.setdefault(player_id, []).append(Game(game_id, date, team, int(minutes), int(points)))
        names[player_id] = name
    best = None
    for player_id, games in by_player.items():
        if player_id not in plays_on_day:
            continue
        teams = {g.team for g in games}
        if len(teams) != 1 or len(games) < 15 or not all(g.minutes > 0 or g.points > 0 for g in games):
            continue
        if {g.game_id for g in games} != team_games[next(iter(teams))]:
            continue
        total = sum(g.points for g in games)
        if best is None or total > best[0]:
            best = (total, player_id)
    assert best is not None, "no player appeared in every team game before the date"
    player_id = best[1]
    return player_id, names[player_id], sorted(by_player[player_id], key=lambda g: (g.game_date, g.game_id))


def _expected(games: list[Game], day: dt.date) -> dict[str, float]:
    played = [g for g in games if g.minutes > 0 or g.points > 0]
    last_5, last_10 = played[-5:], played[-10:]
    return {
        "points_avg_last_5": statistics.fmean(g.points for g in last_5),
        "points_avg_last_10": statistics.fmean(g.points for g in last_10),
        "points_avg_season": statistics.fmean(g.points for g in played),
        "points_std_last_10": statistics.stdev(g.points for g in last_10),
        "games_in_last_7_days": float(
            sum(1 for g in played if day - dt.timedelta(days=6) <= g.game_date < day)
        ),
        "minutes_avg_last_10": statistics.fmean(g.minutes for g in last_10),
        "ppm_avg_last_10": sum(g.points for g in last_10) / sum(g.minutes for g in last_10),
        "dnp_rate": 0.0,
    }


@pytest.mark.slow
def test_player_traced_from_raw_box_scores(sample_warehouse: Path) -> None:
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        player_id, name, games = _pick_player(_raw_games(con), TRACE_DATE)
        expected = _expected(games, TRACE_DATE)
        columns = [c for f in expected for c in (f, f"{f}_source")]
        row = con.execute(
            f"select {', '.join(columns)} from {STORE} where player_id = ? and game_date = ?",
            [int(player_id), TRACE_DATE],
        ).fetchone()
    assert row is not None, f"{name} ({player_id}) has no store row on {TRACE_DATE}"
    actual = dict(zip(columns, row, strict=True))
    for feature, value in expected.items():
        assert actual[f"{feature}_source"] in REAL_SOURCES, (name, feature, actual[f"{feature}_source"])
        assert actual[feature] == pytest.approx(value, abs=1e-6), (name, feature, actual[feature], value)
    # the trace is not trivial: the windows differ, so a wrong window length would show
    assert expected["points_avg_last_5"] != expected["points_avg_last_10"]
    assert expected["points_avg_last_10"] != expected["points_avg_season"]
