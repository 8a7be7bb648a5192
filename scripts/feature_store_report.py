"""Feature-store figures for the README: rows per date, quality-ready share per month, defaults by feature
and reason, the readiness goal on complete-source dates, and (with --build) the build time of a season.

    python scripts/feature_store_report.py --warehouse warehouse/nba_props.duckdb --season 2023 [--build]

--build first runs plain dbt,
`dbt build --select +ml_feature_store_v2 --exclude-resource-type test unit_test`, for the whole season as one
range (dbt start-up included, wall clock) against the warehouse, which must already hold the raw tables
(`nba-props load`). `build` rather than `run` so that a warehouse holding only raw tables
gets its seeds; the tests are left out because the figure is the build's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
STORE = "features.ml_feature_store_v2"
REAL_TAGS = ("player_daily_cache", "last_games", "calculated", "vegas", "opponent_history")


def build_season(warehouse: Path, season: int, target_path: Path) -> float:
    """Wall-clock seconds of one plain dbt invocation building the store (seeds and models) for the season."""
    dbt = Path(sys.executable).parent / "dbt"
    start, end = f"{season}-10-01", f"{season + 1}-09-30"
    env = dict(os.environ, NBA_PROPS_DUCKDB_PATH=str(warehouse), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    args = [
        str(dbt), "build", "--select", "+ml_feature_store_v2", "--exclude-resource-type", "test", "unit_test",
        "--vars", json.dumps({"start_date": start, "end_date": end}),
        "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(target_path), "--log-path", str(target_path / "logs"),
    ]  # fmt: skip
    began = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, cwd=PROJECT_DIR)
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"dbt run failed:\n{proc.stdout[-3000:]}")
    return seconds


def table(title: str, header: list[str], rows: list[tuple]) -> None:
    print(f"\n## {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(_fmt(v) for v in row) + " |")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return "" if value is None else str(value)


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchone()
    return bool(row and row[0])


def source_presence(con: duckdb.DuckDBPyConnection, season: int) -> None:
    """A temp table of the season's dates with a flag per upstream source: an injury report on the date, the
    shot data covering the date (the shots file has regular-season games only), a pre-tip-off line for someone
    on the date, box scores of the date. Only used to classify dates; the features never read D's shots."""
    injuries = (
        "select distinct snapshot_date_et as game_date from staging.stg_injuries__status_snapshots"
        if _relation_exists(con, "staging", "stg_injuries__status_snapshots")
        else "select cast(null as date) as game_date where false"
    )
    shots = (
        "select distinct game_date from staging.stg_nba_stats__shots"
        if _relation_exists(con, "staging", "stg_nba_stats__shots")
        else "select cast(null as date) as game_date where false"
    )
    con.execute(
        f"""
        create or replace temp table date_sources as
        with dates as (
            select game_date,
                count(*) filter (where spine_reason = 'played') as played_rows,
                count(*) filter (where has_vegas_line = 1) as rows_with_line
            from {STORE} where season = ? group by 1
        ),
        injury_dates as ({injuries}),
        shot_dates as ({shots})
        select dates.game_date,
            dates.played_rows > 0 as has_box_scores,
            injury_dates.game_date is not null as has_injury_report,
            shot_dates.game_date is not null as has_shot_data,
            dates.rows_with_line > 0 as has_lines
        from dates
        left join injury_dates on injury_dates.game_date = dates.game_date
        left join shot_dates on shot_dates.game_date = dates.game_date
        """,
        [season],
    )


