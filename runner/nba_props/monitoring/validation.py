"""One date's health: the rows of monitoring.daily_health_checks turned into messages that say what to do.

Statuses and thresholds come from the mart (dbt vars); this module only words them and picks the exit code:
0 healthy, 1 warnings, 2 alerts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from nba_props.errors import NbaPropsError
from nba_props.monitoring.marts import MONITORING_SCHEMA, query, table_exists

EXIT_CODES = {"ok": 0, "warn": 1, "alert": 2}
# How many names an alert message lists before "and N more".
NAMES_IN_MESSAGE = 12


@dataclass
class Check:
    name: str
    status: str
    observed: float | None
    warn_threshold: float | None
    alert_threshold: float | None
    bound: str
    message: str
    rule: str = ""


@dataclass
class DailyValidation:
    game_date: dt.date
    checks: list[Check]
    star_players_missing_lines: list[dict[str, Any]] = field(default_factory=list)
    contract_drift: list[dict[str, Any]] = field(default_factory=list)
    top_defaults: list[dict[str, Any]] = field(default_factory=list)
    top_fallbacks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        statuses = {c.status for c in self.checks}
        return "alert" if "alert" in statuses else "warn" if "warn" in statuses else "ok"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {
            "game_date": self.game_date.isoformat(),
            "status": self.status,
            "exit_code": self.exit_code,
            "checks": [asdict(c) for c in self.checks],
            "star_players_missing_lines": self.star_players_missing_lines,
            "contract_drift": self.contract_drift,
            "top_defaults": self.top_defaults,
            "top_fallbacks": self.top_fallbacks,
        }


def validate(con: duckdb.DuckDBPyConnection, game_date: dt.date) -> DailyValidation:
    checks = query(
        con,
        f"select check_name, status, observed_value, warn_threshold, alert_threshold, bound, rule "
        f"from {MONITORING_SCHEMA}.daily_health_checks where game_date = ? order by check_order",
        [game_date],
    )
    stars = _records(
        query(
            con,
            f"select player_name, player_lookup, team_abbr, opponent_team_abbr, points_avg_season, "
            f"missing_line_reason, line_snapshots_total, line_snapshots_after_tipoff, "
            f"date_players_with_lines "
            f"from {MONITORING_SCHEMA}.star_players_missing_lines where game_date = ? "
            f"order by points_avg_season desc, player_lookup",
            [game_date],
        )
    )
    drift = _records(
        query(
            con,
            f"select drift_start_date, drift_end_date, game_dates, drifted_rows, min_drifted_version, "
            f"max_drifted_version, expected_feature_version, backfill_command "
            f"from {MONITORING_SCHEMA}.feature_contract_drift order by drift_start_date",
        )
    )
    defaults = (
        _records(
            query(
                con,
                f"select feature_name, default_reason, sum(defaulted_rows) as defaulted_rows "
                f"from {MONITORING_SCHEMA}.daily_feature_defaults where game_date = ? and not is_optional "
                f"group by feature_name, default_reason order by defaulted_rows desc, feature_name limit 5",
                [game_date],
            )
        )
        if table_exists(con, MONITORING_SCHEMA, "daily_feature_defaults")
        else []
    )
    fallbacks = (
        _records(
            query(
                con,
                f"select feature_name, feature_source, primary_source, source_weight, primary_source_weight, "
                f"source_rows, total_rows, pct_of_rows "
                f"from {MONITORING_SCHEMA}.daily_feature_sources "
                f"where game_date = ? and is_fallback_source and not is_optional "
                f"order by pct_of_rows desc, feature_index, feature_source limit 5",
                [game_date],
            )
        )
        if table_exists(con, MONITORING_SCHEMA, "daily_feature_sources")
        else []
    )
    if checks.empty:
        return _no_rows(con, game_date)
    result = DailyValidation(game_date, [], stars, drift, defaults, fallbacks)
    for row in checks.itertuples(index=False):
        # float32 on DuckDB: round away the representation noise (89.05000305 -> 89.05)
        observed = None if _isnan(row.observed_value) else round(float(row.observed_value), 2)
        check = Check(
            name=row.check_name,
            status=row.status,
            observed=observed,
            warn_threshold=None if _isnan(row.warn_threshold) else float(row.warn_threshold),
            alert_threshold=None if _isnan(row.alert_threshold) else float(row.alert_threshold),
            bound=row.bound,
            message="",
            rule=row.rule,
        )
        check.message = message(check, result)
        result.checks.append(check)
    return result


def _no_rows(con: duckdb.DuckDBPyConnection, game_date: dt.date) -> DailyValidation:
    """A date outside the checked range: an alert when games are scheduled (the store never ran for it)."""
    games = 0
    if table_exists(con, "intermediate", "int_games"):
        games = con.execute(
            "select count(*) from intermediate.int_games where game_date = ?", [game_date]
        ).fetchone()[0]
    if not games:
        span = con.execute(
            f"select min(game_date), max(game_date) from {MONITORING_SCHEMA}.daily_health_checks"
        ).fetchone()
        raise NbaPropsError(
            f"no games and no feature rows on {game_date}: nothing to validate "
            f"(checked dates run {span[0]} to {span[1]})",
            exit_code=3,
        )
    check = Check(
        "feature_rows_present",
        "alert",
        0.0,
        1.0,
        1.0,
        "lower",
        f"no feature rows for {game_date} although {games} games are scheduled: "
        f"run `nba-props build --date {game_date}`",
    )
    return DailyValidation(game_date, [check])


def message(check: Check, result: DailyValidation) -> str:
    """What the check means and what to do about it, in one line."""
    d, v = result.game_date, check.observed
    if check.status == "ok":
        return _ok_message(check)
    name = check.name
    if name == "feature_rows_present":
        return f"no feature rows for {d}: run `nba-props build --date {d}`"
    if name == "quality_ready_pct":
        return (
            f"only {_num(v)}% of playing players are quality-ready on {d} (target >= "
            f"{_num(check.warn_threshold)}%): {_defaults_hint(result)}"
        )
    if name == "red_alert_pct":
        return f"{_num(v)}% of feature rows are red alerts on {d}: {_defaults_hint(result)}"
    if name == "matchup_quality_pct":
        return (
            f"mean matchup quality is {_num(v)} on {d}: composite factors or opponent defense are "
            f"defaulting; rebuild int_player_composite_factors and int_team_rolling_stats for the date"
        )
    if name == "avg_default_features":
        return f"rows average {_num(v)} defaulted features on {d}: {_defaults_hint(result)}"
    if name == "cache_miss_pct":
        return (
            f"{_num(v)}% of rows fell back to the last-games computation on {d}: player_daily_cache "
            f"lacks them; rebuild it for the date (`nba-props build --date {d}`)"
        )
    if name == "star_players_missing_lines":
        return _stars_message(check, result)
    if name == "vegas_line_coverage_pct":
        return (
            f"only {_num(v)}% of playing players have a pre-tip-off line on {d}: check the odds scraper "
            f"if star players are missing too; bench players without lines are normal"
        )
    if name == "line_pipeline_drops_pct":
        return (
            f"{_num(v)}% of players with a line on {d} have no feature row: their names did not resolve; "
            f"see monitoring.prop_line_match_rates and add them to seeds/player_aliases.csv"
        )
    if name == "contract_drift_rows":
        here = [
            r for r in result.contract_drift if r["drift_start_date"] <= d.isoformat() <= r["drift_end_date"]
        ]
        commands = "; ".join(r["backfill_command"] for r in (here or result.contract_drift)[:3])
        return (
            f"{_num(v)} feature rows on {d} were built under another contract (expected "
            f"{_first(result.contract_drift, 'expected_feature_version')}): backfill them: {commands}"
        )
    if name == "fallback_source_pct":
        return _fallback_message(check, result)
    if name == "box_score_days_missing":
        return (
            f"box scores are missing for {_num(v)} game day(s) in the week before {d}: load them "
            f"(`nba-props load`) and rebuild, or the features of {d} miss those games"
        )
    return f"{name} is {_num(v)} ({check.status})"


def _ok_message(check: Check) -> str:
    if check.observed is None:
        return "nothing to measure"
    if check.name == "star_players_missing_lines":
        return "every star player who plays has a line"
    if check.name == "contract_drift_rows":
        return "every row matches the current contract"
    return "ok"


def _stars_message(check: Check, result: DailyValidation) -> str:
    d, stars = result.game_date, result.star_players_missing_lines
    n = int(check.observed or 0)
    names = ", ".join(
        f"{s['player_name'] or s['player_lookup']} ({_num(s['points_avg_season'])} ppg)"
        for s in stars[:NAMES_IN_MESSAGE]
    )
    if len(stars) > NAMES_IN_MESSAGE:
        names += f" and {len(stars) - NAMES_IN_MESSAGE} more"
    reasons = {s["missing_line_reason"] for s in stars}
    if reasons == {"no_lines_for_date"}:
        cause = (
            "no line source has any pre-tip-off line for the date: the odds scraper did not run "
            "(or the date is outside the loaded line files)"
        )
    elif reasons == {"only_after_tipoff"}:
        cause = "their snapshots all come after tip-off: the scraper ran late"
    elif "line_not_selected" in reasons:
        cause = "visible lines exist but the store did not select them: check int_player_line_features"
    else:
        cause = "check the odds scraper"
    plural = "star player has" if n == 1 else "star players have"
    return f"{n} {plural} no line on {d}: {cause}; bench players without lines are normal. Missing: {names}"


def _fallback_message(check: Check, result: DailyValidation) -> str:
    d, limit = result.game_date, check.warn_threshold
    fallbacks = result.top_fallbacks
    over = [r for r in fallbacks if limit is None or r["pct_of_rows"] > limit] or fallbacks
    carried = "; ".join(
        f"{r['feature_name']} from {r['feature_source']} (weight {_num(r['source_weight'])}) in "
        f"{_num(r['pct_of_rows'])}% of rows instead of {r['primary_source']} "
        f"({_num(r['primary_source_weight'])})"
        for r in over[:3]
    )
    return (
        f"a fallback source carries more than {_num(limit)}% of a required feature on {d}: {carried}; "
        f"the rows are served with a lower quality score, but the primary source has nothing for the date "
        f"(where its data exists, load it and rebuild; monitoring.daily_feature_sources)"
    )


def _defaults_hint(result: DailyValidation) -> str:
    if not result.top_defaults:
        return "see monitoring.daily_feature_defaults for the features that defaulted"
    top = ", ".join(
        f"{r['feature_name']} ({r['default_reason']}: {int(r['defaulted_rows'])})"
        for r in result.top_defaults[:3]
    )
    return f"top required defaults: {top} (monitoring.daily_feature_defaults)"


def _records(frame: Any) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: _plain(v) for k, v in rec.items()})
    return out


def _plain(value: Any) -> Any:
    if value is None or _isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return (
            value.date().isoformat() if hasattr(value, "date") and callable(value.date) else value.isoformat()
        )
    if hasattr(value, "item"):
        return value.item()
    return value


def _isnan(value: Any) -> bool:
    try:
        return value != value  # NaN is the only value unequal to itself
    except (TypeError, ValueError):
        return False


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def _first(rows: list[dict[str, Any]], key: str) -> str:
    return str(rows[0][key]) if rows else "?"
