"""`nba-props predict --date D [--as-of TS] [--mode M]`: gate, predict and record D's players."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import click

from nba_props import params as p
from nba_props.predictions import data, engine, market
from nba_props.predictions import model as models
from nba_props.predictions.build import build_features
from nba_props.predictions.contract import load_contract
from nba_props.settings import load_settings
from nba_props.warehouse import connect


@click.command("predict")
@p.game_date
@p.as_of
@p.mode("first")
@p.model
@p.build
@p.min_ev
def command(
    game_date: dt.date,
    as_of: dt.datetime | None,
    mode: str,
    model_name: str | None,
    build: bool | None,
    min_ev: float,
) -> None:
    """Predict D's players who pass the quality gate, with p_over and the bet's expected value at the line's
    prices; re-predict those whose line appeared or moved."""
    execute("predict", game_date, as_of, mode, model_name, build, min_ev)


def execute(
    command_name: str,
    game_date: dt.date,
    as_of: dt.datetime | None,
    mode: str,
    model_name: str | None,
    build: bool | None,
    min_ev: float = engine.DEFAULT_MIN_EV,
    show: bool = True,
) -> engine.RunResult:
    """One prediction run of GAME_DATE (see the command); SHOW prints what it wrote."""
    settings = load_settings()
    contract = load_contract(settings.project_dir)
    model = models.load(models.models_dir(settings.project_dir), model_name)  # fail before any build
    now = dt.datetime.now(dt.UTC)
    if build if build is not None else as_of is not None:
        build_features(game_date, as_of)
    with connect(settings.duckdb_path, must_exist=True) as con:
        rows = data.feature_rows(
            con, contract.feature_names, start=game_date, end=game_date, with_sources=True
        )
        rows = market.for_prediction(con, rows, game_date, as_of or now)
        result = engine.run(
            con,
            rows,
            model,
            contract,
            mode,
            game_date,
            as_of or now,
            now,
            command=command_name,
            min_ev=min_ev,
        )
    if show:
        report(result, model.name, game_date)
    return result


def report(result: engine.RunResult, model_name: str, game_date: dt.date, show: int = 25) -> None:
    recs = Counter(r["recommendation"] for r in result.written)
    click.echo(
        f"{game_date} {model_name}: {result.rows_read} rows, {len(result.written)} predicted "
        f"({result.superseded} superseding), {result.unchanged} unchanged, {len(result.skipped)} skipped"
    )
    if recs:
        click.echo("  " + ", ".join(f"{k} {v}" for k, v in sorted(recs.items())))
    # Superseding rows first, then the bets by expected value: the rows someone acts on.
    ranked = sorted(
        result.written,
        key=lambda r: (
            r["supersedes"] is None,
            r["recommendation"] not in ("OVER", "UNDER"),
            -(r.get("expected_value") if r.get("expected_value") is not None else -9),
        ),
    )
    if ranked:
        click.echo(
            f"  {'player':<24} {'points':>6}  {'line':<18} {'over/under':>11} {'p_over':>6} {'bet':<7} EV"
        )
    for rec in ranked[:show]:
        line = f"{rec['line_points']:g} {rec['line_book']}" if rec["has_line"] else "no line"
        prices = (
            f"{rec['over_price']:+.0f}/{rec['under_price']:+.0f}" if rec.get("over_price") is not None else ""
        )
        p_over = f"{rec['p_over'] * 100:5.1f}%" if rec.get("p_over") is not None else ""
        ev = f"{rec['expected_value'] * 100:+.1f}%" if rec.get("expected_value") is not None else ""
        why = f"  [supersedes {rec['supersedes'][:8]}]" if rec["supersedes"] else ""
        click.echo(
            f"  {rec['player_lookup']:<24} {rec['predicted_points']:>6.1f}  {line:<18} {prices:>11} "
            f"{p_over:>6} {rec['recommendation']:<7} {ev}{why}"
        )
    if len(ranked) > show:
        click.echo(f"  ... {len(ranked) - show} more in runner.predictions (run {result.run_id})")
    reasons = Counter(s["reason"] for s in result.skipped)
    for reason, n in reasons.most_common():
        click.echo(f"  skipped {n:>4}  {reason}")
    if result.skipped:
        click.echo(f"  (per-player skip reasons in runner.prediction_skips, run {result.run_id})")
