"""`nba-props train --through-date D`: fit the points model on quality-ready rows dated before D."""

from __future__ import annotations

import datetime as dt

import click

from nba_props.params import DATE
from nba_props.predictions import data, market
from nba_props.predictions import model as models
from nba_props.predictions.contract import load_contract
from nba_props.predictions.engine import store_contract
from nba_props.settings import load_settings
from nba_props.warehouse import connect


@click.command("train")
@click.option(
    "--through-date",
    "through_date",
    type=DATE,
    required=True,
    help="Train on rows dated strictly before this date.",
)
@click.option("--name", default=None, help="Model name (default lgbm_points_<through-date>).")
def command(through_date: dt.date, name: str | None) -> None:
    """Train the points model and the market models (margin and over, calibrated on the latest training dates)
    and save them with their contract and metrics in models_store/."""
    settings = load_settings()
    contract = load_contract(settings.project_dir)
    with connect(settings.duckdb_path, read_only=True) as con:
        rows = data.feature_rows(con, contract.feature_names, before=through_date)
        outcomes = data.labels(con, end=through_date - dt.timedelta(days=1))
        market_rows = market.features(con, before=through_date)
    version, chash = store_contract(rows, contract)
    trained = models.fit(
        data.with_labels(market.with_features(rows, market_rows), outcomes),
        contract.feature_names,
        through_date,
        version,
        chash,
        name or f"lgbm_points_{through_date:%Y%m%d}",
    )
    path = models.save(trained, models.models_dir(settings.project_dir))
    meta = trained.metadata
    val = meta["validation"]
    click.echo(
        f"trained {trained.name}: {meta['rows']:,} rows "
        f"{meta['train_start_date']}..{meta['train_end_date']}, "
        f"{meta['num_rounds']} rounds, contract {version}/{chash}"
    )
    if "mae" in val:
        line = (
            (
                f", line MAE {val['line_mae']} vs model {val['model_mae_with_line']} "
                f"on {val['rows_with_line']:,} "
                "rows with a line"
            )
            if "line_mae" in val
            else ""
        )
        click.echo(f"validation from {val['start_date']} ({val['rows']:,} rows): MAE {val['mae']}{line}")
    m = meta["market"]
    if m.get("note"):
        click.echo(f"market models: {m['rows_with_line']:,} rows with a line; {m['note']}")
    else:
        held = f"held out from {m['calibration_start_date']} ({m['calibration_rows']:,} rows)"
        margin = (
            f"points = line + {m['margin_shrinkage']:g} x margin "
            f"(MAE {m['calibration_model_mae']} vs line {m['calibration_line_mae']})"
            if "calibration_line_mae" in m
            else "points = line"
        )
        over = (
            f"p_over from the market + {m['shrinkage']:.2f} x the over model + "
            f"{m['points_edge_weight']:.3f} per point of (points model - line) "
            f"(Brier {m['calibration_brier']} vs market {m['calibration_market_brier']})"
            if m.get("shrinkage") is not None
            else "p_over is the market's"
        )
        click.echo(f"market models on {m['rows_with_line']:,} rows with a line, {held}: {margin}; {over}")
    click.echo(f"saved {path}")
