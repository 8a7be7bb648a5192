"""`nba-props validate-daily --date D [--json]`: the daily runbook for one date, from the monitoring marts.

Exit 0 when every check is ok, 1 on warnings, 2 on alerts, 3 when the date cannot be validated.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import click

from nba_props import params as p
from nba_props.errors import NbaPropsError
from nba_props.gameday import alerts
from nba_props.monitoring import marts
from nba_props.monitoring.validation import DailyValidation, validate
from nba_props.settings import load_settings
from nba_props.warehouse import connect

STATUS_LABEL = {"ok": "ok", "warn": "WARN", "alert": "ALERT"}


@click.command("validate-daily")
@p.game_date
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON instead of a table.")
@p.refresh
@p.as_of
@p.target
def command(
    game_date: dt.date, as_json: bool, refresh: bool | None, as_of: dt.datetime | None, target: str | None
) -> int:
    """Check one date's feature quality, line coverage of star players, contract drift and inputs."""
    echo = None if as_json else lambda m: click.echo(m, err=True)
    result = execute(game_date, refresh, as_of, target, echo)
    click.echo(json.dumps(result.to_dict(), indent=2, default=str) if as_json else render(result))
    settings = load_settings(target)
    alerts.send(settings, alerts.for_validation(result), echo=lambda m: click.echo(m, err=True))
    return result.exit_code


def execute(
    game_date: dt.date,
    refresh: bool | None = None,
    as_of: dt.datetime | None = None,
    target: str | None = None,
    echo: Callable[[str], None] | None = None,
    skip_tests: bool = False,
) -> DailyValidation:
    """The validation of GAME_DATE from the monitoring marts (rebuilt first when stale, forced or as of a
    time; without their data tests when SKIP_TESTS). A validation that cannot run raises NbaPropsError with
    exit code 3."""
    settings = load_settings(target)
    marts.require_duckdb(settings)
    try:
        rebuilt = refresh is not False and marts.refresh(
            settings, force=bool(refresh) or as_of is not None, as_of=as_of, echo=echo, skip_tests=skip_tests
        )
        # dbt (in-process) keeps its read-write DuckDB handle open: a second handle must match it.
        with connect(settings.duckdb_path, read_only=not rebuilt) as con:
            return validate(con, game_date)
    except NbaPropsError as exc:
        # 1 and 2 mean warnings and alerts here: a validation that could not run is 3.
        exc.exit_code = 3
        raise


def render(result: DailyValidation) -> str:
    rows = [(c.name, STATUS_LABEL[c.status], _value(c.observed), c.rule, c.message) for c in result.checks]
    widths = [max(len(r[i]) for r in [*rows, ("check", "status", "value", "rule", "")]) for i in range(4)]
    w0, w1, w2, w3 = widths
    head = f"{'check':<{w0}}  {'status':<{w1}}  {'value':>{w2}}  {'rule':<{w3}}  message"
    lines = [f"validate-daily {result.game_date}", head, "-" * len(head)]
    for name, status, value, target, msg in rows:
        lines.append(
            f"{name:<{widths[0]}}  {status:<{widths[1]}}  {value:>{widths[2]}}  {target:<{widths[3]}}  {msg}"
        )
    if result.star_players_missing_lines:
        lines.append("")
        lines.append("star players without a pre-tip-off line:")
        for s in result.star_players_missing_lines:
            lines.append(
                f"  {s['player_name'] or s['player_lookup']:<26} {s['team_abbr'] or '':<4} "
                f"vs {s['opponent_team_abbr'] or '':<4} {s['points_avg_season']:>5.1f} ppg  "
                f"{s['missing_line_reason']}"
            )
    counts = {s: sum(c.status == s for c in result.checks) for s in ("ok", "warn", "alert")}
    verdict = {"ok": "healthy", "warn": "warnings", "alert": "ALERTS"}[result.status]
    lines.append("")
    lines.append(
        f"{result.game_date}: {verdict} ({counts['ok']} ok, {counts['warn']} warn, {counts['alert']} alert); "
        f"exit {result.exit_code}"
    )
    return "\n".join(lines)


def _value(observed: float | None) -> str:
    if observed is None:
        return "-"
    return f"{observed:g}" if float(observed).is_integer() else f"{observed:.1f}"
