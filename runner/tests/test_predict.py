"""predict / check-lines on a synthetic store: gate reasons recorded, prices, p_over and the EV decision
recorded, one active prediction per key, supersession on late or moved lines (history kept), contract mismatch
and missing model refused, an older predictions table extended in place."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import numpy as np
import predictions_synth as synth
import pytest
from conftest import run_cli
from nba_props.cli import main
from nba_props.predictions import engine, history, market

DAY = "2024-02-20"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("predict")
    wh, models = root / "base.duckdb", root / "models"
    rows, labels = synth.frames()
    synth.write(wh, rows, labels)
    code, out = _run(["train", "--through-date", DAY, "--name", "m1"], wh, models, None)
    assert code == 0, out
    # train joins ml_market_features: the market models learned from the lines' prices
    assert (models / "m1.margin.txt").is_file() and (models / "m1.over.txt").is_file()
    return wh, models


@pytest.fixture
def wh(trained: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "wh.duckdb"
    shutil.copyfile(trained[0], copy)
    return copy


def _run(args: list[str], wh: Path, models: Path, capsys) -> tuple[int, str]:
    import os

    old = {k: os.environ.get(k) for k in ("NBA_PROPS_DUCKDB_PATH", "NBA_PROPS_MODELS_DIR")}
    os.environ.update(NBA_PROPS_DUCKDB_PATH=str(wh), NBA_PROPS_MODELS_DIR=str(models))
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    out = capsys.readouterr() if capsys else None
    return code, (out.out + out.err) if out else ""


def predictions(wh: Path) -> list[dict]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        cur = con.execute("select * from runner.predictions order by predicted_at, player_lookup")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        con.close()


def test_predict_writes_one_active_row_per_player_with_the_line_the_features_used(wh, trained, capsys):
    code, out = _run(["predict", "--date", DAY], wh, trained[1], capsys)
    assert code == 0, out
    rows = predictions(wh)
    assert len(rows) == 40 and all(r["is_active"] for r in rows)
    with_line = [r for r in rows if r["has_line"]]
    assert with_line and all(
        r["line_book"] == "draftkings" and r["line_minutes_before_tipoff"] == 240 for r in with_line
    )
    for r in rows:
        if not r["has_line"]:
            assert r["recommendation"] == "NO_LINE" and r["line_book"] is None
            assert r["p_over"] is None and r["over_price"] is None and r["prediction_basis"] == "points"
            assert r["predicted_points"] == r["points_model_points"]
        else:
            edge = r["predicted_points"] - r["line_points"]
            assert abs(r["edge"] - edge) < 0.01
            expected = "OVER" if edge >= 1 else "UNDER" if edge <= -1 else "PASS"
            assert r["edge_recommendation"] == expected and r["prediction_basis"] == "line"
            # both sides' prices of the line's book at prediction time, and the bet's value at them
            assert r["over_price"] and r["under_price"] and 0 < r["p_over"] < 1 and 0 < r["market_p_over"] < 1
            over_decimal = market.decimal_odds(np.array([r["over_price"]]))[0]
            assert r["ev_over"] == pytest.approx(r["p_over"] * over_decimal - 1)
            best = max(r["ev_over"], r["ev_under"])
            assert r["expected_value"] == pytest.approx(best) and r["min_ev"] == engine.DEFAULT_MIN_EV
            side = "OVER" if r["ev_over"] >= r["ev_under"] else "UNDER"
            assert r["recommendation"] == (side if best >= engine.DEFAULT_MIN_EV else "PASS")


def test_min_ev_sets_how_much_value_a_bet_needs(wh, trained, capsys):
    code, out = _run(["predict", "--date", DAY, "--min-ev", "-1"], wh, trained[1], capsys)
    assert code == 0, out
    rows = predictions(wh)
    assert {r["recommendation"] for r in rows if r["has_line"]} <= {"OVER", "UNDER"}
    assert all(r["min_ev"] == -1 for r in rows)


def test_an_older_predictions_table_gets_the_new_columns_and_keeps_its_rows(wh, trained, capsys):
    old = [(n, k) for n, k in history.PREDICTION_COLUMNS if n != "prediction_basis"][:38]
    con = duckdb.connect(str(wh))
    con.execute("create schema runner")
    con.execute(f"create table runner.predictions ({', '.join(f'{n} {k}' for n, k in old)})")
    con.execute("insert into runner.predictions (prediction_id, is_active) values ('kept', false)")
    con.close()
    code, out = _run(["predict", "--date", DAY], wh, trained[1], capsys)
    assert code == 0, out
    rows = predictions(wh)
    assert [r for r in rows if r["prediction_id"] == "kept"] and len(rows) == 41
    assert list(rows[0]) == [n for n, _ in history.PREDICTION_COLUMNS]


def test_gated_players_are_skipped_with_their_reason(wh, trained, capsys):
    synth.set_rows(wh, "player_lookup = 'player001'", "quality_alert_level = 'red'")
    synth.set_rows(wh, "player_lookup = 'player002'", "required_default_count = 2, is_quality_ready = false")
    synth.set_rows(wh, "player_lookup = 'player003'", "feature_quality_score = 80")
    code, out = _run(["predict", "--date", DAY, "--mode", "first"], wh, trained[1], capsys)
    assert code == 0, out
    con = duckdb.connect(str(wh), read_only=True)
    skips = dict(con.execute("select player_lookup, reason from runner.prediction_skips").fetchall())
    predicted = {r[0] for r in con.execute("select player_lookup from runner.predictions").fetchall()}
    con.close()
    assert skips == {
        "player001": "hard_floor_red_alert",
        "player002": "zero_tolerance_required_defaults_2",
        "player003": "quality_below_threshold_85",
    }
    assert not predicted & set(skips) and len(predicted) == 37


def test_repeated_predict_with_unchanged_lines_writes_nothing(wh, trained, capsys):
    _run(["predict", "--date", DAY], wh, trained[1], capsys)
    first = predictions(wh)
    synth.set_rows(wh, "player_lookup = 'player001'", "vegas_points_line = vegas_points_line + 0.5")
    code, out = _run(["predict", "--date", DAY, "--mode", "retry"], wh, trained[1], capsys)
    assert code == 0, out
    assert predictions(wh) == first
    assert "40 unchanged" in out


def test_moved_and_new_lines_supersede_in_place_and_keep_history(wh, trained, capsys):
    _run(["predict", "--date", DAY], wh, trained[1], capsys)
    before = {r["player_lookup"]: r for r in predictions(wh)}
    assert not before["player000"]["has_line"] and before["player001"]["has_line"]
    # player000 gets a line; player001's line moves by 2 points; player002's by 0.5 (below the threshold).
    synth.set_rows(
        wh,
        "player_lookup = 'player000'",
        "vegas_points_line = 20.5, vegas_opening_line = 20.5, vegas_line_move = 0, has_vegas_line = 1, "
        "vegas_line_book = 'fanduel', vegas_line_minutes_before_tipoff = 90",
    )
    synth.set_rows(
        wh, "player_lookup = 'player001'", "vegas_points_line = vegas_points_line + 2, vegas_line_move = 2"
    )
    synth.set_rows(wh, "player_lookup = 'player002'", "vegas_points_line = vegas_points_line + 0.5")
    code, out = _run(
        ["check-lines", "--date", DAY, "--as-of", "2024-02-20T22:00:00Z", "--no-build"],
        wh,
        trained[1],
        capsys,
    )
    assert code == 0, out
    rows = predictions(wh)
    assert len(rows) == 42  # nothing deleted: 40 + 2 new
    by_player: dict[str, list[dict]] = {}
    for r in rows:
        by_player.setdefault(r["player_lookup"], []).append(r)
    for player, reason in (("player000", "line_appeared"), ("player001", "line_moved_")):
        old, new = sorted(by_player[player], key=lambda r: r["predicted_at"])
        assert not old["is_active"] and new["is_active"]
        assert old["superseded_by"] == new["prediction_id"] and new["supersedes"] == old["prediction_id"]
        assert old["superseded_reason"].startswith(reason) and old["superseded_at"] is not None
        assert new["mode"] == "line_check" and new["has_line"]
    assert by_player["player000"][-1]["line_book"] == "fanduel"
    assert len(by_player["player002"]) == 1 and by_player["player002"][0]["is_active"]
    con = duckdb.connect(str(wh), read_only=True)
    dupes = con.execute(
        "select count(*) from (select player_lookup, game_id, model_name from runner.predictions "
        "where is_active group by all having count(*) > 1)"
    ).fetchone()[0]
    con.close()
    assert dupes == 0


def test_check_lines_does_not_create_first_predictions(wh, trained, capsys):
    code, out = _run(
        ["check-lines", "--date", DAY, "--as-of", "2024-02-20T22:00:00Z", "--no-build"],
        wh,
        trained[1],
        capsys,
    )
    assert code == 0, out
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("select count(*) from runner.predictions").fetchone()[0] == 0
    con.close()


def test_a_model_from_another_contract_is_refused_with_one_line(wh, trained):
    synth.set_rows(wh, "true", "contract_hash = 'ffffffffffffffff'")
    proc = run_cli(["predict", "--date", DAY], wh, NBA_PROPS_MODELS_DIR=str(trained[1]))
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "feature contract" in lines[0] and "ffffffffffffffff" in lines[0], proc.stderr
    con = duckdb.connect(str(wh), read_only=True)
    assert (
        not con.execute(
            "select count(*) from information_schema.tables where table_schema = 'runner' "
            "and table_name = 'predictions'"
        ).fetchone()[0]
        or con.execute("select count(*) from runner.predictions").fetchone()[0] == 0
    )
    con.close()


def test_missing_model_is_one_clear_line(wh, tmp_path):
    proc = run_cli(["predict", "--date", DAY], wh, NBA_PROPS_MODELS_DIR=str(tmp_path / "empty"))
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == [
        f"error: no trained model in {tmp_path / 'empty'}: run `nba-props train --through-date D` first"
    ]
    proc = run_cli(["predict", "--date", DAY, "--model", "nope"], wh, NBA_PROPS_MODELS_DIR=str(tmp_path))
    assert len(proc.stderr.strip().splitlines()) == 1 and "model 'nope' not found" in proc.stderr


def test_unknown_mode_is_refused(wh, trained):
    proc = run_cli(["predict", "--date", DAY, "--mode", "pre_game"], wh, NBA_PROPS_MODELS_DIR=str(trained[1]))
    assert proc.returncode != 0 and "pre_game" in proc.stderr


def test_a_date_without_rows_is_one_clear_line(wh, trained, capsys):
    code, out = _run(["predict", "--date", "2025-01-01"], wh, trained[1], capsys)
    assert code != 0 and "no feature-store rows for 2025-01-01" in out


def test_predictions_use_names_not_positions(wh, trained, capsys):
    """Reordering the store's columns changes nothing: features are selected by contract name."""
    _run(["predict", "--date", DAY], wh, trained[1], capsys)
    first = {r["player_lookup"]: r["predicted_points"] for r in predictions(wh)}
    con = duckdb.connect(str(wh))
    cols = [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_name = "
            "'ml_feature_store_v2' order by ordinal_position"
        ).fetchall()
    ]
    con.execute("drop table runner.predictions")
    con.execute(
        f"create or replace table features.ml_feature_store_v2 as select "
        f"{', '.join(reversed(cols))} from features.ml_feature_store_v2"
    )
    con.close()
    _run(["predict", "--date", DAY], wh, trained[1], capsys)
    assert {r["player_lookup"]: r["predicted_points"] for r in predictions(wh)} == first
    assert dt.date(2024, 2, 20)  # the day under test
