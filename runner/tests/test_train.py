"""train: only quality-ready played rows strictly before the cut-off, contract recorded, deterministic."""

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
    merged = rows.merge(
        labels.rename(columns={"points": "actual_points"})[
            ["player_lookup", "game_id", "actual_points", "is_dnp"]
        ],
        on=["player_lookup", "game_id"],
        how="left",
    )
    return merged


def fit(frame, name="m"):
    c = synth.contract()
    return models.fit(frame, c.feature_names, CUTOFF, c.version, c.contract_hash, name)


def test_metadata_records_contract_window_rows_and_time_ordered_validation(labelled, tmp_path):
    c = synth.contract()
    trained = fit(labelled)
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


def test_rows_on_or_after_the_cutoff_and_not_ready_rows_are_not_learned_from(labelled):
    base = fit(labelled)
    poisoned = labelled.copy()
    later = poisoned["game_date"] >= CUTOFF
    poisoned.loc[later, "actual_points"] = 99.0  # absurd labels on and after the cut-off
    not_ready = poisoned["player_lookup"] == "player005"
    poisoned.loc[not_ready, "is_quality_ready"] = False
    poisoned.loc[not_ready, "actual_points"] = 0.0
    changed = fit(poisoned)
    assert changed.metadata["rows"] == base.metadata["rows"] - int(
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
    assert np.array_equal(fit(only_future).predict(day), base.predict(day))


def test_training_is_deterministic(labelled):
    a, b = fit(labelled), fit(labelled)
    assert a.booster.model_to_string() == b.booster.model_to_string()


def test_dnp_rows_are_not_labels(labelled):
    frame = labelled.copy()
    dnp = frame["is_dnp"]
    frame.loc[dnp, "actual_points"] = 0.0  # a DNP with a zero must still be excluded
    assert fit(frame).metadata["rows"] == fit(labelled).metadata["rows"]


def test_too_few_rows_is_a_clear_error(labelled):
    from nba_props.errors import NbaPropsError

    with pytest.raises(NbaPropsError, match="quality-ready played rows before"):
        fit(labelled[labelled["game_date"] < dt.date(2024, 1, 3)])
