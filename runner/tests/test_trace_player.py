"""One player traced by hand: features 0-4 and 31-33 recomputed in Python from the raw box-score rows.

Nothing here reuses the SQL: the rows are read from `raw.player_game_logs` (text, as loaded) and the
formulas are the contract's descriptions. The player-date is chosen by rule (the season's top scorer among
players who appeared in every one of their team's games before the date, so the DNP rate is known to be 0
from the box scores alone), on a real mid-season date of the sample.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import statistics
import unicodedata
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
    free_throws: int


def _raw_games(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        """
        select player_id, player_name, game_id, game_date, team_abbreviation, min, pts, ftm, season_id
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
    for player_id, name, game_id, game_date, team, minutes, points, free_throws, sid in rows:
        date = dt.date.fromisoformat(game_date)
        if sid == season_id and date == day:
            plays_on_day.add(player_id)
        if sid != season_id or date >= day:
            continue
        team_games.setdefault(team, set()).add(game_id)
        by_player.setdefault(player_id, []).append(
            Game(game_id, date, team, int(minutes), int(points), int(free_throws))
        )
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


# --- the fallback sources, traced the same way: from raw rows, with formulas written from the docs ----------

INJURED_LIST_DATE = dt.date(2023, 12, 15)  # before the first daily injury report (2024-01-17)
FRESHNESS_DAYS = 14  # var injured_list_freshness_days
SUFFIXES = (" jr", " sr", " ii", " iii", " iv")


def _lookup(name: str, aliases: dict[str, str]) -> str:
    """player_lookup as docs/feature_store.md describes it: lowercase ASCII, accents and a Jr/Sr/II/III/IV
    suffix dropped, only a-z0-9 kept, then the aliases seed."""
    text = unicodedata.normalize("NFKD", name.strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[ ,]+$", "", text)
    for suffix in SUFFIXES:
        for form in (suffix, suffix + "."):
            if text.endswith(form):
                text = text[: -len(form)]
    key = re.sub(r"[^a-z0-9]", "", text)
    return aliases.get(key, key)


def _aliases() -> dict[str, str]:
    path = Path(__file__).resolve().parents[2] / "seeds" / "player_aliases.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["alias_lookup"]: row["player_lookup"] for row in csv.DictReader(fh)}


def _list_name(raw: str) -> str:
    """The injured list prints 'Legal Name / Common Name' and '(middle name)' at times: the common name."""
    return re.sub(r"\([^)]*\)", "", raw).split("/")[-1].strip()


@pytest.mark.slow
def test_injured_list_fallback_traced_from_raw_moves(sample_warehouse: Path) -> None:
    """Before the first daily injury report, injury_risk comes from the injured list as of the day before:
    out (3) when the player's latest move before the date placed him on it and he has not played since, else
    available (0); tagged injured_list, never the report's source."""
    day, aliases = INJURED_LIST_DATE, _aliases()
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        moves = con.execute("select date, acquired, relinquished from raw.injury_list_moves").fetchall()
        played = con.execute(
            "select player_name, game_date from raw.player_game_logs "
            "where try_cast(min as integer) > 0 or try_cast(pts as integer) > 0"
        ).fetchall()
        rows = con.execute(
            f"select player_name, injury_risk, injury_risk_source from {STORE} "
            "where game_date = ? and spine_reason = 'played'",
            [day],
        ).fetchall()
    # latest move before the day per player (an activation wins a tie with a placement of the same day)
    latest: dict[str, tuple[dt.date, int]] = {}
    move_dates = set()
    for date_text, acquired, relinquished in moves:
        date = dt.date.fromisoformat(date_text)
        if date >= day:
            continue
        move_dates.add(date)
        for raw, order in ((relinquished, 0), (acquired, 1)):  # 0 placed, 1 activated
            if raw and raw.strip():
                key = _lookup(_list_name(raw), aliases)
                if key not in latest or (date, order) > latest[key]:
                    latest[key] = (date, order)
    assert any(day - dt.timedelta(days=FRESHNESS_DAYS) <= d < day for d in move_dates), "list not covering"
    last_played: dict[str, list[dt.date]] = {}
    for name, date_text in played:
        last_played.setdefault(_lookup(name, aliases), []).append(dt.date.fromisoformat(date_text))
    assert len(rows) > 100
    outs = 0
    for name, risk, source in rows:
        key = _lookup(name, aliases)
        move = latest.get(key)
        out = (
            move is not None and move[1] == 0 and not any(move[0] < d < day for d in last_played.get(key, []))
        )
        outs += out
        assert source == "injured_list", (name, source)
        assert risk == (3.0 if out else 0.0), (name, risk, move)
    assert outs > 0, "no player out on the list: the trace would not tell out from available"


@pytest.mark.slow
def test_box_score_three_share_traced_in_the_playoffs(sample_warehouse: Path) -> None:
    """In the playoffs (no shot locations) pct_three is FG3A / FGA over the player's last 10 games with a
    field-goal attempt of the season before the date, regular season and playoffs, tagged box_score."""
    aliases = _aliases()
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        day = con.execute(
            f"select min(game_date) + 10 from {STORE} where season_type = 'playoffs'"
        ).fetchone()[0]
        games = con.execute(
            """select player_name, game_id, game_date, fga, fg3a from raw.player_game_logs
            union all
            select player_name, game_id, game_date, fga, fg3a from raw.playoff_player_boxes"""
        ).fetchall()
        rows = con.execute(
            f"select player_name, pct_three, pct_three_source from {STORE} "
            "where game_date = ? and spine_reason = 'played'",
            [day],
        ).fetchall()
    shooting: dict[str, list[tuple[dt.date, str, int, int]]] = {}
    for name, game_id, date_text, fga, fg3a in games:
        date = dt.date.fromisoformat(date_text)
        attempts = int(float(fga)) if fga not in (None, "") else 0
        if date < day and attempts > 0:
            shooting.setdefault(_lookup(name, aliases), []).append(
                (date, game_id, attempts, int(float(fg3a)))
            )
    checked = 0
    for name, pct_three, source in rows:
        window = sorted(shooting.get(_lookup(name, aliases), []))[-10:]
        if len(window) < 2:
            assert pct_three is None, (name, pct_three)
            continue
        # fewer games than shot_min_games (3) but short_window_min_games (2): a short window
        assert source == ("box_score" if len(window) >= 3 else "short_window"), (name, len(window), source)
        expected = sum(g[3] for g in window) / sum(g[2] for g in window)
        assert pct_three == pytest.approx(expected, abs=1e-9), (name, pct_three, expected)
        checked += 1
    assert checked > 20


# --- the short window: early in a season, the same formulas over the games there are ---------------------

# a week into the season and a week later: players on each side of every minimum
SHORT_WINDOW_DATES = (dt.date(2023, 10, 30), dt.date(2023, 11, 6))


def _bucket(change: float, small: float, large: float) -> int:
    if change >= large:
        return 2
    if change >= small:
        return 1
    if change <= -large:
        return -2
    if change <= -small:
        return -1
    return 0


def _slope(points: list[int]) -> float:
    xs = range(1, len(points) + 1)
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, points, strict=True))
    return sxy / sum((x - mean_x) ** 2 for x in xs)


