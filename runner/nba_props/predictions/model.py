"""Train, save and load the points regressor (LightGBM), with metadata that pins the feature contract.

A model is two files in the model store: `<name>.txt` (LightGBM's text format) and `<name>.json` (contract
version and hash, feature names, training window, row counts, parameters, validation metrics).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nba_props.errors import NbaPropsError
from nba_props.predictions.data import is_true, matrix

SEED = 20240125
# L1 objective: the OVER/UNDER call is right when the prediction falls on the same side of the line as the
# outcome, which is a statement about the median, and the median is what an L1 loss estimates.
PARAMS: dict[str, Any] = {
    "objective": "regression_l1",
    "learning_rate": 0.03,
    "num_leaves": 31,
    "min_data_in_leaf": 40,
    "feature_fraction": 0.8,
    "lambda_l2": 1.0,
    "seed": SEED,
    "deterministic": True,
    "force_row_wise": True,
    # One thread: on a shared 2-core machine OpenMP spin-waiting made 2 threads ~10x slower than 1
    # (measured: 100 rounds on 2,000 rows, 1.2 s vs 14.5 s under load); NBA_PROPS_LGBM_THREADS overrides.
    "num_threads": 1,
    "verbose": -1,
}
MAX_ROUNDS = 2000
EARLY_STOPPING = 100
VALIDATION_SHARE = 0.15
MIN_TRAIN_ROWS = 200


@dataclass
class TrainedModel:
    name: str
    booster: Any
    metadata: dict[str, Any]

    @property
    def feature_names(self) -> list[str]:
        return list(self.metadata["feature_names"])

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        raw = self.booster.predict(
            matrix(rows, self.feature_names), num_iteration=self.metadata["num_rounds"]
        )
        # Points are never negative; keep one decimal as the record shows it.
        return np.round(np.clip(raw, 0.0, None), 1)


def models_dir(project_dir: Path) -> Path:
    return Path(os.environ.get("NBA_PROPS_MODELS_DIR", project_dir / "models_store"))


def training_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows a model may learn from: quality-ready, no required default, a played game with a points label."""
    ok = (
        is_true(rows["is_quality_ready"])
        & (pd.to_numeric(rows["required_default_count"], errors="coerce") == 0)
        & ~is_true(rows["is_dnp"])
        & rows["actual_points"].notna()
    )
    return rows.loc[ok].sort_values(["game_date", "player_lookup"], kind="mergesort").reset_index(drop=True)


def params() -> dict[str, Any]:
    threads = os.environ.get("NBA_PROPS_LGBM_THREADS")
    return {**PARAMS, "num_threads": int(threads)} if threads else dict(PARAMS)


