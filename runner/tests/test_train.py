"""train: only quality-ready played rows strictly before the cut-off, contract recorded, deterministic; the
market models start from the line and the market's probability, learn only what held-out dates support, and
never see a label on or after the cut-off."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import predictions_synth as synth
import pytest
from nba_props.predictions import model as models

CUTOFF = dt.date(2024, 2, 10)


@pytest.fixture(scope="module")
def labelled():
    rows, labels = synth.frames(days=45)
    return synth.labelled(rows, labels)


@pytest.fixture(scope="module")
def trained(labelled):
    """The model fitted on LABELLED once for the module: the tests that only read it share it (training is
    deterministic, which test_training_is_deterministic shows with two fits of its own)."""
    return fit(labelled)


def fit(frame, name="m"):
    c = synth.contract()
    return models.fit(frame, c.feature_names, CUTOFF, c.version, c.contract_hash, name)


def test_metadata_records_contract_window_rows_and_time_ordered_validation(labelled, trained, tmp_path):
    c = synth.contract()
    meta = trained.metadata
    eligible = labelled[(labelled["game_date"] < CUTOFF) & labelled["actual_points"].notna()]
    assert meta["rows"] == len(eligible)
    assert meta["train_end_date"] == str(CUTOFF - dt.timedelta(days=1)) and meta["through_date"] == str(
        CUTOFF
    )
    assert meta["contract_hash"] == c.contract_hash and meta["feature_names"] == list(c.feature_names)
    val = meta["validation"]
    assert val["start_date"] > meta["train_start_date"] and val["rows"] > 0 and val["mae"] > 0
    models.save(trained, tmp_path)
    loaded = models.load(tmp_path, None)
    assert json.loads((tmp_path / "m.json").read_text())["contract_version"] == c.version
    day = labelled[labelled["game_date"] == CUTOFF]
    assert np.array_equal(loaded.predict(day), trained.predict(day))
    a, b = loaded.predict_all(day), trained.predict_all(day)
    assert np.array_equal(a.p_over, b.p_over, equal_nan=True) and (a.basis == b.basis).all()


def test_rows_on_or_after_the_cutoff_and_not_ready_rows_are_not_learned_from(labelled, trained):
    poisoned = labelled.copy()
    later = poisoned["game_date"] >= CUTOFF
    poisoned.loc[later, "actual_points"] = 99.0  # absurd labels on and after the cut-off
    not_ready = poisoned["player_lookup"] == "player005"
    poisoned.loc[not_ready, "is_quality_ready"] = False
    poisoned.loc[not_ready, "actual_points"] = 0.0
    changed = fit(poisoned)
    assert changed.metadata["rows"] == trained.metadata["rows"] - int(
        (
            (labelled["player_lookup"] == "player005")
            & (labelled["game_date"] < CUTOFF)
            & labelled["actual_points"].notna()
        ).sum()
    )
    day = labelled[labelled["game_date"] == CUTOFF]
    # Without player005's rows the model differs slightly, but nothing near the 99-point labels leaks in.
    assert changed.predict(day).max() < 60
    only_future = labelled.copy()
    only_future.loc[later, "actual_points"] = 99.0
    future_fit = fit(only_future)
    assert np.array_equal(future_fit.predict(day), trained.predict(day))
    assert np.array_equal(future_fit.predict_all(day).p_over, trained.predict_all(day).p_over, equal_nan=True)


def test_training_is_deterministic(labelled):
    a, b = fit(labelled), fit(labelled)
    assert a.booster.model_to_string() == b.booster.model_to_string()
    assert a.margin_booster.model_to_string() == b.margin_booster.model_to_string()
    assert a.over_booster.model_to_string() == b.over_booster.model_to_string()
    assert a.metadata["market"] == b.metadata["market"]


def test_market_models_start_from_the_line_and_the_market_and_learn_the_hidden_signal(labelled, trained):
    meta = trained.metadata["market"]
    # the synthetic points carry a signal the line does not know: held-out dates support correcting for it
    assert meta["margin_shrinkage"] > 0 and meta["shrinkage"] > 0
    assert meta["calibration_model_mae"] < meta["calibration_line_mae"]
    assert meta["calibration_brier"] < meta["calibration_market_brier"]
    day = labelled[labelled["game_date"] >= CUTOFF]
    out = trained.predict_all(day)
    has_line = day["vegas_points_line"].notna().to_numpy()
    assert (out.basis[has_line] == "line").all() and (out.basis[~has_line] == "points").all()
    assert np.isnan(out.p_over[~has_line]).all() and not np.isnan(out.p_over[has_line]).any()
    assert np.array_equal(out.predicted_points[~has_line], out.points_model_points[~has_line])
    signal = day[synth.SIGNAL_FEATURE].to_numpy()[has_line]
    over_lean = out.p_over[has_line] - out.market_p_over[has_line]
    margin = out.predicted_points[has_line] - day["vegas_points_line"].to_numpy()[has_line]
    assert np.corrcoef(signal, over_lean)[0, 1] > 0.5 and np.corrcoef(signal, margin)[0, 1] > 0.5


def test_without_enough_lined_rows_the_market_stands(labelled):
    no_lines = labelled.copy()
    early = no_lines["game_date"] < CUTOFF - dt.timedelta(days=3)
    for col in [c for c in no_lines.columns if c.startswith("market_")] + ["vegas_points_line"]:
        no_lines.loc[early, col] = np.nan
    trained = fit(no_lines)
    assert trained.margin_booster is None and trained.over_booster is None
    day = labelled[labelled["game_date"] == CUTOFF]
    out = trained.predict_all(day)
    lined = day["vegas_points_line"].notna().to_numpy()
    assert np.array_equal(
        out.predicted_points[lined], np.round(day["vegas_points_line"].to_numpy()[lined], 1)
    )
    assert np.allclose(out.p_over[lined], day["market_no_vig_over"].to_numpy()[lined])


def test_shrinkage_is_the_held_out_maximum_likelihood_within_zero_and_one():
    rng = np.random.default_rng(5)
    market_p = rng.uniform(0.45, 0.55, 4000)
    correction = rng.normal(0, 0.5, 4000)
    truth = models.sigmoid(models.logit(market_p) + 0.5 * correction)
    went_over = (rng.uniform(size=4000) < truth).astype(float)
    assert 0.3 < models.fit_shrinkage(market_p, correction, went_over) < 0.7
    assert models.fit_shrinkage(market_p, -correction, went_over) == 0.0  # a harmful correction is dropped
    assert models.fit_shrinkage(market_p, np.zeros(4000), went_over) == 0.0
    line, actual = np.full(4, 10.5), np.array([8.0, 9.0, 9.0, 13.0])
    assert models.fit_margin_shrinkage(line, np.full(4, -1.0), actual) == 1.0
    assert models.fit_margin_shrinkage(line, np.full(4, 3.0), actual) == 0.0
    # the points model's difference from the line gets a weight in p_over too, never a negative one
    edge = rng.normal(0, 2, 4000)
    went_over = (rng.uniform(size=4000) < models.sigmoid(models.logit(market_p) + 0.1 * edge)).astype(float)
    k, beta = models.fit_bounded_logistic(
        models.logit(market_p), [correction, edge], [(0.0, 1.0), (0.0, np.inf)], went_over
    )
    assert k < 0.2 and 0.05 < beta < 0.15
    assert models.fit_bounded_logistic(models.logit(market_p), [-edge], [(0.0, np.inf)], went_over) == (0.0,)


def test_a_model_of_the_previous_format_is_refused_in_one_line(trained, tmp_path):
    from nba_props.errors import NbaPropsError

    models.save(trained, tmp_path)
    meta = json.loads((tmp_path / "m.json").read_text())
    del meta["model_format"]
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(NbaPropsError, match="format 1.*retrain"):
        models.load(tmp_path, "m")


def test_dnp_rows_are_not_labels(labelled, trained):
    frame = labelled.copy()
    dnp = frame["is_dnp"]
    frame.loc[dnp, "actual_points"] = 0.0  # a DNP with a zero must still be excluded
    assert fit(frame).metadata["rows"] == trained.metadata["rows"]


def test_too_few_rows_is_a_clear_error(labelled):
    from nba_props.errors import NbaPropsError

    with pytest.raises(NbaPropsError, match="quality-ready played rows before"):
        fit(labelled[labelled["game_date"] < dt.date(2024, 1, 3)])
