"""Benchmark of the runner: season backfill vs one call per date, one-date build, peak memory, scaling.

    python scripts/benchmark.py --raw /tmp/t1.duckdb            # a warehouse whose raw schema is loaded
    python scripts/benchmark.py --load ../shared/data           # or load the files first (slower)
    python scripts/benchmark.py --raw wh.duckdb --scales 1,3   # lighter scaling run

The season is measured cold (a warehouse holding only raw tables: seeds, every model; once on a warehouse file
dbt has never parsed for, then --repeat times on the same path refilled with raw tables only, reported as the
median) and warm (the same range again on the built warehouse: the runner finds the date-independent models
current and rebuilds the date-bounded ones, as after a feature formula change). Every figure comes from
running the `nba-props` CLI in a subprocess against a scratch copy of the warehouse; peak memory is the
child's max RSS from wait4 (resource usage of children). The per-date loop is measured on `--per-date-sample`
dates spread over the season and extrapolated to every date of the season (printed as such), unless
`--full-loop` is given. Scaling repeats the season's raw rows as synthetic later seasons (dates shifted by 364
days a season so weekdays stay, game ids and season labels renumbered, player ids kept as if the same players
played on) and backfills all of them from raw tables in one call, on one warehouse path parsed beforehand.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT_DIR = Path(os.environ.get("NBA_PROPS_PROJECT_DIR", Path(__file__).resolve().parents[1]))
GOALS = {
    "season": 15.0,  # seconds for the whole season backfill
    "one_date": 4.0,  # seconds for a one-date build incl. dbt start-up
    "speedup": 30.0,  # per-date loop / season backfill
    "memory_mb": 2048.0,
}


@dataclass
class Measured:
    label: str
    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str


def run(label: str, args: list[str], warehouse: Path, log_dir: Path) -> Measured:
    """Run `nba-props ARGS` against WAREHOUSE; wall time and the child's peak RSS (wait4 rusage)."""
    env = dict(os.environ)
    env.update(
        NBA_PROPS_PROJECT_DIR=str(PROJECT_DIR),
        NBA_PROPS_DUCKDB_PATH=str(warehouse),
        NBA_PROPS_TARGET="dev",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.pop("DBT_PROFILES_DIR", None)
    log = log_dir / f"{label.replace(' ', '_').replace('/', '-')}.log"
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "nba_props.cli", *args],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    text = log.read_text()
    if code != 0:
        print(f"  ! {label} exited {code}; see {log}\n{text[-1500:]}", file=sys.stderr)
    return Measured(label, seconds, usage.ru_maxrss / 1024, code, text)


