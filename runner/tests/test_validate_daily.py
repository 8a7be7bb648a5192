"""`nba-props validate-daily` on the built sample: an ordinary date passes the star-line check, a simulated
odds-scraper outage for one date's stars raises the alert (exit 2) naming them, and a contract change (the
feature_version var) shows as drift with the range to backfill. Dates and players are picked from the data,
never hard-coded."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import fresh_sample_copy, run_cli, run_dbt
from nba_props.monitoring.validation import Check, DailyValidation, message

# one worker of `make test` runs this module: its module fixtures build once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("validate_daily")]

DRIFT_VERSION = "v0_drift_test"


def _copy(sample_warehouse: Path, directory: Path) -> Path:
    """A copy with the same file name: DuckDB views (staging) name the database by its file stem."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / sample_warehouse.name
    shutil.copyfile(sample_warehouse, path)
    return path


def _rows(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _validate(path: Path, game_date: dt.date, *extra: str) -> tuple[int, dict, str]:
    proc = run_cli(["validate-daily", "--date", game_date.isoformat(), "--json", *extra], path)
    assert proc.returncode in (0, 1, 2), f"validate-daily failed: {proc.stdout}\n{proc.stderr}"
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def _check(result: dict, name: str) -> dict:
    return next(c for c in result["checks"] if c["name"] == name)


@pytest.fixture(scope="module")
def dates(sample_warehouse: Path) -> dict[str, dt.date]:
    """An ordinary date (stars play, all have lines, no check alerts) and a second date for the drift test."""
    healthy = _rows(
        sample_warehouse,
        """
        select coverage.game_date
        from monitoring.vegas_line_coverage_daily as coverage
        where coverage.star_players >= 3 and coverage.star_players_missing_line = 0
          and not exists (select 1 from monitoring.daily_health_checks as checks
                          where checks.game_date = coverage.game_date and checks.status = 'alert')
        order by coverage.star_players desc, coverage.game_date
        limit 2""",
    )
    if len(healthy) < 2:
        pytest.fail(
            "the sample has fewer than two dates where every star player has a line and no check alerts"
        )
    return {"ordinary": healthy[0][0], "drift": healthy[1][0]}


@pytest.fixture(scope="module")
def changed_warehouse(sample_warehouse: Path, dates: dict[str, dt.date], tmp_path_factory) -> dict:
    """A copy where (1) the store rows of one date were rebuilt under another feature_version and (2) every
    line of the stars of another date was deleted from the raw line tables, then rebuilt."""
    root = tmp_path_factory.mktemp("monitoring_changed")
    path = _copy(sample_warehouse, root / "wh")
    outage, drift = dates["ordinary"], dates["drift"]

    # (1) contract change: only the store, for one date (its inputs are still complete here).
    run_dbt(
        [
            "run",
            "--select",
            "ml_feature_store_v2",
            "--vars",
            json.dumps({"start_date": str(drift), "end_date": str(drift), "feature_version": DRIFT_VERSION}),
        ],
        path,
    )

    # (2) odds-scraper outage for the stars of one date.
    stars = _rows(
        sample_warehouse,
        """
        select player_lookup, player_name from monitoring.player_line_coverage
        where game_date = ? and is_star and is_playing and has_vegas_line order by player_lookup""",
        [outage],
    )
    assert len(stars) >= 3
    lookups = [s[0] for s in stars]
    con = duckdb.connect(str(path))
    try:
        deleted = _delete_star_lines(con, lookups, outage)
    finally:
        con.close()
    assert deleted > 0, "no raw line rows found for the stars"
    # the line history is incremental by load (docs/feature_store.md): rows removed in SQL rather than by a
    # load are rebuilt from the raw tables
    run_dbt(["run", "--full-refresh", "--select", "+int_prop_lines_resolved"], path)
    run_dbt(
        [
            "run",
            "--select",
            "+ml_feature_store_v2",
            "--vars",
            json.dumps({"start_date": str(outage), "end_date": str(outage)}),
        ],
        path,
    )
    return {"path": path, "stars": dict(stars), "outage": outage, "drift": drift}


def _delete_star_lines(con: duckdb.DuckDBPyConnection, lookups: list[str], game_date: dt.date) -> int:
    """Delete the raw line rows of these players around the date, from every line source that has them.
    Raw names are found through the staging views (which carry the raw name beside player_lookup)."""
    window = [str(game_date - dt.timedelta(days=1)), str(game_date + dt.timedelta(days=1))]
    marks = ", ".join("?" for _ in lookups)
    deleted = 0
    sources = [
        ("stg_rotowire__points_lines", "rotowire_prop_snapshots", "snapshot_utc"),
        ("stg_odds_api__points_lines", "oddsapi_player_props", "commence_time"),
    ]
    for view, table, time_column in sources:
        names = [
            r[0]
            for r in con.execute(
                f"select distinct player_name from staging.{view} where player_lookup in ({marks})", lookups
            ).fetchall()
        ]
        if not names:
            continue
        name_marks = ", ".join("?" for _ in names)
        before = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        con.execute(
            f"delete from raw.{table} where trim(player_name) in ({name_marks}) "
            f"and substr({time_column}, 1, 10) between ? and ?",
            [*names, *window],
        )
        deleted += before - con.execute(f"select count(*) from raw.{table}").fetchone()[0]
    return deleted


def test_ordinary_date_has_no_star_alert(sample_copy: Path, dates: dict[str, dt.date]):
    path = sample_copy
    code, result, _ = _validate(path, dates["ordinary"])
    stars = _check(result, "star_players_missing_lines")
    assert stars["status"] == "ok" and stars["observed"] == 0
    assert result["star_players_missing_lines"] == []
    assert code in (0, 1) and code == {"ok": 0, "warn": 1}[result["status"]]


def test_scraper_outage_for_stars_raises_alert_and_names_them(changed_warehouse: dict):
    path, outage, stars = changed_warehouse["path"], changed_warehouse["outage"], changed_warehouse["stars"]
    code, result, stderr = _validate(path, outage)
    assert "rebuilding the monitoring marts" not in stderr  # --json keeps stderr quiet too
    assert code == 2 and result["status"] == "alert"
    check = _check(result, "star_players_missing_lines")
    assert check["status"] == "alert" and check["observed"] == len(stars)
    assert {s["player_lookup"] for s in result["star_players_missing_lines"]} == set(stars)
    assert f"{len(stars)} star players have no line on {outage}" in check["message"]
    assert "bench players without lines are normal" in check["message"]
    # the message names the highest scorers (the list is ordered by season average), the table names all
    for star in result["star_players_missing_lines"][:12]:
        assert star["player_name"] in check["message"]

    # the readable table says the same, and exits 2
    proc = run_cli(["validate-daily", "--date", str(outage), "--no-refresh"], path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "star_players_missing_lines" in proc.stdout and "ALERT" in proc.stdout
    assert "check the odds scraper" in proc.stdout or "did not run" in proc.stdout
    for name in stars.values():
        assert name in proc.stdout


def test_contract_change_shows_as_drift(changed_warehouse: dict):
    path, drift = changed_warehouse["path"], changed_warehouse["drift"]
    code, result, _ = _validate(path, drift)
    assert code == 2
    check = _check(result, "contract_drift_rows")
    assert check["status"] == "alert" and check["observed"] > 0
    ranges = result["contract_drift"]
    assert [(r["drift_start_date"], r["drift_end_date"]) for r in ranges] == [(str(drift), str(drift))]
    assert ranges[0]["min_drifted_version"] == DRIFT_VERSION
    assert f"--start-date {drift} --end-date {drift}" in check["message"]
    # the outage date was rebuilt under the current contract: no drift there
    _, other, _ = _validate(path, changed_warehouse["outage"], "--no-refresh")
    assert _check(other, "contract_drift_rows")["status"] == "ok"


@pytest.fixture
def backfilled_warehouse(sample_raw: Path, dates: dict[str, dt.date]) -> Path:
    """The sample as the documented commands leave it: `nba-props load` and then `nba-props backfill` of two
    dates, nothing else (no `dbt build` of the whole project). At sample_copy's path, whose dbt parse the
    worker has."""
    path = fresh_sample_copy(sample_raw)
    day = dates["ordinary"]
    proc = run_cli(
        ["backfill", "--start-date", str(day - dt.timedelta(days=1)), "--end-date", str(day)], path
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return path


def test_daily_commands_build_what_they_read_on_a_loaded_and_backfilled_warehouse(
    backfilled_warehouse: Path, dates: dict[str, dt.date], tmp_path: Path
):
    """validate-daily and report build the monitoring marts and every upstream model only they read (such as
    stg_closing_lines__game_lines for source_freshness), not just the marts over what a backfill built."""
    day = dates["ordinary"]
    assert not _rows(
        backfilled_warehouse,
        "select * from information_schema.tables where table_name in "
        "('stg_closing_lines__game_lines', 'source_freshness', 'daily_health_checks')",
    )
    _, result, _ = _validate(backfilled_warehouse, day)
    assert result["game_date"] == str(day) and _check(result, "star_players_missing_lines")["status"] == "ok"
    freshness = dict(
        _rows(backfilled_warehouse, "select relation_name, row_count from monitoring.source_freshness")
    )
    assert freshness["stg_closing_lines__game_lines"] > 0 and freshness["ml_feature_store_v2"] > 0
    out = tmp_path / "report.html"
    args = [
        "report",
        "--start-date",
        str(day - dt.timedelta(days=1)),
        "--end-date",
        str(day),
        "--out",
        str(out),
    ]
    proc = run_cli(args, backfilled_warehouse)
    assert proc.returncode == 0 and out.is_file(), proc.stdout + proc.stderr


def _fallback_pair() -> tuple[str, str, float]:
    """The first required feature (contract order) and a non-default source weighted below its primary source,
    from the seeds: (feature, source, threshold var default)."""
    import csv

    import yaml

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    with (seeds / "feature_source_weights.csv").open(newline="") as fh:
        weights = list(csv.DictReader(fh))
    with (seeds / "feature_contract.csv").open(newline="") as fh:
        contract = list(csv.DictReader(fh))
    weight = {w["source"]: float(w["weight"]) for w in weights}
    project = yaml.safe_load((seeds.parent / "dbt_project.yml").read_text())
    threshold = float(project["vars"]["fallback_source_max_pct"])
    for feature in contract:
        if feature["is_optional"] == "true":
            continue
        for w in weights:
            if w["is_default"] == "false" and float(w["weight"]) < weight[feature["real_source"]]:
                return feature["feature_name"], w["source"], threshold
    raise AssertionError("the weights seed has no source weighted below a required feature's primary")


def test_fallback_source_carrying_a_required_feature_warns(sample_copy: Path, dates: dict[str, dt.date]):
    """A fallback source standing in for most of a date's rows of one required feature warns (exit 1 unless
    something else alerts) and names the feature and the source; another date of the same store does not."""
    path, day, other = sample_copy, dates["drift"], dates["ordinary"]
    feature, source, threshold = _fallback_pair()
    (total,) = _rows(path, "select count(*) from features.ml_feature_store_v2 where game_date = ?", [day])[0]
    stood_in = int(total * 0.75)
    con = duckdb.connect(str(path))
    try:
        con.execute(
            f"""update features.ml_feature_store_v2 set {feature}_source = ?
            where game_date = ? and player_lookup in (
                select player_lookup from features.ml_feature_store_v2 where game_date = ?
                order by player_lookup limit ?)""",
            [source, day, day, stood_in],
        )
    finally:
        con.close()
    code, result, _ = _validate(path, day, "--refresh")
    check = _check(result, "fallback_source_pct")
    # at least the share the update gave the source (another fallback may carry more)
    assert check["observed"] >= round(100.0 * stood_in / total, 2) > threshold
    assert check["status"] == "warn" and check["warn_threshold"] == threshold
    assert f"{feature} from {source}" in check["message"]
    assert code == {"warn": 1, "alert": 2}[result["status"]]
    proc = run_cli(["validate-daily", "--date", str(day), "--no-refresh"], path)
    assert "fallback_source_pct" in proc.stdout and f"{feature} from {source}" in proc.stdout
    _, untouched, _ = _validate(path, other, "--no-refresh")
    assert _check(untouched, "fallback_source_pct")["status"] == "ok"


def test_date_without_games_is_an_error(sample_copy: Path):
    path = sample_copy
    proc = run_cli(["validate-daily", "--date", "1999-07-04"], path)
    assert proc.returncode == 3
    assert proc.stderr.startswith("error: no games and no feature rows on 1999-07-04")


def test_messages_say_what_to_do():
    d = dt.date(2024, 3, 5)
    stars = [
        {
            "player_name": f"Player {i}",
            "player_lookup": f"player{i}",
            "points_avg_season": 20.5 + i,
            "missing_line_reason": "no_snapshot_for_player",
        }
        for i in range(11)
    ]
    result = DailyValidation(d, [], star_players_missing_lines=stars)
    check = Check("star_players_missing_lines", "alert", 11.0, 0.0, 2.0, "upper", "")
    text = message(check, result)
    assert text.startswith(
        "11 star players have no line on 2024-03-05: check the odds scraper; "
        "bench players without lines are normal"
    )
    assert "Player 10 (30.5 ppg)" in text
    result.star_players_missing_lines = [dict(s, missing_line_reason="no_lines_for_date") for s in stars]
    assert "the odds scraper did not run" in message(check, result)
    ok = Check("star_players_missing_lines", "ok", 0.0, 0.0, 2.0, "upper", "")
    assert message(ok, result) == "every star player who plays has a line"
    result.checks = [ok, Check("quality_ready_pct", "warn", 75.0, 80.0, 60.0, "lower", "")]
    assert (result.status, result.exit_code) == ("warn", 1)
    result.checks.append(check)
    assert (result.status, result.exit_code) == ("alert", 2)
