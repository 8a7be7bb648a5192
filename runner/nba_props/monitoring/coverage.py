"""Season-long coverage of the feature store: per season, season type and month, how many players who played
have a quality-ready row, and what blocks the others.

Read from the store itself (every required feature's `<feature>_source` and `<feature>_default_reason`, the
quality columns) with the feature list and the default sources from the contract seeds, so a source or reason
added later is counted without an edit here. The season's first date comes from `int_games` (every
regular-season, play-in and playoff game date), not from the store, so a store built from mid-season on does
not move it.

Blockers are counted among played rows that are not quality-ready after the season's first `skip_days` days
(the population the readiness goals are measured on): a required feature defaulted, per feature and reason
(a row counts once per defaulted feature), or no required default but a tier below bronze (the mean source
weight is under 70: too many weak sources) or a matchup quality under 50.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from nba_props.contract import Contract
from nba_props.errors import NbaPropsError
from nba_props.warehouse import table_exists

STORE = "features.ml_feature_store_v2"
GAMES = ("intermediate", "int_games")
SHOT_GAMES = ("intermediate", "int_shot_zone_games")
SEASON_TYPES = ("regular", "play_in", "playoffs")
# Contract group of the shot-mix features: a player without any earlier shot-location game cannot have them
# from shot data, so such rows are counted apart.
SHOT_GROUP = "shot_mix"
# Pseudo-features of blockers that are no default: the row's score or matchup quality is too low.
QUALITY = "(quality)"


@dataclass
class Blocker:
    feature_name: str
    reason: str
    rows: int


@dataclass
class Reason:
    reason: str
    rows: int  # distinct rows with this reason on at least one required feature
    features: list[str]


@dataclass
class CoverageRow:
    season: int
    season_type: str
    month: str  # YYYY-MM, or "all" for the season type's total
    rows: int
    played_rows: int
    played_ready_rows: int
    counted_rows: int  # played rows after the season's first skip_days days
    counted_ready_rows: int
    blocked_rows: int  # counted rows that are not quality-ready
    no_profile_rows: int  # counted rows of players without any shot-location game before the date
    no_profile_players: int
    no_profile_ready_rows: int
    no_profile_shot_blocked_rows: int  # of those, not ready with a shot-mix feature defaulted
    blockers: list[Blocker] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)

    @property
    def played_ready_pct(self) -> float | None:
        return _pct(self.played_ready_rows, self.played_rows)

    @property
    def counted_ready_pct(self) -> float | None:
        return _pct(self.counted_ready_rows, self.counted_rows)

    @property
    def with_profile_ready_pct(self) -> float | None:
        """Quality-ready share of the counted rows of players with an earlier shot-location game."""
        return _pct(
            self.counted_ready_rows - self.no_profile_ready_rows, self.counted_rows - self.no_profile_rows
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["played_ready_pct"] = self.played_ready_pct
        out["counted_ready_pct"] = self.counted_ready_pct
        out["with_profile_ready_pct"] = self.with_profile_ready_pct
        return out


@dataclass
class SeasonStart:
    season: int
    first_date: dt.date
    counted_from: dt.date


@dataclass
class Coverage:
    skip_days: int
    seasons: list[SeasonStart]
    rows: list[CoverageRow]  # per season, season type and month
    totals: list[CoverageRow]  # per season and season type (month "all")

    def to_dict(self) -> dict[str, Any]:
        return {
            "skip_days": self.skip_days,
            "seasons": [
                {
                    "season": s.season,
                    "first_date": s.first_date.isoformat(),
                    "counted_from": s.counted_from.isoformat(),
                }
                for s in self.seasons
            ],
            "months": [r.to_dict() for r in self.rows],
            "totals": [r.to_dict() for r in self.totals],
        }


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _season_starts_sql(con: duckdb.DuckDBPyConnection) -> str:
    if table_exists(con, *GAMES):
        types = ", ".join(f"'{t}'" for t in SEASON_TYPES)
        return (
            f"select season, min(game_date) as first_date from {'.'.join(GAMES)} "
            f"where season_type in ({types}) group by season"
        )
    return f"select season, min(game_date) as first_date from {STORE} group by season"


def _first_shot_sql(con: duckdb.DuckDBPyConnection) -> str:
    if table_exists(con, *SHOT_GAMES):
        return (
            f"select player_lookup, min(game_date) as first_shot_date from {'.'.join(SHOT_GAMES)} "
            "where player_lookup is not null group by player_lookup"
        )
    return "select cast(null as varchar) as player_lookup, cast(null as date) as first_shot_date where false"


# Every query groups by month and by season type alone (month NULL, shown as "all").
GROUPS = "grouping sets ((season, season_type, month), (season, season_type))"


def measure(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    skip_days: int = 14,
    seasons: tuple[int, ...] = (),
) -> Coverage:
    if not table_exists(con, "features", "ml_feature_store_v2"):
        raise NbaPropsError(f"no feature store ({STORE}) in the warehouse: run `nba-props backfill` first")
    if skip_days < 0:
        raise NbaPropsError("--skip-days must be 0 or more")
    required = [f for f in contract.features if not f.is_optional]
    defaults = ", ".join(f"'{s}'" for s in contract.default_sources)
    shot_mix = [f.name for f in required if f.group == SHOT_GROUP]
    shot_blocked = " or ".join(f"{n}_source in ({defaults})" for n in shot_mix) or "false"
    season_filter = f"and store.season in ({', '.join(str(int(s)) for s in seasons)})" if seasons else ""
    feature_columns = ",\n".join(f"store.{f.name}_source, store.{f.name}_default_reason" for f in required)
    con.execute(
        f"""
        create or replace temp table coverage_rows as
        with season_starts as ({_season_starts_sql(con)}),
        first_shots as ({_first_shot_sql(con)})
        select
            store.season,
            store.season_type,
            strftime(store.game_date, '%Y-%m') as month,
            store.game_date,
            store.player_lookup,
            store.spine_reason = 'played' as is_played,
            coalesce(store.is_quality_ready, false) as is_ready,
            store.spine_reason = 'played'
                and store.game_date >= season_starts.first_date + {int(skip_days)} as is_counted,
            first_shots.first_shot_date is null
                or first_shots.first_shot_date >= store.game_date as is_no_profile,
            store.required_default_count,
            store.quality_tier,
            store.matchup_quality_pct,
            {feature_columns}
        from {STORE} as store
        left join season_starts on store.season = season_starts.season
        left join first_shots on store.player_lookup = first_shots.player_lookup
        where true {season_filter}
        """
    )
    keys = "season, season_type, month"
    counts = con.execute(
        f"""
        select {keys},
            count(*),
            count(*) filter (where is_played),
            count(*) filter (where is_played and is_ready),
            count(*) filter (where is_counted),
            count(*) filter (where is_counted and is_ready),
            count(*) filter (where is_counted and not is_ready),
            count(*) filter (where is_counted and is_no_profile),
            count(distinct player_lookup) filter (where is_counted and is_no_profile),
            count(*) filter (where is_counted and is_no_profile and is_ready),
            count(*) filter (where is_counted and is_no_profile and not is_ready and ({shot_blocked}))
        from coverage_rows group by {GROUPS}
        """
    ).fetchall()
    default_blockers = " union all ".join(
        f"select {keys}, player_lookup, game_date, '{f.name}' as feature_name, "
        f"coalesce({f.name}_default_reason, 'unspecified') as reason "
        f"from blocked where {f.name}_source in ({defaults})"
        for f in required
    )
    con.execute(
        f"""
        create or replace temp table coverage_blockers as
        with blocked as (select * from coverage_rows where is_counted and not is_ready)
        {default_blockers}
        union all
        select {keys}, player_lookup, game_date, '{QUALITY}' as feature_name,
            case
                when quality_tier not in ('gold', 'silver', 'bronze') then 'quality_tier_' || quality_tier
                when matchup_quality_pct < 50 then 'matchup_quality_below_50'
                else 'not_ready_other'
            end as reason
        from blocked where required_default_count = 0
        """
    )
    by_feature = con.execute(
        f"select {keys}, feature_name, reason, count(*) from coverage_blockers group by {GROUPS}, "
        "feature_name, reason order by 6 desc, feature_name, reason"
    ).fetchall()
    by_reason = con.execute(
        f"""
        select {keys}, reason, count(distinct (player_lookup, game_date)),
            list(distinct feature_name order by feature_name)
        from coverage_blockers group by {GROUPS}, reason order by 5 desc, reason
        """
    ).fetchall()
    index = {f.name: f.index for f in contract.features}
    blockers: dict[tuple, list[Blocker]] = defaultdict(list)
    for season, season_type, month, feature_name, reason, n in by_feature:
        blockers[(season, season_type, month)].append(Blocker(feature_name, reason, int(n)))
    reasons: dict[tuple, list[Reason]] = defaultdict(list)
    for season, season_type, month, reason, n, features in by_reason:
        # features by their blocked rows, then in contract order
        rows_of = {
            b.feature_name: b.rows for b in blockers[(season, season_type, month)] if b.reason == reason
        }
        ranked = sorted(features, key=lambda name: (-rows_of.get(name, 0), index.get(name, len(index))))
        reasons[(season, season_type, month)].append(Reason(reason, int(n), ranked))
    rows = [
        CoverageRow(
            season,
            season_type,
            month or "all",
            *map(int, numbers),
            blockers=blockers[(season, season_type, month)],
            reasons=reasons[(season, season_type, month)],
        )
        for season, season_type, month, *numbers in counts
    ]
    rows.sort(key=_order)
    starts = [
        SeasonStart(season, first, first + dt.timedelta(days=skip_days))
        for season, first in con.execute(
            f"with season_starts as ({_season_starts_sql(con)}) select season, first_date from season_starts "
            "where season in (select distinct season from coverage_rows) order by season"
        ).fetchall()
    ]
    return Coverage(
        skip_days, starts, [r for r in rows if r.month != "all"], [r for r in rows if r.month == "all"]
    )


def _order(row: CoverageRow) -> tuple[int, int, str]:
    kind = SEASON_TYPES.index(row.season_type) if row.season_type in SEASON_TYPES else len(SEASON_TYPES)
    return (row.season, kind, row.month)


def season_label(season: int) -> str:
    return f"{season}-{str(season + 1)[2:]}"


def render(coverage: Coverage, top: int = 3) -> str:
    """A markdown table per season: its months, then one total line per season type."""
    if not coverage.rows:
        return "no feature rows for the selected seasons"
    lines: list[str] = []
    header = (
        "| season type | month | rows | played | ready % | counted | ready % | not ready "
        "| no shot profile: rows, players, shot-mix blocked | ready % with a profile "
        "| top blockers of the counted rows not ready |"
    )
    for start in coverage.seasons:
        lines += [
            f"season {season_label(start.season)}: first game date {start.first_date}; counted = played rows "
            f"from {start.counted_from} (after the first {coverage.skip_days} days)",
            "",
            header,
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        season_rows = [r for r in coverage.rows if r.season == start.season]
        season_totals = [r for r in coverage.totals if r.season == start.season]
        lines += [_line(r, top) for r in [*season_rows, *season_totals]]
        lines.append("")
    lines.append(
        "ready % = quality-ready share of played rows (all, then counted); a blocker's rows count each row "
        "once per reason (its features listed by rows); no shot profile = counted rows of players without "
        "any shot-location game before the date; ready % with a profile = the other counted rows' share."
    )
    return "\n".join(lines)


def _line(r: CoverageRow, top: int) -> str:
    blockers = "; ".join(f"{g.reason} ({_features(g.features)}) {g.rows:,}" for g in r.reasons[:top])
    month = "**all**" if r.month == "all" else r.month
    return (
        f"| {r.season_type} | {month} | {r.rows:,} | {r.played_rows:,} | {_fmt(r.played_ready_pct)} "
        f"| {r.counted_rows:,} | {_fmt(r.counted_ready_pct)} | {r.blocked_rows:,} "
        f"| {r.no_profile_rows:,}, {r.no_profile_players:,}, {r.no_profile_shot_blocked_rows:,} "
        f"| {_fmt(r.with_profile_ready_pct)} | {blockers} |"
    )


def _features(names: list[str], shown: int = 2) -> str:
    more = f" +{len(names) - shown}" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _fmt(pct: float | None) -> str:
    return "-" if pct is None else f"{pct:.1f}"
