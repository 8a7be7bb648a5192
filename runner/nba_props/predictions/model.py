"""Train, save and load the prediction model: LightGBM boosters with metadata that pins the feature contract.

A model has up to three boosters and is stored as `<name>.txt` (the points model), `<name>.margin.txt` and
`<name>.over.txt` (the market models, when there were rows with a line to learn from) and `<name>.json`
(contract version and hash, feature names, training window, row counts, parameters, the calibration,
validation metrics).

- Points model: points from the 37 contract features, for players without a line (and as a comparison).
- Market models, where a line exists: they start from the market and learn corrections. The margin model
  predicts `points - line` (L1: the median, since a bet on a side wins when the outcome falls on it). The over
  model is a binary booster whose initial score is the logit of the market's no-vig over probability (the book
  of the line). Both read the contract's features and the market inputs.
- How much of each correction is kept is fitted on the latest training dates, which neither the market
  boosters nor the points model's validation booster were trained on: `predicted = line + s * margin` with s
  on a 0.05 grid from 0 to 1 by the lowest MAE, and `p_over = sigmoid(logit(market) + k * correction + b *
  (points model - line))` by maximum likelihood with k in [0, 1] and b >= 0 (never reversed): the points model
  learns from every quality-ready row, lined or not, and its held-out predictions are the out-of-fold input of
  the calibration. Without enough rows to learn and validate a correction, the market stands: `line` and the
  no-vig probability.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nba_props.errors import NbaPropsError
from nba_props.predictions import market
from nba_props.predictions.data import is_true, matrix

MODEL_FORMAT = 2  # 1: the points model alone (no p_over); 2: points + market models
SEED = 20240125
# The points model's L1 objective: the OVER/UNDER call is right when the prediction falls on the same side of
# the line as the outcome, which is a statement about the median, and the median is what an L1 loss estimates.
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
# The market models use the points model's parameters (chosen before they existed, not tuned on these data)
# with their own objectives; early stopping on the latest training dates picks their number of rounds.
MARGIN_OBJECTIVE = "regression_l1"
OVER_OBJECTIVE = "binary"
MAX_ROUNDS = 2000
EARLY_STOPPING = 100
VALIDATION_SHARE = 0.15
MIN_TRAIN_ROWS = 200
# Market models need this many training rows with a line, and the calibration this many held-out rows with a
# priced line; below either the market stands uncorrected (a rule fixed in advance, not fitted).
MIN_MARKET_ROWS = 200
MIN_CALIBRATION_ROWS = 100
P_CLIP = 1e-4


@dataclass
class Predictions:
    predicted_points: np.ndarray
    points_model_points: np.ndarray
    basis: np.ndarray  # 'line' or 'points'
    p_over: np.ndarray  # NaN without a priced line
    market_p_over: np.ndarray


@dataclass
class TrainedModel:
    name: str
    booster: Any
    metadata: dict[str, Any]
    margin_booster: Any = None
    over_booster: Any = None
    shrinkage: float | None = field(default=None)

    @property
    def feature_names(self) -> list[str]:
        return list(self.metadata["feature_names"])

    @property
    def market_inputs(self) -> list[str]:
        return list(self.metadata.get("market_inputs", market.MODEL_INPUTS))

    def predict(self, rows: pd.DataFrame) -> np.ndarray:
        """Predicted points: line + margin where a line exists, the points model elsewhere."""
        return self.predict_all(rows).predicted_points

    def predict_all(self, rows: pd.DataFrame) -> Predictions:
        raw = self.booster.predict(
            matrix(rows, self.feature_names), num_iteration=self.metadata["num_rounds"]
        )
        points_model = np.clip(raw, 0.0, None)
        line = _column(rows, "vegas_points_line")
        has_line = ~np.isnan(line)
        x_market = market_matrix(rows, self.feature_names, self.market_inputs)
        market_meta = self.metadata.get("market", {})
        points_edge = points_model - line
        margin = np.zeros(len(rows))
        if self.margin_booster is not None and len(rows):
            margin = market_meta["margin_shrinkage"] * self.margin_booster.predict(
                x_market, num_iteration=market_meta["margin_rounds"]
            )
        predicted = np.where(has_line, np.clip(line + margin, 0.0, None), points_model)
        market_p = _column(rows, "market_no_vig_over")
        p_over = np.where(has_line, market_p, np.nan)
        if self.over_booster is not None and self.shrinkage is not None and len(rows):
            correction = self.over_booster.predict(
                x_market, num_iteration=self.metadata["market"]["over_rounds"], raw_score=True
            )
            p_over = np.where(
                has_line,
                calibrated(
                    market_p,
                    correction,
                    self.shrinkage,
                    market_meta.get("points_edge_weight", 0.0),
                    points_edge,
                ),
                np.nan,
            )
        # Points are never negative; one decimal as the record shows it.
        return Predictions(
            predicted_points=np.round(predicted, 1),
            points_model_points=np.round(points_model, 1),
            basis=np.where(has_line, "line", "points"),
            p_over=p_over,
            market_p_over=np.where(has_line, market_p, np.nan),
        )


def _column(rows: pd.DataFrame, name: str) -> np.ndarray:
    if name not in rows.columns:
        return np.full(len(rows), np.nan)
    return pd.to_numeric(rows[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def market_matrix(rows: pd.DataFrame, feature_names: Sequence[str], inputs: Sequence[str]) -> np.ndarray:
    """The market models' input: the contract features by name, then the market inputs (NaN when unknown)."""
    derived = market.model_inputs(rows)
    return np.hstack(
        [
            matrix(rows, feature_names),
            derived.loc[:, list(inputs)].to_numpy(dtype=np.float64, na_value=np.nan),
        ]
    )


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), P_CLIP, 1 - P_CLIP)
    return np.log(p / (1 - p))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def calibrated(
    market_p: np.ndarray,
    correction: np.ndarray,
    shrinkage: float,
    edge_weight: float = 0.0,
    points_edge: np.ndarray | None = None,
) -> np.ndarray:
    """p_over = sigmoid(logit(market) + shrinkage * correction + edge_weight * (points model - line))."""
    z = logit(market_p) + shrinkage * np.asarray(correction, dtype=np.float64)
    if edge_weight:
        z = z + edge_weight * np.asarray(points_edge, dtype=np.float64)
    return sigmoid(z)