def run_python(label: str, code: str, log_dir: Path) -> Measured:
    """Wall time of a bare `python -c CODE` (e.g. dbt's import alone: the floor under any dbt command)."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    (log_dir / f"{label.replace(' ', '_')}.log").write_text(proc.stdout + proc.stderr)
    return Measured(label, seconds, 0.0, proc.returncode, proc.stdout)


def season_dates(warehouse: Path, start: dt.date, end: dt.date) -> list[dt.date]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select distinct d from ("
            "select try_cast(game_date as date) d from raw.player_game_logs union all "
            "select try_cast(game_date as date) from raw.playoff_player_boxes union all "
            "select try_cast(game_date as date) from raw.schedule_games where season_type <> 'preseason') "
            "where d between ? and ? order by 1",
            [start, end],
        ).fetchall()
    return [r[0] for r in rows]


def store_rows(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            "select table_schema from information_schema.tables where table_name = 'ml_feature_store_v2'"
        ).fetchone()
        if not row:
            return 0
        return int(con.execute(f"select count(*) from {row[0]}.ml_feature_store_v2").fetchone()[0])


# ---------------------------------------------------------------- synthetic seasons (scaling)
# column -> SQL template; {c} the column, {k} the season offset, {days} = 364 * k
ISO_DATE = "strftime(try_cast({c} as date) + {days}, '%Y-%m-%d')"
ISO_TS = "strftime(try_cast({c} as timestamptz) + to_days({days}), '%Y-%m-%dT%H:%M:%SZ')"
MDY = "strftime(try_strptime({c}, '%m-%d-%Y') + to_days({days}), '%m-%d-%Y')"
MON_D_Y = "upper(strftime(try_strptime({c}, '%b %d, %Y') + to_days({days}), '%b %d, %Y'))"
GAME_ID10 = (
    "case when length({c}) = 10 then substr({c}, 1, 3) || lpad(cast(try_cast(substr({c}, 4, 2) as int) "
    "+ {k} as varchar), 2, '0') || substr({c}, 6) else {c} end"
)
GAME_ID8 = (
    "case when length({c}) = 8 then substr({c}, 1, 1) || lpad(cast(try_cast(substr({c}, 2, 2) as int) "
    "+ {k} as varchar), 2, '0') || substr({c}, 4) else {c} end"
)
SEASON_RANGE = (
    "cast(try_cast(substr({c}, 1, 4) as int) + {k} as varchar) || '-' || "
    "lpad(cast((try_cast(substr({c}, 6, 2) as int) + {k}) % 100 as varchar), 2, '0')"
)
SEASON_ID = "substr({c}, 1, 1) || cast(try_cast(substr({c}, 2, 4) as int) + {k} as varchar)"
YEAR = "cast(try_cast({c} as int) + {k} as varchar)"
NEW_ID = "case when {k} = 0 then {c} else {c} || '-s{k}' end"
FILE = "case when {k} = 0 then {c} else 'synthetic{k}_' || {c} end"

# table -> (date expression selecting the base season's rows, {column: template})
SYNTHETIC = {
    "player_game_logs": (
        "try_cast(game_date as date)",
        {"game_date": ISO_DATE, "game_id": GAME_ID10, "season_id": SEASON_ID, "season_label": SEASON_RANGE},
    ),
    "playoff_player_boxes": (
        "try_cast(game_date as date)",
        {"game_date": ISO_DATE, "game_id": GAME_ID10, "team_game_date": MON_D_Y},
    ),
    "team_game_logs": (
        "try_cast(game_date as date)",
        {"game_date": ISO_DATE, "game_id": GAME_ID10, "season": SEASON_RANGE},
    ),
    "team_box_score_advanced": (
        "try_cast(game_date as date)",
        {"game_date": ISO_DATE, "game_id": GAME_ID10, "season": SEASON_RANGE},
    ),
    "schedule_games": ("try_cast(game_date as date)", {"game_date": ISO_DATE, "season": SEASON_RANGE}),
    "shots": (
        "cast(try_strptime(game_date, '%m-%d-%Y') as date)",
        {"game_date": MDY, "game_id": GAME_ID8, "season_1": YEAR, "season_2": SEASON_RANGE},
    ),
    "rotowire_prop_snapshots": (
        "try_cast(snapshot_date_et as date)",
        {"snapshot_utc": ISO_TS, "snapshot_date_et": ISO_DATE},
    ),
    "oddsapi_player_props": (
        "cast(try_cast(commence_time as timestamptz) as date)",
        {"commence_time": ISO_TS, "market_last_update": ISO_TS, "event_id": NEW_ID},
    ),
    "injury_status_snapshots": (
        "try_cast(snapshot_date_et as date)",
        {"snapshot_utc": ISO_TS, "snapshot_date_et": ISO_DATE},
    ),
    "injury_list_moves": ("try_cast(date as date)", {"date": ISO_DATE}),
    "closing_game_lines": ("try_cast(date as date)", {"date": ISO_DATE, "season": YEAR}),
}


def make_synthetic(base: Path, target: Path, season: tuple[dt.date, dt.date], copies: int) -> None:
    """A warehouse whose raw schema holds the base season's rows COPIES times, shifted a season each time."""
    if target.exists():
        target.unlink()
    # season window with the off-season around it (lines/injuries/moves dated before tip-off of the season)
    lo, hi = dt.date(season[0].year, 7, 1), dt.date(season[0].year + 1, 6, 30)
    with duckdb.connect(str(target)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{base}' as base (read_only)")
        con.execute("create schema raw")
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'base' and table_schema = 'raw'"
            ).fetchall()
        ]
        for table in tables:
            cols = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_catalog = 'base' "
                    "and table_schema = 'raw' and table_name = ? order by ordinal_position",
                    [table],
                ).fetchall()
            ]
            if table not in SYNTHETIC:
                # bookkeeping (load_log, quarantine) and other seasons' sources: copied once, not scaled
                con.execute(f"create table raw.{table} as select * from base.raw.{table} where false")
                continue
            date_expr, templates = SYNTHETIC[table]
            templates = {**templates, "_source_file": FILE, "_load_id": FILE}
            con.execute(f"create table raw.{table} as select * from base.raw.{table} where false")
            for k in range(copies):
                select = ", ".join(
                    templates[c].format(c=c, k=k, days=364 * k) + f" as {c}" if c in templates else c
                    for c in cols
                )
                con.execute(
                    f"insert into raw.{table} select {select} from base.raw.{table} "
                    f"where {date_expr} between ? and ?",
                    [lo, hi],
                )


