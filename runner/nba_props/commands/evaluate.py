"""`nba-props evaluate --start-date A --end-date B`: honest walk-forward evaluation against real lines."""

from __future__ import annotations

import datetime as dt
import json
import time

import click

from nba_props import params as p
from nba_props.predictions import data, evaluation
from nba_props.predictions.contract import load_contract
from nba_props.predictions.engine import store_contract
from nba_props.settings import load_settings
from nba_props.warehouse import connect


@click.command("evaluate")
@p.start_date
@p.end_date
@p.mode("last_call")
@click.option(
    "--output",
    "output",
    type=click.Path(),
    default=None,
    help="Write the summary (JSON) and per-prediction rows (CSV) with this path prefix "
    "(default reports/evaluation_<start>_<end>).",
)
def command(start_date: dt.date | None, end_date: dt.date | None, mode: str, output: str | None) -> None:
    """Walk forward week by week: retrain on everything before the week, predict the week, grade it."""
    start_date, end_date = p.check_range(start_date, end_date)
    settings = load_settings()
    contract = load_contract(settings.project_dir)
    started = time.monotonic()
    with connect(settings.duckdb_path, read_only=True) as con:
        rows = data.feature_rows(con, contract.feature_names, end=end_date)
        outcomes = data.labels(con, end=end_date)
    version, chash = store_contract(rows, contract)
    labelled = data.with_labels(rows, outcomes)

    def progress(week: evaluation.Week, n: int) -> None:
        click.echo(f"  week {week.start}..{week.end}: {n} predictions", err=True)

    result = evaluation.walk_forward(
        labelled, contract.feature_names, start_date, end_date, version, chash, mode=mode, on_week=progress
    )
    summary = evaluation.summarise(result)
    summary.update(
        {
            "start_date": str(start_date),
            "end_date": str(end_date),
            "mode": mode,
            "contract": f"{version}/{chash}",
            "elapsed_s": round(time.monotonic() - started, 1),
        }
    )
    print_summary(summary)
    prefix = settings.project_dir / (output or f"reports/evaluation_{start_date:%Y%m%d}_{end_date:%Y%m%d}")
    prefix.parent.mkdir(parents=True, exist_ok=True)
    prefix.with_suffix(".json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    keep = [
        "week_start",
        "game_date",
        "player_lookup",
        "game_id",
        "gate_reason",
        "predicted_points",
        "line_points",
        "edge",
        "recommendation",
        "actual_points",
        "is_dnp",
        "vegas_line_book",
        "vegas_line_snapshot_at",
    ]
    result[[c for c in keep if c in result.columns]].to_csv(prefix.with_suffix(".csv"), index=False)
    click.echo(f"wrote {prefix.with_suffix('.json')} and .csv")


def print_summary(s: dict) -> None:
    click.echo(
        f"walk-forward {s['start_date']}..{s['end_date']} ({s['weeks']} weekly retrains, mode {s['mode']})"
    )
    click.echo(
        f"  predictions possible for {s['predicted']:,} of {s['player_games_played']:,} played player-games "
        f"({s['coverage_pct']}%); with a line {s['predicted_with_line']:,} of {s['played_with_line']:,} "
        f"({s['coverage_with_line_pct']}%)"
    )
    click.echo(
        f"  MAE model {s['mae_with_line']} vs line {s['line_mae']} on games with a line; "
        f"model MAE on all predicted {s['mae_all']}"
    )
    click.echo(f"  {'edge':>6} {'bets':>6} {'hits':>6} {'hit rate':>9} {'95% CI':>15} {'over':>6}")
    for b in s["by_edge"]:
        click.echo(
            f"  >= {b['min_edge']:<3g} {b['bets']:>6} {b['hits']:>6} {b['hit_rate_pct']:>8}% "
            f"{b['ci95_low_pct']:>6}-{b['ci95_high_pct']:<6}% {b['over']:>6}"
        )
    click.echo(f"  break-even at -110: {evaluation.BREAK_EVEN * 100:.1f}%")
    if s["gate_skips"]:
        click.echo("  not predicted: " + ", ".join(f"{k} {v}" for k, v in s["gate_skips"].items()))
