"""`nba-props evaluate --start-date A --end-date B`: honest walk-forward evaluation against real lines."""

from __future__ import annotations

import datetime as dt
import json
import math
import time

import click
import pandas as pd

from nba_props import params as p
from nba_props.errors import NbaPropsError
from nba_props.predictions import data, evaluation, market
from nba_props.predictions.contract import load_contract
from nba_props.predictions.engine import store_contract
from nba_props.settings import load_settings
from nba_props.warehouse import connect


def parse_decision_time(text: str | None, mode: str) -> dt.time | None:
    """HH:MM (US Eastern), `close`, or None for the mode's scheduled run (evaluation.DECISION_TIME_ET)."""
    if text is None:
        return evaluation.DECISION_TIME_ET[mode]
    if text.strip().lower() == "close":
        return None
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise NbaPropsError(f"--decision-time {text!r}: expected HH:MM (US Eastern) or 'close'") from None


@click.command("evaluate")
@p.start_date
@p.end_date
@p.mode("last_call")
@click.option(
    "--decision-time",
    "decision_time",
    default=None,
    help="When each game date's predictions are made, HH:MM US Eastern, or 'close' (the last line before "
    "tip-off): the line and prices bet on are the market's at that time. Default: the mode's scheduled run "
    "(first 08:00, retry 12:00, final_retry 13:00, last_call 16:00, line_check 18:00, backfill close).",
)
@p.min_ev
@click.option(
    "--output",
    "output",
    type=click.Path(),
    default=None,
    help="Write the summary (JSON) and per-prediction rows (CSV) with this path prefix "
    "(default reports/evaluation_<start>_<end>).",
)
def command(
    start_date: dt.date | None,
    end_date: dt.date | None,
    mode: str,
    decision_time: str | None,
    min_ev: float,
    output: str | None,
) -> None:
    """Walk forward week by week: retrain on everything before the week, predict the week as of the decision
    time, price the bets at the offered prices, grade them and compare them with the closing line."""
    start_date, end_date = p.check_range(start_date, end_date)
    decide_at = parse_decision_time(decision_time, mode)
    settings = load_settings()
    contract = load_contract(settings.project_dir)
    started = time.monotonic()
    with connect(settings.duckdb_path, read_only=True) as con:
        rows = data.feature_rows(con, contract.feature_names, end=end_date)
        outcomes = data.labels(con, end=end_date)
        market_rows = market.features(con, end=end_date)
        states = market.states(con, start=start_date, end=end_date)
        in_range = pd.to_datetime(rows["game_date"]).dt.date >= start_date
        game_ids = rows.loc[in_range, "game_id"].dropna().unique()
        closes = market.closing_lines(con, game_ids)
    version, chash = store_contract(rows, contract)
    labelled = data.with_labels(market.with_features(rows, market_rows), outcomes)

    def progress(week: evaluation.Week, n: int) -> None:
        click.echo(f"  week {week.start}..{week.end}: {n} predictions", err=True)

    result = evaluation.walk_forward(
        labelled,
        contract.feature_names,
        start_date,
        end_date,
        version,
        chash,
        mode=mode,
        on_week=progress,
        market_states=states,
        decision_time=decide_at,
        min_ev=min_ev,
    )
    result = evaluation.with_closing_lines(result, closes)
    summary = {
        "start_date": str(start_date),
        "end_date": str(end_date),
        "mode": mode,
        "decision_time_et": decide_at.strftime("%H:%M") if decide_at else "close",
        "contract": f"{version}/{chash}",
        **evaluation.summarise(result),
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    print_summary(summary)
    prefix = settings.project_dir / (output or f"reports/evaluation_{start_date:%Y%m%d}_{end_date:%Y%m%d}")
    prefix.parent.mkdir(parents=True, exist_ok=True)
    prefix.with_suffix(".json").write_text(json.dumps(jsonable(summary), indent=2, default=str) + "\n")
    keep = [
        "week_start",
        "game_date",
        "player_lookup",
        "game_id",
        "gate_reason",
        "prediction_basis",
        "predicted_points",
        "points_model_points",
        "line_points",
        "vegas_line_book",
        "vegas_line_source",
        "vegas_line_snapshot_at",
        "over_price",
        "under_price",
        "best_over_price",
        "best_under_price",
        "market_p_over",
        "p_over",
        "ev_over",
        "ev_under",
        "recommendation",
        "expected_value",
        "best_price_recommendation",
        "edge",
        "edge_recommendation",
        "points_model_edge_recommendation",
        "actual_points",
        "is_dnp",
        "close_line",
        "close_over_price",
        "close_under_price",
        "close_snapshot_at",
        "clv_side",
        "clv_points",
        "clv_prob",
        "beat_close",
    ]
    result[[c for c in keep if c in result.columns]].to_csv(prefix.with_suffix(".csv"), index=False)
    click.echo(f"wrote {prefix.with_suffix('.json')} and .csv")


def jsonable(value: object) -> object:
    """The summary as strict JSON: NaN (nothing to measure) and the open ends of buckets become null."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _ci(pair: list) -> str:
    low, high = pair
    return "too few" if low is None or low != low else f"{low}..{high}"


def print_summary(s: dict) -> None:
    click.echo(
        f"walk-forward {s['start_date']}..{s['end_date']} ({s['weeks']} weekly retrains, mode {s['mode']}, "
        f"lines as of {s['decision_time_et']} ET)"
    )
    click.echo(
        f"  predictions possible for {s['predicted']:,} of {s['player_games_played']:,} played player-games "
        f"({s['coverage_pct']}%); with a line {s['predicted_with_line']:,} of {s['played_with_line']:,} "
        f"({s['coverage_with_line_pct']}%)"
    )
    click.echo(
        f"  MAE on games with a line: model {s['mae_with_line']} vs line {s['line_mae']} "
        f"(points model alone {s['points_model_mae_with_line']}); model MAE on all predicted {s['mae_all']}"
    )
    p = s["probability"]
    if p.get("rows"):
        click.echo(
            f"  p_over on {p['rows']:,} priced lines: Brier {p['brier']} vs market {p['market_brier']} "
            f"(difference {p['brier_difference']}, 95% CI {_ci(p['brier_difference_ci95'])}); log loss "
            f"{p['log_loss']} vs {p['market_log_loss']}"
        )
    b = s["ev_bets"]
    click.echo(
        f"  EV >= {b['min_ev']:g} bets: {b['bets']} ({b['over']['bets']} OVER, {b['under']['bets']} UNDER), "
        f"hit {b['hit_rate_pct']}% (95% CI {_ci(b['hit_ci95_pct'])}), ROI {b['roi_pct']}% at the actual "
        f"prices (95% CI {_ci(b['roi_ci95_pct'])})"
    )
    shop = s["ev_bets_at_best_price"]
    click.echo(
        f"  the same at the best price among books quoting the line: {shop['bets']} bets, hit "
        f"{shop['hit_rate_pct']}%, ROI {shop['roi_pct']}% (95% CI {_ci(shop['roi_ci95_pct'])})"
    )
    click.echo(f"  {'':>14} {'bets':>6} {'hit %':>6} {'ROI %':>7} {'95% CI':>17} {'over':>5} {'under':>5}")
    for r in s["by_ev"]:
        label = (
            f"EV < {r['ev_to']:.0%}"
            if math.isinf(r["ev_from"])
            else f"EV >= {r['ev_from']:.0%}"
            if math.isinf(r["ev_to"])
            else f"EV {r['ev_from']:.0%}-{r['ev_to']:.0%}"
        )
        click.echo(
            f"  {label:>14} {r['bets']:>6} {r['hit_rate_pct']:>6} {r['roi_pct']:>7} "
            f"{_ci(r['roi_ci95_pct']):>17} {r['over']['bets']:>5} {r['under']['bets']:>5}"
        )
    for key, name in (("by_edge", "edge"), ("by_points_model_edge", "points edge")):
        for r in s[key]:
            label = f"{name} >= {r['min_edge']:g}"
            click.echo(
                f"  {label:>14} {r['bets']:>6} {r['hit_rate_pct']:>6} {r['roi_pct']:>7} "
                f"{_ci(r['roi_ci95_pct']):>17} {r['over']['bets']:>5} {r['under']['bets']:>5}"
            )
    for key, who in (("ev_bets", "the bets"), ("every_lean", "every line's better side")):
        clv = s.get("clv", {}).get(key, {})
        if clv.get("bets_with_close"):
            click.echo(
                f"  CLV of {who} ({clv['bets_with_close']:,}): {clv['beat_close_pct']}% beat the close "
                f"(95% CI {_ci(clv['beat_close_ci95_pct'])}), {clv['lost_to_close_pct']}% lost to it; mean "
                f"{clv['mean_clv_points']} points (95% CI {_ci(clv['mean_clv_points_ci95'])}), "
                f"{clv['mean_clv_prob_pct']} no-vig points of probability on {clv['same_line_bets']:,} "
                f"same-line rows (95% CI {_ci(clv['mean_clv_prob_ci95_pct'])})"
            )
    if s["gate_skips"]:
        click.echo("  not predicted: " + ", ".join(f"{k} {v}" for k, v in s["gate_skips"].items()))