@pytest.mark.slow
def test_short_window_traced_from_raw_box_scores(sample_warehouse: Path) -> None:
    """Early in the season, players with 2-4 played games (fewer than a window's minimum, at least
    short_window_min_games 2) get the window features over the games there are, tagged short_window,
    recomputed here from the raw box scores: season average and std dev (below rolling_min_games 3), the
    trend (newest ceil(n/2) games' mean minus the older games' mean, bucketed), the free-throw share and
    the slope (below 5). One game keeps the default; five or more keep the primary source."""
    columns = [
        "points_avg_season", "points_std_last_10", "recent_trend", "pct_free_throw", "pts_slope_10g",
    ]  # fmt: skip
    select = ", ".join(c for f in columns for c in (f, f"{f}_source"))
    with duckdb.connect(str(sample_warehouse), read_only=True) as con:
        raw = _raw_games(con)
        rows = con.execute(
            f"select game_date, player_id, {select} from {STORE} "
            "where game_date in ? and spine_reason = 'played'",
            [list(SHORT_WINDOW_DATES)],
        ).fetchall()
    games: dict[int, list[Game]] = {}
    for player_id, _, game_id, game_date, team, minutes, points, free_throws, season_id in raw:
        if season_id == "22023":
            games.setdefault(int(player_id), []).append(
                Game(
                    game_id,
                    dt.date.fromisoformat(game_date),
                    team,
                    int(minutes),
                    int(points),
                    int(free_throws),
                )
            )
    checked = {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    for day, player_id, *values in rows:
        actual = {c: (values[2 * i], values[2 * i + 1]) for i, c in enumerate(columns)}
        played = sorted(
            (g for g in games.get(player_id, []) if g.game_date < day), key=lambda g: (g.game_date, g.game_id)
        )
        if not played or any(g.minutes == 0 and g.points == 0 for g in played):
            continue  # no game, or a game row the box score alone cannot call played or not
        n = len(played)
        points = [g.points for g in played]
        if n == 1:
            assert all(source == "default" for _, source in actual.values()), (player_id, actual)
        elif n < 5:
            average, average_source = actual["points_avg_season"]
            assert average == pytest.approx(statistics.fmean(points), abs=1e-9), (player_id, average)
            assert average_source == ("short_window" if n < 3 else "player_daily_cache"), (player_id, n)
            std, std_source = actual["points_std_last_10"]
            assert std == pytest.approx(statistics.stdev(points), abs=1e-9), (player_id, std)
            assert std_source == ("short_window" if n < 3 else "player_daily_cache"), (player_id, n)
            newest = (n + 1) // 2
            trend = statistics.fmean(points[-newest:]) - statistics.fmean(points[:-newest])
            assert actual["recent_trend"] == (_bucket(trend, 2, 5), "short_window"), (player_id, points)
            assert actual["pts_slope_10g"][1] == "short_window", (player_id, actual["pts_slope_10g"])
            assert actual["pts_slope_10g"][0] == pytest.approx(_slope(points), abs=1e-9), (player_id, points)
            if sum(points) > 0:
                share = min(max(sum(g.free_throws for g in played) / sum(points), 0.0), 0.5)
                assert actual["pct_free_throw"] == (pytest.approx(share, abs=1e-9), "short_window"), player_id
        else:
            # enough games: the primary source (or a default for another reason, e.g. no points scored)
            assert all(source != "short_window" for _, source in actual.values()), (player_id, actual)
            assert actual["recent_trend"][1] == "calculated", (player_id, actual)
        checked[min(n, 5)] += 1
    # the dates really have players on each side of every minimum
    assert all(count >= 5 for count in checked.values()), checked