def fit(
    rows: pd.DataFrame,
    feature_names: Sequence[str],
    through_date: dt.date,
    contract_version: str,
    contract_hash: str,
    name: str,
    min_rows: int = MIN_TRAIN_ROWS,
) -> TrainedModel:
    """Fit on rows dated strictly before `through_date`; validation = the latest dates, not random."""
    import lightgbm as lgb

    dates = pd.to_datetime(rows["game_date"]).dt.date
    rows = training_frame(rows.loc[dates < through_date])
    if len(rows) < min_rows:
        raise NbaPropsError(
            f"only {len(rows)} quality-ready played rows before {through_date} (need {min_rows}): "
            "build more feature-store dates first"
        )
    row_dates = pd.to_datetime(rows["game_date"]).dt.date
    distinct = sorted(set(row_dates))
    n_val_dates = max(1, round(len(distinct) * VALIDATION_SHARE)) if len(distinct) > 1 else 0
    val_start = distinct[-n_val_dates] if n_val_dates else None
    is_val = (row_dates >= val_start) if val_start else pd.Series(False, index=rows.index)
    train, val = rows.loc[~is_val], rows.loc[is_val]
    x_all, y_all = matrix(rows, feature_names), rows["actual_points"].to_numpy(dtype=np.float64)

    rounds = 300
    validation: dict[str, Any] = {"rows": int(len(val))}
    if len(val) and len(train) >= min_rows // 2:
        booster = lgb.train(
            params(),
            lgb.Dataset(
                matrix(train, feature_names),
                train["actual_points"].to_numpy(),
                feature_name=list(feature_names),
            ),
            num_boost_round=MAX_ROUNDS,
            valid_sets=[lgb.Dataset(matrix(val, feature_names), val["actual_points"].to_numpy())],
            callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)],
        )
        rounds = max(int(booster.best_iteration or MAX_ROUNDS), 10)
        pred = np.clip(booster.predict(matrix(val, feature_names), num_iteration=rounds), 0, None)
        validation.update(_validation_metrics(val, pred))
        validation["start_date"] = str(val_start)
    # The kept model is refit on every row with the round count the time-ordered validation chose.
    booster = lgb.train(
        params(),
        lgb.Dataset(x_all, y_all, feature_name=list(feature_names)),
        num_boost_round=rounds,
    )
    metadata = {
        "name": name,
        "library": "lightgbm",
        "library_version": lgb.__version__,
        "params": params(),
        "num_rounds": rounds,
        "contract_version": contract_version,
        "contract_hash": contract_hash,
        "feature_names": list(feature_names),
        "through_date": str(through_date),
        "train_start_date": str(min(row_dates)),
        "train_end_date": str(max(row_dates)),
        "rows": int(len(rows)),
        "train_rows": int(len(train)),
        "validation": validation,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return TrainedModel(name, booster, metadata)


def _validation_metrics(val: pd.DataFrame, pred: np.ndarray) -> dict[str, Any]:
    actual = val["actual_points"].to_numpy(dtype=np.float64)
    out: dict[str, Any] = {
        "mae": round(float(np.mean(np.abs(pred - actual))), 3),
        "rmse": round(float(np.sqrt(np.mean((pred - actual) ** 2))), 3),
    }
    if "points_avg_last_10" in val.columns:
        base = pd.to_numeric(val["points_avg_last_10"], errors="coerce").to_numpy(dtype=np.float64)
        ok = ~np.isnan(base)
        if ok.any():
            out["baseline_last10_mae"] = round(float(np.mean(np.abs(base[ok] - actual[ok]))), 3)
    if "vegas_points_line" in val.columns:
        line = pd.to_numeric(val["vegas_points_line"], errors="coerce").to_numpy(dtype=np.float64)
        has = ~np.isnan(line)
        out["rows_with_line"] = int(has.sum())
        if has.any():
            out["model_mae_with_line"] = round(float(np.mean(np.abs(pred[has] - actual[has]))), 3)
            out["line_mae"] = round(float(np.mean(np.abs(line[has] - actual[has]))), 3)
    return out


def save(model: TrainedModel, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{model.name}.txt"
    model.booster.save_model(str(path), num_iteration=model.metadata["num_rounds"])
    (directory / f"{model.name}.json").write_text(json.dumps(model.metadata, indent=2, default=str) + "\n")
    return path


def latest_name(directory: Path) -> str | None:
    """The newest model by training cut-off, then by training time."""
    best: tuple[str, str, str] | None = None
    for meta_path in directory.glob("*.json") if directory.is_dir() else []:
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if not (directory / f"{meta_path.stem}.txt").is_file():
            continue
        key = (str(meta.get("through_date", "")), str(meta.get("trained_at", "")), meta_path.stem)
        if best is None or key > best:
            best = key
    return best[2] if best else None


def load(directory: Path, name: str | None) -> TrainedModel:
    import lightgbm as lgb

    if name is None:
        name = latest_name(directory)
        if name is None:
            raise NbaPropsError(
                f"no trained model in {directory}: run `nba-props train --through-date D` first"
            )
    model_path, meta_path = directory / f"{name}.txt", directory / f"{name}.json"
    if not model_path.is_file() or not meta_path.is_file():
        raise NbaPropsError(f"model {name!r} not found in {directory} (need {name}.txt and {name}.json)")
    try:
        metadata = json.loads(meta_path.read_text())
        booster = lgb.Booster(model_file=str(model_path))
    except (OSError, ValueError, lgb.basic.LightGBMError) as exc:
        raise NbaPropsError(f"model {name!r} in {directory} cannot be read: {exc}") from exc
    return TrainedModel(name, booster, metadata)


def check_contract(
    model: TrainedModel, store_version: str, store_hash: str, store_names: Sequence[str]
) -> None:
    """Refuse a model built for another feature contract than the rows it would score."""
    meta = model.metadata
    if (
        meta.get("contract_hash") != store_hash
        or meta.get("contract_version") != store_version
        or list(meta.get("feature_names", [])) != list(store_names)
    ):
        raise NbaPropsError(
            f"model {model.name!r} was trained on feature contract {meta.get('contract_version')}/"
            f"{meta.get('contract_hash')} but the feature store has {store_version}/{store_hash}: "
            "retrain with `nba-props train --through-date D`"
        )