def report(warehouse: Path, season: int, skip_days: int, by_date: bool) -> None:
    with duckdb.connect(str(warehouse), read_only=False) as con:
        contract = con.execute(
            "select any_value(feature_names), any_value(feature_version), any_value(contract_hash) "
            f"from {STORE}"
        ).fetchone()
        names = list(contract[0])
        print(
            f"# Feature store report: season {season}-{str(season + 1)[2:]} "
            f"({contract[1]}, hash {contract[2]})"
        )

        per_date = con.execute(
            f"""select game_date, count(*) as rows, count(*) filter (where spine_reason = 'played') as played,
                count(*) filter (where is_quality_ready) as ready
            from {STORE} where season = ? group by 1 order by 1""",
            [season],
        ).fetchall()
        counts = sorted(r[1] for r in per_date)
        print(
            f"\n{len(per_date)} dates, {sum(counts)} rows; rows per date min {counts[0]}, "
            f"median {counts[len(counts) // 2]}, max {counts[-1]}"
        )
        if by_date:
            table("Rows per date", ["date", "rows", "played", "quality-ready"], per_date)

        source_presence(con, season)
        first_date = per_date[0][0]
        goal_start = first_date + dt.timedelta(days=skip_days)
        monthly = con.execute(
            f"""select strftime(s.game_date, '%Y-%m') as month,
                count(distinct s.game_date) as dates,
                count(*) as rows,
                round(100.0 * avg(case when is_quality_ready then 1 else 0 end), 1) as ready_pct,
                count(*) filter (where spine_reason = 'played') as played_rows,
                round(100.0 * avg(case when is_quality_ready then 1 else 0 end)
                    filter (where spine_reason = 'played'), 1) as played_ready_pct,
                count(distinct s.game_date) filter (
                    where d.has_injury_report and d.has_shot_data and d.has_lines
                ) as complete_dates,
                round(100.0 * avg(case when is_quality_ready then 1 else 0 end) filter (
                    where spine_reason = 'played' and d.has_injury_report and d.has_shot_data and d.has_lines
                ), 1) as complete_played_ready_pct
            from {STORE} s join date_sources d on d.game_date = s.game_date
            where s.season = ?
            group by 1 order by 1""",
            [season],
        ).fetchall()
        table(
            "Quality-ready share per month",
            ["month", "dates", "rows", "ready %", "played rows", "played ready %", "complete-source dates",
             "played ready % on complete dates"],
            monthly,
        )  # fmt: skip

        union = " union all ".join(
            f"select {i} as idx, '{n}' as feature, {n}_source as source, {n}_default_reason as reason "
            f"from {STORE} where season = {season} and {n}_source in ('default', 'missing')"
            for i, n in enumerate(names)
        )
        defaults = con.execute(
            f"select idx, feature, source, reason, count(*) from ({union}) group by all order by idx, 5 desc"
        ).fetchall()
        table("Defaults by feature and reason", ["#", "feature", "source", "reason", "rows"], defaults)

        hidden_checks = " + ".join(
            f"count(*) filter (where ({n} is null and {n}_source in {REAL_TAGS}) "
            f"or ({n} is not null and {n}_source in ('default', 'missing')) "
            f"or (({n}_default_reason is null) = ({n}_source in ('default', 'missing'))))"
            for n in names
        )
        hidden = con.execute(f"select {hidden_checks} from {STORE} where season = ?", [season]).fetchone()[0]
        goal = con.execute(
            f"""select count(*), count(*) filter (where is_quality_ready), count(distinct s.game_date)
            from {STORE} s join date_sources d on d.game_date = s.game_date
            where s.season = ? and s.spine_reason = 'played' and s.game_date >= ?
                and d.has_injury_report and d.has_shot_data and d.has_lines""",
            [season, goal_start],
        ).fetchone()
        blockers = (
            con.execute(
                f"""select reason, count(*) from features.feature_store_gaps g
            join {STORE} s using (player_lookup, game_date)
            join date_sources d on d.game_date = s.game_date
            where g.resolved_at is null and s.season = ? and s.spine_reason = 'played' and s.game_date >= ?
                and d.has_injury_report and d.has_shot_data and d.has_lines
            group by 1 order by 2 desc limit 8""",
                [season, goal_start],
            ).fetchall()
            if _relation_exists(con, "features", "feature_store_gaps")
            else []
        )
        print(
            "\n## Goal: quality-ready share of players who played, complete-source dates after the first "
            f"{skip_days} days (from {goal_start})\n"
        )
        share = 100.0 * goal[1] / goal[0] if goal[0] else float("nan")
        print(f"{goal[1]} of {goal[0]} played rows on {goal[2]} dates: {share:.1f}% (goal >= 95%)")
        print(f"hidden defaults (NULL tagged real, value tagged default, reason without default): {hidden}")
        if blockers:
            table("What blocks the rest (open gaps by reason)", ["reason", "rows"], blockers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("NBA_PROPS_DUCKDB_PATH", "warehouse/nba_props.duckdb")),
    )
    parser.add_argument("--season", type=int, default=2023, help="season start year (2023 = 2023-24)")
    parser.add_argument(
        "--skip-days", type=int, default=14, help="days after the season's first date left out"
    )
    parser.add_argument("--build", action="store_true", help="time a dbt build of the whole season first")
    parser.add_argument("--by-date", action="store_true", help="print every date's row count")
    parser.add_argument("--target-path", type=Path, default=Path("target/feature_store_report"))
    args = parser.parse_args(argv)  # fmt: skip
    if not args.warehouse.exists():
        print(f"error: no warehouse at {args.warehouse}", file=sys.stderr)
        return 2
    if args.build:
        seconds = build_season(args.warehouse.resolve(), args.season, args.target_path.resolve())
        print(
            f"build: dbt build --select +ml_feature_store_v2 (no tests) for season {args.season} in "
            f"{seconds:.1f} s (one invocation, dbt start-up included)"
        )
    report(args.warehouse, args.season, args.skip_days, args.by_date)
    return 0


if __name__ == "__main__":
    sys.exit(main())
