"""`nba-props predict --date D [--as-of TS] [--mode M]`: gate, predict and record D's players."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import click

from nba_props import params as p
from nba_props.predictions import data, engine
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
def command(
    game_date: dt.date, as_of: dt.datetime | None, mode: str, model_name: str | None, build: bool | None
) -> None:
    """Predict D's players who pass the quality gate; re-predict those whose line appeared or moved."""
    execute("predict", game_date, as_of, mode, model_name, build)


def execute(
    command_name: str,
    game_date: dt.date,
    as_of: dt.datetime | None,
    mode: str,
    model_name: str | None,
    build: bool | None,
) -> engine.RunResult:
    settings = load_settings()
    contract = load_contract(settings.project_dir)
    model = models.load(models.models_dir(settings.project_dir), model_name)  # fail before any build
    now = dt.datetime.now(dt.UTC)
    if build if build is not None else as_of is not None:
        build_features(game_date, as_of)
    with connect(settings.duckdb_path, must_exist=True) as con:
        rows = data.feature_rows(con, contract.feature_names, start=game_date, end=game_date)
        result = engine.run(
            con, rows, model, contract, mode, game_date, as_of or now, now, command=command_name
        )
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
    # Superseding rows first, then the largest edges: the rows someone acts on.
    ranked = sorted(
        result.written, key=lambda r: (r["supersedes"] is None, r["edge"] is None, -abs(r["edge"] or 0))
    )
    for rec in ranked[:show]:
        line = f"{rec['line_points']:g} {rec['line_book']}" if rec["has_line"] else "no line"
        edge = f"{rec['edge']:+.1f}" if rec["edge"] is not None else ""
        why = f"  [supersedes {rec['supersedes'][:8]}]" if rec["supersedes"] else ""
        click.echo(
            f"  {rec['player_lookup']:<24} {rec['predicted_points']:>5.1f}  {line:<18} "
            f"{rec['recommendation']:<7} {edge}{why}"
        )
    if len(ranked) > show:
        click.echo(f"  ... {len(ranked) - show} more in runner.predictions (run {result.run_id})")
    reasons = Counter(s["reason"] for s in result.skipped)
    for reason, n in reasons.most_common():
        click.echo(f"  skipped {n:>4}  {reason}")
    if result.skipped:
        click.echo(f"  (per-player skip reasons in runner.prediction_skips, run {result.run_id})")