# ---------------------------------------------------------------- the benchmark
def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--raw", type=Path, help="a DuckDB file with the raw schema loaded (copied, not changed)"
    )
    source.add_argument("--load", type=Path, help="a data folder to `nba-props load all` first")
    parser.add_argument("--season-start", type=dt.date.fromisoformat, default=dt.date(2023, 10, 24))
    parser.add_argument("--season-end", type=dt.date.fromisoformat, default=dt.date(2024, 6, 17))
    parser.add_argument("--chunk-days", type=int, default=31, help="the smaller chunks compared")
    parser.add_argument("--per-date-sample", type=int, default=6, help="dates measured one call each")
    parser.add_argument("--full-loop", action="store_true", help="run the per-date loop over every date")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the season from raw tables (the median is reported; wall time varies here run to run)",
    )
    parser.add_argument("--scales", default="1,3,10", help="season copies for the scaling runs ('' = skip)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nba-props-bench"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    opts = parser.parse_args()

    work = opts.workdir
    shutil.rmtree(work, ignore_errors=True)
    logs = work / "logs"
    logs.mkdir(parents=True)
    base = work / "base.duckdb"
    if opts.raw:
        shutil.copyfile(opts.raw, base)
    else:
        loaded = run("load", ["load", "all", str(opts.load)], base, logs)
        if loaded.returncode:
            return 1
    raw_copy = work / "raw_only.duckdb"
    shutil.copyfile(base, raw_copy)  # pristine raw for the synthetic seasons

    dates = season_dates(base, opts.season_start, opts.season_end)
    print(f"season {opts.season_start}..{opts.season_end}: {len(dates)} game dates; work dir {work}")
    results: list[tuple[str, str, str, str]] = []
    peak = 0.0

    def note(m: Measured) -> Measured:
        nonlocal peak
        peak = max(peak, m.max_rss_mb)
        print(f"  {m.label}: {m.seconds:.1f} s, peak {m.max_rss_mb:.0f} MB, exit {m.returncode}", flush=True)
        return m

    # cold: a warehouse with only raw tables; the season in one call pays for seeds and every model (staging,
    # resolved lines, player and team games) once. The first call on a new warehouse file also pays dbt's
    # full parse (dbt-duckdb's file path is part of what its partial parse checks); the next ones, on the same
    # path refilled with only raw tables (as after loading new data), reuse the parsed project.
    rng = ["--start-date", str(dates[0]), "--end-date", str(dates[-1]), "--no-resume", "--skip-preflight"]
    cold = note(run("season backfill from raw, first parse", ["backfill", *rng], base, logs))
    again = []
    for attempt in range(max(opts.repeat, 1)):
        shutil.copyfile(raw_copy, base)
        again.append(note(run(f"season backfill from raw {attempt + 1}", ["backfill", *rng], base, logs)))
    seconds = sorted(m.seconds for m in again)
    median = statistics.median(seconds)
    spread = f" ({len(seconds)} runs: {seconds[0]:.1f}-{seconds[-1]:.1f} s)" if len(seconds) > 1 else ""
    rows = store_rows(base)
    results.append(
        (
            f"season from raw tables only, one call ({len(dates)} dates, {rows:,} rows; seeds, every model)",
            f"{median:.1f} s{spread}",
            f"<= {GOALS['season']:.0f} s",
            _ok(median <= GOALS["season"] and all(m.returncode == 0 for m in again)),
        )
    )
    results.append(
        (
            "  the same on a warehouse file dbt has never parsed for (full parse)",
            f"{cold.seconds:.1f} s",
            "",
            "",
        )
    )
    # warm: the same season again (a feature formula changed, say); raw and the date-independent models are
    # unchanged, so the runner rebuilds only the date-bounded models
    one_call = note(run("season backfill", ["backfill", *rng], base, logs))
    season = note(
        run(
            "season backfill small chunks",
            ["backfill", *rng, "--chunk-days", str(opts.chunk_days)],
            base,
            logs,
        )
    )
    best = min(season.seconds, one_call.seconds)
    results.append(
        (
            "season backfill, one call, built warehouse (default chunking: one chunk)",
            f"{one_call.seconds:.1f} s",
            f"<= {GOALS['season']:.0f} s",
            _ok(one_call.seconds <= GOALS["season"] and one_call.returncode == 0),
        )
    )
    results.append(
        (
            f"season backfill, one call, built warehouse, chunks of {opts.chunk_days} days",
            f"{season.seconds:.1f} s",
            "",
            "",
        )
    )

    loop_dates = dates if opts.full_loop else _spread(dates, opts.per_date_sample)
    per_date = [
        note(run(f"per-date {d}", ["build", "--date", str(d), "--skip-tests"], base, logs))
        for d in loop_dates
    ]
    mean = statistics.mean(m.seconds for m in per_date)
    loop_total = mean * len(dates)
    how = (
        "measured"
        if opts.full_loop
        else f"mean of {len(loop_dates)} dates x {len(dates)} dates (extrapolated)"
    )
    results.append((f"per-date loop, one call per date ({how})", f"{loop_total:.0f} s", "", ""))
    speedup = loop_total / best
    results.append(
        (
            "speed-up: per-date loop / season backfill (best of the two)",
            f"{speedup:.0f}x",
            f">= {GOALS['speedup']:.0f}x",
            _ok(speedup >= GOALS["speedup"]),
        )
    )

    one = note(
        run("one date build", ["build", "--date", str(dates[len(dates) // 2]), "--skip-tests"], base, logs)
    )
    # the first `build` after run-only backfills also tests the date-independent models once (their
    # fingerprint records the verb); the figure is the next one, a daily build's
    note(run("one date build+tests, first", ["build", "--date", str(dates[len(dates) // 2 + 1])], base, logs))
    tested = note(run("one date build+tests", ["build", "--date", str(dates[len(dates) // 2])], base, logs))
    results.append(
        (
            "one-date build (`build --skip-tests`, incl. dbt start-up)",
            f"{one.seconds:.1f} s",
            f"<= {GOALS['one_date']:.0f} s",
            _ok(one.seconds <= GOALS["one_date"]),
        )
    )
    results.append(("one-date build with data tests (`build`)", f"{tested.seconds:.1f} s", "", ""))
    floor = note(run_python("import dbt", "from dbt.cli.main import dbtRunner", logs))
    results.append(
        (
            "  of which no SQL can avoid: python start-up + `import dbt.cli.main`",
            f"{floor.seconds:.1f} s",
            "",
            "",
        )
    )

    scales = [int(s) for s in opts.scales.split(",") if s.strip()]
    per_season: dict[int, float] = {}
    # one warehouse path for every scale, parsed once beforehand: dbt's full parse of a new warehouse file
    # (a constant ~9 s) would otherwise flatter the larger scales
    wh = work / "scale.duckdb"
    for i, copies in enumerate(scales[:1] + scales):
        make_synthetic(raw_copy, wh, (opts.season_start, opts.season_end), copies)
        end = opts.season_end + dt.timedelta(days=364 * (copies - 1))
        args = ["backfill", "--start-date", str(opts.season_start), "--end-date", str(end), "--no-resume"]
        label = f"scale {copies}x backfill" + (" (warm-up: parse)" if i == 0 else "")
        m = note(run(label, [*args, "--skip-preflight"], wh, logs))
        if i == 0:
            continue
        per_season[copies] = m.seconds / copies
        results.append(
            (
                f"scaling: {copies} season(s) from raw tables, one call ({store_rows(wh):,} rows)",
                f"{m.seconds:.1f} s",
                "",
                f"{m.seconds / copies:.1f} s/season",
            )
        )
        wh.unlink(missing_ok=True)
    if len(per_season) > 1:
        lo, hi = min(per_season), max(per_season)
        growth = per_season[hi] / per_season[lo]
        results.append(
            (
                f"time per season at {hi}x / at {lo}x (<= 1.2 = linear or better)",
                f"{growth:.2f}",
                "<= 1.2",
                _ok(growth <= 1.2),
            )
        )

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    results.append(
        (
            "peak memory of any run (max RSS, wait4 / RUSAGE_CHILDREN)",
            f"{max(peak, children):.0f} MB",
            f"< {GOALS['memory_mb']:.0f} MB",
            _ok(max(peak, children) < GOALS["memory_mb"]),
        )
    )

    _print_table(results)
    if opts.json:
        opts.json.write_text(
            json.dumps(
                [dict(zip(("metric", "value", "goal", "ok"), r, strict=True)) for r in results], indent=2
            )
        )
    return 0


def _spread(dates: list[dt.date], n: int) -> list[dt.date]:
    if n >= len(dates):
        return dates
    step = len(dates) / n
    return [dates[int(i * step + step / 2)] for i in range(n)]


def _ok(flag: bool) -> str:
    return "ok" if flag else "MISSED"


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n{'metric':<{width}}  {'value':>10}  {'goal':>10}  result")
    for metric, value, goal, ok in rows:
        print(f"{metric:<{width}}  {value:>10}  {goal:>10}  {ok}")


if __name__ == "__main__":
    sys.exit(main())