def _log_likelihood(offset: np.ndarray, x: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    z = offset + x @ theta
    return float(np.sum(y * z - np.logaddexp(0.0, z)))


def _newton(offset: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Maximum-likelihood coefficients of y ~ Bernoulli(sigmoid(offset + x @ theta)); None if singular."""
    theta = np.zeros(x.shape[1])
    for _ in range(100):
        p = sigmoid(offset + x @ theta)
        grad = x.T @ (p - y)
        hess = (x * (p * (1 - p))[:, None]).T @ x
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return None
        theta = theta - step
        if np.max(np.abs(step)) < 1e-10:
            break
    return theta


def fit_bounded_logistic(
    offset: np.ndarray, columns: Sequence[np.ndarray], bounds: Sequence[tuple[float, float]], y: np.ndarray
) -> tuple[float, ...]:
    """Maximum likelihood of y ~ Bernoulli(sigmoid(offset + sum theta_i * column_i)) with each theta_i within
    its bounds: every choice of coefficients held at a bound (the rest by Newton's method) is tried and the
    feasible one with the highest likelihood kept. Deterministic, no solver options; for a few columns."""

    x_all = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    y = np.asarray(y, dtype=np.float64)
    best: tuple[float, np.ndarray] | None = None
    for held in itertools.product(*[(None, *[b for b in (lo, hi) if math.isfinite(b)]) for lo, hi in bounds]):
        theta = np.array([0.0 if h is None else h for h in held], dtype=np.float64)
        free = [i for i, h in enumerate(held) if h is None]
        fixed_offset = offset + x_all @ theta
        if free:
            solved = _newton(fixed_offset, x_all[:, free], y)
            if solved is None:
                continue
            theta[free] = solved
        if any(not (lo - 1e-12 <= t <= hi + 1e-12) for t, (lo, hi) in zip(theta, bounds, strict=True)):
            continue
        score = _log_likelihood(offset, x_all, y, theta)
        if best is None or score > best[0] + 1e-12:
            best = (score, theta)
    if best is None:
        return tuple(float(min(max(0.0, lo), hi)) for lo, hi in bounds)
    return tuple(float(round(t, 10)) for t in best[1])


def fit_shrinkage(market_p: np.ndarray, correction: np.ndarray, went_over: np.ndarray) -> float:
    """The share of the over model's correction that held-out outcomes support: the maximum-likelihood k of
    went_over ~ Bernoulli(sigmoid(logit(market) + k * correction)), kept within [0, 1] (a correction is never
    reversed or amplified)."""
    if not np.any(correction):
        return 0.0
    return fit_bounded_logistic(logit(market_p), [correction], [(0.0, 1.0)], went_over)[0]


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


def _time_split(rows: pd.DataFrame) -> tuple[pd.Series, object]:
    """The latest VALIDATION_SHARE of the rows' dates, as a mask, and its first date."""
    row_dates = pd.to_datetime(rows["game_date"]).dt.date
    distinct = sorted(set(row_dates))
    n_val_dates = max(1, round(len(distinct) * VALIDATION_SHARE)) if len(distinct) > 1 else 0
    val_start = distinct[-n_val_dates] if n_val_dates else None
    is_val = (row_dates >= val_start) if val_start else pd.Series(False, index=rows.index)
    return is_val, val_start


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
    is_val, val_start = _time_split(rows)
    train, val = rows.loc[~is_val], rows.loc[is_val]
    x_all, y_all = matrix(rows, feature_names), rows["actual_points"].to_numpy(dtype=np.float64)

    rounds = 300
    validation: dict[str, Any] = {"rows": int(len(val))}
    held_out_points: pd.Series | None = None  # the probe's predictions of the validation dates
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
        held_out_points = pd.Series(pred, index=val.index)
    # The kept model is refit on every row with the round count the time-ordered validation chose.
    booster = lgb.train(
        params(),
        lgb.Dataset(x_all, y_all, feature_name=list(feature_names)),
        num_boost_round=rounds,
    )
    market_part = fit_market(rows, feature_names, held_out_points)
    metadata = {
        "name": name,
        "model_format": MODEL_FORMAT,
        "library": "lightgbm",
        "library_version": lgb.__version__,
        "params": params(),
        "num_rounds": rounds,
        "contract_version": contract_version,
        "contract_hash": contract_hash,
        "feature_names": list(feature_names),
        "market_inputs": list(market.MODEL_INPUTS),
        "through_date": str(through_date),
        "train_start_date": str(min(row_dates)),
        "train_end_date": str(max(row_dates)),
        "rows": int(len(rows)),
        "train_rows": int(len(train)),
        "validation": validation,
        "market": market_part.metadata,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return TrainedModel(
        name,
        booster,
        metadata,
        margin_booster=market_part.margin_booster,
        over_booster=market_part.over_booster,
        shrinkage=market_part.shrinkage,
    )


@dataclass
class MarketPart:
    metadata: dict[str, Any]
    margin_booster: Any = None
    over_booster: Any = None
    shrinkage: float | None = None
    points_edge_weight: float = 0.0


def _held_out_folds(rows: pd.DataFrame, calibrate_from: dt.date | None) -> tuple[pd.Series, pd.Series]:
    """Two time-ordered held-out folds of the rows: `calibrate` (the dates from CALIBRATE_FROM, the points
    model's validation dates, so its held-out predictions cover them) fits how much of each correction to
    keep, and `stop` (the VALIDATION_SHARE of dates before it) picks a booster's number of rounds; neither is
    seen by the booster it judges."""
    row_dates = pd.to_datetime(rows["game_date"]).dt.date
    none = pd.Series(False, index=rows.index)
    if calibrate_from is None:
        return none, none
    distinct = sorted(set(row_dates))
    before = [d for d in distinct if d < calibrate_from]
    per_fold = max(1, round(len(distinct) * VALIDATION_SHARE))
    if len(before) < 2 * per_fold:
        return none, none
    stop_start = before[-per_fold]
    return (row_dates >= stop_start) & (row_dates < calibrate_from), row_dates >= calibrate_from


def _early_stopped(params_: dict[str, Any], train_set: Any, stop_set: Any) -> tuple[Any, int]:
    import lightgbm as lgb

    booster = lgb.train(
        params_,
        train_set,
        num_boost_round=MAX_ROUNDS,
        valid_sets=[stop_set],
        callbacks=[lgb.early_stopping(EARLY_STOPPING, verbose=False)],
    )
    return booster, max(int(booster.best_iteration or 1), 1)


def fit_margin_shrinkage(line: np.ndarray, margin: np.ndarray, actual: np.ndarray) -> float:
    """The share s of the margin correction, on a grid of 0.05 from 0 to 1, with the lowest MAE of
    line + s * margin on held-out outcomes (ties: the smaller s, i.e. nearer the line)."""
    grid = np.round(np.arange(0, 21) * 0.05, 2)
    maes = [round(float(np.mean(np.abs(np.clip(line + s * margin, 0, None) - actual))), 9) for s in grid]
    return float(grid[int(np.argmin(maes))])


def fit_market(
    rows: pd.DataFrame, feature_names: Sequence[str], held_out_points: pd.Series | None = None
) -> MarketPart:
    """The margin and over models on the training rows with a line (see the module docstring).
    HELD_OUT_POINTS: the points model's predictions of its validation rows by a booster that never saw
    them (without them there is no calibration fold and the market stands)."""
    import lightgbm as lgb

    line = _column(rows, "vegas_points_line")
    lined = rows.loc[~np.isnan(line)]
    meta: dict[str, Any] = {
        "rows_with_line": int(len(lined)),
        "margin_rounds": 0,
        "margin_shrinkage": 0.0,
        "over_rounds": 0,
        "shrinkage": None,
        "points_edge_weight": 0.0,
    }
    calibrate_from = (
        None
        if held_out_points is None
        else min(pd.to_datetime(rows.loc[held_out_points.index, "game_date"]).dt.date)
    )
    stop, calibrate = _held_out_folds(lined, calibrate_from)
    train = lined.loc[~stop & ~calibrate]
    if len(lined) < MIN_MARKET_ROWS or len(train) < MIN_MARKET_ROWS // 2 or not stop.any():
        meta["note"] = (
            f"fewer than {MIN_MARKET_ROWS} training rows with a line over enough dates: the market stands"
        )
        return MarketPart(meta)
    names = [*feature_names, *market.MODEL_INPUTS]
    meta["stop_rows"], meta["calibration_rows"] = int(stop.sum()), int(calibrate.sum())
    meta["calibration_start_date"] = str(pd.to_datetime(lined.loc[calibrate, "game_date"]).min().date())

    def x(frame: pd.DataFrame) -> np.ndarray:
        return market_matrix(frame, feature_names, market.MODEL_INPUTS)

    def margin_set(frame: pd.DataFrame) -> Any:
        target = frame["actual_points"].to_numpy(dtype=np.float64) - _column(frame, "vegas_points_line")
        return lgb.Dataset(x(frame), target, feature_name=names)

    part = MarketPart(meta)
    held = lined.loc[calibrate]
    if len(held) >= MIN_CALIBRATION_ROWS:
        margin_params = {**params(), "objective": MARGIN_OBJECTIVE}
        probe, rounds = _early_stopped(margin_params, margin_set(train), margin_set(lined.loc[stop]))
        held_line, held_actual = _column(held, "vegas_points_line"), held["actual_points"].to_numpy(float)
        held_margin = probe.predict(x(held), num_iteration=rounds)
        kept = fit_margin_shrinkage(held_line, held_margin, held_actual)
        meta["margin_rounds"], meta["margin_shrinkage"] = rounds, kept
        meta["calibration_line_mae"] = round(float(np.mean(np.abs(held_line - held_actual))), 3)
        combined = np.clip(held_line + kept * held_margin, 0, None)
        meta["calibration_model_mae"] = round(float(np.mean(np.abs(combined - held_actual))), 3)
        if kept > 0:
            part.margin_booster = lgb.train(margin_params, margin_set(lined), num_boost_round=rounds)

    # The over model learns on rows whose line is priced on both sides and did not push.
    def priced(frame: pd.DataFrame) -> pd.DataFrame:
        p = _column(frame, "market_no_vig_over")
        actual = frame["actual_points"].to_numpy(dtype=np.float64)
        return frame.loc[~np.isnan(p) & (actual != _column(frame, "vegas_points_line"))]

    def went_over(frame: pd.DataFrame) -> np.ndarray:
        return (
            frame["actual_points"].to_numpy(dtype=np.float64) > _column(frame, "vegas_points_line")
        ).astype(np.float64)

    def over_set(frame: pd.DataFrame, reference: Any = None) -> Any:
        return lgb.Dataset(
            x(frame),
            went_over(frame),
            init_score=logit(_column(frame, "market_no_vig_over")),
            feature_name=names,
            reference=reference,
        )

    p_train, p_stop, p_held = priced(train), priced(lined.loc[stop]), priced(held)
    if len(p_held) < MIN_CALIBRATION_ROWS or len(p_train) < MIN_MARKET_ROWS // 2 or p_stop.empty:
        meta["note"] = f"fewer than {MIN_CALIBRATION_ROWS} held-out priced rows: p_over is the market's"
        return part
    over_params = {**params(), "objective": OVER_OBJECTIVE}
    train_set = over_set(p_train)
    probe, rounds = _early_stopped(over_params, train_set, over_set(p_stop, reference=train_set))
    held_market = _column(p_held, "market_no_vig_over")
    held_correction = probe.predict(x(p_held), num_iteration=rounds, raw_score=True)
    outcome = went_over(p_held)
    held_edge = held_out_points.loc[p_held.index].to_numpy(dtype=np.float64) - _column(
        p_held, "vegas_points_line"
    )
    shrinkage, edge_weight = fit_bounded_logistic(
        logit(held_market), [held_correction, held_edge], [(0.0, 1.0), (0.0, math.inf)], outcome
    )
    held_p = calibrated(held_market, held_correction, shrinkage, edge_weight, held_edge)
    meta["over_rounds"], meta["shrinkage"], meta["points_edge_weight"] = rounds, shrinkage, edge_weight
    # in-sample for the one shrinkage coefficient only: the booster never saw these rows
    meta["calibration_brier"] = round(float(np.mean((held_p - outcome) ** 2)), 5)
    meta["calibration_market_brier"] = round(float(np.mean((held_market - outcome) ** 2)), 5)
    part.over_booster = lgb.train(over_params, over_set(priced(lined)), num_boost_round=rounds)
    part.shrinkage, part.points_edge_weight = shrinkage, edge_weight
    return part


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
    for suffix, booster, rounds in _market_boosters(model):
        target = directory / f"{model.name}.{suffix}.txt"
        if booster is None:
            target.unlink(
                missing_ok=True
            )  # a model saved again under the same name must not keep a stale one
        else:
            booster.save_model(str(target), num_iteration=rounds)
    (directory / f"{model.name}.json").write_text(json.dumps(model.metadata, indent=2, default=str) + "\n")
    return path


def _market_boosters(model: TrainedModel) -> list[tuple[str, Any, int]]:
    meta = model.metadata.get("market", {})
    return [
        ("margin", model.margin_booster, int(meta.get("margin_rounds") or 0)),
        ("over", model.over_booster, int(meta.get("over_rounds") or 0)),
    ]


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
        if metadata.get("model_format") != MODEL_FORMAT:
            raise NbaPropsError(
                f"model {name!r} in {directory} has format {metadata.get('model_format', 1)}, this runner "
                f"reads format {MODEL_FORMAT} (market models, p_over): retrain with `nba-props train`"
            )
        booster = lgb.Booster(model_file=str(model_path))
        market_meta = metadata.get("market", {})
        boosters = {}
        needed = {
            "margin": bool(market_meta.get("margin_shrinkage")),
            "over": market_meta.get("shrinkage") is not None,
        }
        for suffix, wanted in needed.items():
            path = directory / f"{name}.{suffix}.txt"
            if wanted:
                if not path.is_file():
                    raise NbaPropsError(f"model {name!r} in {directory} lacks {path.name}: retrain")
                boosters[suffix] = lgb.Booster(model_file=str(path))
    except (OSError, ValueError, lgb.basic.LightGBMError) as exc:
        raise NbaPropsError(f"model {name!r} in {directory} cannot be read: {exc}") from exc
    shrinkage = market_meta.get("shrinkage")
    return TrainedModel(
        name,
        booster,
        metadata,
        margin_booster=boosters.get("margin"),
        over_booster=boosters.get("over") if shrinkage is not None else None,
        shrinkage=None if shrinkage is None else float(shrinkage),
    )


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
