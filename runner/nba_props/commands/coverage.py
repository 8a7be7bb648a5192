"""`nba-props coverage [--season S] [--skip-days 14] [--json]`: season-long feature-store coverage.

Per season, season type and month: played rows, the quality-ready share, the rows after the season's first
days, and what blocks the rest (required defaults by feature and reason, low tiers). Read-only: it reads the
store as it is (build or backfill first) and runs no dbt.
"""

from __future__ import annotations

import json

import click

from nba_props import params as p
from nba_props.contract import load_contract
from nba_props.monitoring import marts
from nba_props.monitoring.coverage import measure, render
from nba_props.settings import load_settings
from nba_props.warehouse import connect


@click.command("coverage")
@click.option(
    "--season",
    "seasons",
    type=int,
    multiple=True,
    help="Season start year (2023 = 2023-24); repeatable. Default: every season in the store.",
)
@click.option(
    "--skip-days",
    type=int,
    default=14,
    show_default=True,
    help="Days after a season's first game date whose rows are not counted (early-season windows are short).",
)
@click.option("--top", type=int, default=3, show_default=True, help="Blocker reasons shown per line.")
@click.option("--json", "as_json", is_flag=True, help="Print every figure and blocker as JSON instead.")
@p.target
def command(seasons: tuple[int, ...], skip_days: int, top: int, as_json: bool, target: str | None) -> None:
    """Quality-ready share of players who played per season, season type and month; what blocks the rest."""
    settings = load_settings(target)
    marts.require_duckdb(settings)
    contract = load_contract(settings.project_dir)
    with connect(settings.duckdb_path, read_only=True) as con:
        coverage = measure(con, contract, skip_days=skip_days, seasons=seasons)
    click.echo(json.dumps(coverage.to_dict(), indent=2, default=str) if as_json else render(coverage, top))
