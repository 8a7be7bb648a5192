"""Benchmark: a day's build after one new day's load with 1 and with 10 seasons of history, season backfill
against the per-date loop, peak memory. Every figure of one run comes from the same machine state, and the
1- and 10-season builds alternate, so their ratio holds even when absolute times drift (a shared machine).

    python scripts/benchmark.py --raw /tmp/raw.duckdb          # a warehouse whose raw schema is loaded
    python scripts/benchmark.py --load ../shared/data          # or load the files first
    python scripts/benchmark.py --raw wh.duckdb --scales 1,3   # lighter

Method (docs/benchmarks.md):
- History of N seasons: the base season's raw rows repeated as N synthetic seasons (dates shifted by 364 days
  a season so weekdays stay, game ids and season labels renumbered, player ids kept), built once from raw
  (`dbt build`, seeds and models) up to the day before the new day.
- One new day: the last season's box scores, shots and team games of D - 1 and its line and injury snapshots
  of D, appended to the raw tables as new loads (a file name, load id and load time of their own, and a
  raw.load_log row, as `nba-props load` writes them). Then the build of D, timed from that state, twice per
  repetition and scale: `nba-props build --date D --skip-tests` (the runner) and
  `dbt run --select +ml_feature_store_v2 +feature_store_gaps --vars '{start_date: D, end_date: D}'` (by hand;
  dbt parses the project again, as it does whenever the vars differ from its last run).
- Season backfill: `nba-props backfill` over the base season in one call, from raw tables only (seeds and
  every model) and on the built warehouse; the per-date loop is `nba-props build --date d --skip-tests` on
  `--per-date-sample` dates spread over the season, extrapolated to every date (printed as such).
- Peak memory: the largest max RSS of any child process (wait4).
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
DBT = Path(sys.executable).parent / "dbt"
GOALS = {
    "scaling": 1.5,  # one-date build with the most seasons / with one season
    "season": 15.0,  # seconds for the season backfill in one call
    "speedup": 30.0,  # per-date loop / season backfill
    "memory_mb": 2048.0,
}
SEASON = (dt.date(2023, 10, 24), dt.date(2024, 6, 17))
NEW_DAY = dt.date(2024, 3, 15)  # the new day in the base season (the last synthetic season's is shifted)


@dataclass
class Measured:
    label: str
    seconds: float
    max_rss_mb: float
    returncode: int


def _env(warehouse: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NBA_PROPS_PROJECT_DIR=str(PROJECT_DIR),
        NBA_PROPS_DUCKDB_PATH=str(warehouse),
        NBA_PROPS_TARGET="dev",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.pop("DBT_PROFILES_DIR", None)
    return env


def _timed(label: str, command: list[str], warehouse: Path, log_dir: Path) -> Measured:
    """Wall time and the child's peak RSS (wait4) of COMMAND against WAREHOUSE; output to a log file."""
    log = log_dir / f"{label.replace(' ', '_').replace('/', '-')}.log"
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=_env(warehouse), stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code != 0:
        print(f"  ! {label} exited {code}; see {log}\n{log.read_text()[-1500:]}", file=sys.stderr)
    return Measured(label, seconds, usage.ru_maxrss / 1024, code)


def nba_props(label: str, args: list[str], warehouse: Path, log_dir: Path) -> Measured:
    return _timed(label, [sys.executable, "-m", "nba_props.cli", *args], warehouse, log_dir)


def dbt(label: str, args: list[str], warehouse: Path, log_dir: Path) -> Measured:
    """The dbt CLI as a user types it, with a target path of the warehouse's own (its partial parse)."""
    target = warehouse.parent / f"target-{warehouse.stem}"
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
    ]
    return _timed(label, command, warehouse, log_dir)


def season_dates(warehouse: Path, start: dt.date, end: dt.date) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in in_child("season_dates", warehouse, start, end)]


def store_rows(warehouse: Path, day: dt.date | None = None) -> int:
    return int(in_child("store_rows", warehouse, day))


def in_child(step: str, *args: object) -> object:
    """Run a DuckDB step in a child process, so that this one stays small: a child's peak RSS (wait4) counts
    the memory of the process it was forked from, and DuckDB keeps what it allocated."""
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--step",
            step,
            json.dumps([str(a) if a is not None else None for a in args]),
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise RuntimeError(f"step {step} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _season_dates(warehouse: str, start: str, end: str) -> list[str]:
    with duckdb.connect(warehouse, read_only=True) as con:
        rows = con.execute(
            "select distinct d from ("
            "select try_cast(game_date as date) d from raw.player_game_logs union all "
            "select try_cast(game_date as date) from raw.playoff_player_boxes union all "
            "select try_cast(game_date as date) from raw.schedule_games where season_type <> 'preseason') "
            "where d between ? and ? order by 1",
            [dt.date.fromisoformat(start), dt.date.fromisoformat(end)],
        ).fetchall()
    return [r[0].isoformat() for r in rows]


def _store_rows(warehouse: str, day: str | None) -> int:
    with duckdb.connect(warehouse, read_only=True) as con:
        where = f"where game_date = date '{day}'" if day else ""
        return int(con.execute(f"select count(*) from features.ml_feature_store_v2 {where}").fetchone()[0])


# ---------------------------------------------------------------- synthetic seasons
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
    in_child("make_synthetic", base, target, season[0], copies)


def _make_synthetic(base: str, target_path: str, season_start: str, copies_text: str) -> None:
    """A warehouse whose raw schema holds the base season's rows COPIES times, shifted a season each time."""
    target, copies = Path(target_path), int(copies_text)
    season = (dt.date.fromisoformat(season_start),)
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
            con.execute(f"create table raw.{table} as select * from base.raw.{table} where false")
            if table not in SYNTHETIC:
                # bookkeeping (load_log, quarantine) and other seasons' sources: not scaled
                continue
            date_expr, templates = SYNTHETIC[table]
            templates = {**templates, "_source_file": FILE, "_load_id": FILE}
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


# the new day: these tables' rows of the day before it (results) / of the day itself (snapshots, lines)
RESULTS = {
    "player_game_logs": "try_cast(game_date as date)",
    "playoff_player_boxes": "try_cast(game_date as date)",
    "team_game_logs": "try_cast(game_date as date)",
    "team_box_score_advanced": "try_cast(game_date as date)",
    "shots": "cast(try_strptime(game_date, '%m-%d-%Y') as date)",
}
SNAPSHOTS = {
    "rotowire_prop_snapshots": "try_cast(snapshot_date_et as date)",
    "injury_status_snapshots": "try_cast(snapshot_date_et as date)",
    "oddsapi_player_props": "cast(try_cast(commence_time as timestamptz) as date)",
    "closing_game_lines": "try_cast(date as date)",
    "injury_list_moves": "try_cast(date as date)",
}


def hold_back_day(warehouse: Path, day: dt.date) -> None:
    in_child("hold_back_day", warehouse, day)


def _hold_back_day(warehouse: str, day_text: str) -> None:
    """Move the new day's rows (and everything later) out of raw, into schema `new_day` (the day's own)."""
    day = dt.date.fromisoformat(day_text)
    with duckdb.connect(warehouse) as con:
        con.execute("create schema new_day")
        for tables, first in ((RESULTS, day - dt.timedelta(days=1)), (SNAPSHOTS, day)):
            for table, date_expr in tables.items():
                con.execute(
                    f"create table new_day.{table} as select * from raw.{table} where {date_expr} = ?",
                    [first],
                )
                con.execute(f"delete from raw.{table} where {date_expr} >= ?", [first])


def load_day(warehouse: Path) -> int:
    return int(in_child("load_day", warehouse))


def _load_day(warehouse: str) -> int:
    """Append the held-back day to raw as one new load per table, as `nba-props load` would; returns rows."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    total = 0
    with duckdb.connect(warehouse) as con:
        for table in (*RESULTS, *SNAPSHOTS):
            rows = con.execute(f"select count(*) from new_day.{table}").fetchone()[0]
            if not rows:
                continue
            load_id = f"{table}:newday:{now:%Y%m%dT%H%M%S%f}"
            file_name = f"new_day_{table}.csv"
            con.execute(
                f"insert into raw.{table} select * replace "
                f"(? as _source_file, ? as _load_id, ? as _loaded_at) from new_day.{table}",
                [file_name, load_id, now],
            )
            con.execute(
                "insert into raw.load_log (load_id, kind, raw_table, file_name, file_path, file_sha256, "
                "rows_read, rows_loaded, rows_rejected, status, loaded_at, rejected_by_reason, "
                "duration_seconds) values (?, ?, ?, ?, ?, '', ?, ?, 0, 'loaded', ?, '{}', 0)",
                [load_id, table, table, file_name, file_name, rows, rows, now],
            )
            total += rows
    return total


def prepare_scale(raw: Path, work: Path, copies: int, logs: Path) -> tuple[Path, dt.date, Measured]:
    """COPIES seasons of history built from raw up to the new day, and the new day loaded: the state every
    one-date measurement starts from (kept as `ready.duckdb`)."""
    folder = work / f"seasons_{copies}"
    folder.mkdir(parents=True, exist_ok=True)
    wh = folder / "wh.duckdb"
    make_synthetic(raw, wh, SEASON, copies)
    day = NEW_DAY + dt.timedelta(days=364 * (copies - 1))
    hold_back_day(wh, day)
    models_only = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    built = dbt(f"{copies} seasons: history from raw", ["build", *models_only], wh, logs)
    rows = load_day(wh)
    print(f"  {copies} season(s): history built in {built.seconds:.0f} s; new day {day}: {rows:,} raw rows")
    shutil.copyfile(wh, folder / "ready.duckdb")
    return folder, day, built


def one_date(folder: Path, day: dt.date, how: str, copies: int, rep: int, logs: Path) -> Measured:
    """The build of DAY from the ready state: by the runner or by hand."""
    wh = folder / "wh.duckdb"
    shutil.copyfile(folder / "ready.duckdb", wh)
    label = f"{copies} seasons {how} {rep}"
    if how == "runner":
        m = nba_props(label, ["build", "--date", str(day), "--skip-tests"], wh, logs)
    else:
        day_vars = json.dumps({"start_date": str(day), "end_date": str(day)})
        m = dbt(
            label,
            ["run", "--select", "+ml_feature_store_v2", "+feature_store_gaps", "--vars", day_vars],
            wh,
            logs,
        )
    assert m.returncode != 0 or store_rows(wh, day) > 0, f"{label}: no store rows for {day}"
    return m


STEPS = {
    "season_dates": _season_dates,
    "store_rows": _store_rows,
    "make_synthetic": _make_synthetic,
    "hold_back_day": _hold_back_day,
    "load_day": _load_day,
}


# ---------------------------------------------------------------- the benchmark
def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--step":
        print(json.dumps(STEPS[sys.argv[2]](*json.loads(sys.argv[3]))))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--raw", type=Path, help="a DuckDB file with the raw schema loaded (copied, not changed)"
    )
    source.add_argument("--load", type=Path, help="a data folder to `nba-props load all` first")
    parser.add_argument("--scales", default="1,10", help="seasons of history compared (first = the baseline)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="alternating repetitions of each one-date build"
    )
    parser.add_argument("--per-date-sample", type=int, default=6, help="dates of the per-date loop measured")
    skip = parser.add_mutually_exclusive_group()
    skip.add_argument("--skip-season", action="store_true", help="only the one-date builds")
    skip.add_argument(
        "--skip-one-date", action="store_true", help="only the season backfill and the per-date loop"
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nba-props-bench"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    opts = parser.parse_args()

    work = opts.workdir
    shutil.rmtree(work, ignore_errors=True)
    logs = work / "logs"
    logs.mkdir(parents=True)
    raw = work / "raw.duckdb"
    if opts.raw:
        shutil.copyfile(opts.raw, raw)
    elif nba_props("load", ["load", "all", str(opts.load)], raw, logs).returncode:
        return 1
    results: list[tuple[str, str, str, str]] = []
    measured: list[Measured] = []

    def note(m: Measured) -> Measured:
        measured.append(m)
        print(f"  {m.label}: {m.seconds:.1f} s, peak {m.max_rss_mb:.0f} MB, exit {m.returncode}", flush=True)
        return m

    # ---- one-date build after a new day's load, 1 vs N seasons, runner vs by hand, alternating
    scales = [] if opts.skip_one_date else [int(s) for s in opts.scales.split(",") if s.strip()]
    prepared = {}
    for copies in scales:
        folder, day, built = prepare_scale(raw, work, copies, logs)
        note(built)
        prepared[copies] = (folder, day)
    times: dict[tuple[int, str], list[float]] = {}
    for rep in range(1, opts.repeat + 1):
        for copies in scales:
            for how in ("runner", "by hand"):
                folder, day = prepared[copies]
                m = note(one_date(folder, day, how, copies, rep, logs))
                times.setdefault((copies, how), []).append(m.seconds)
    for how, command in (
        ("runner", "nba-props build --date D --skip-tests"),
        ("by hand", "dbt run --select +ml_feature_store_v2 +feature_store_gaps --vars {start_date: D, ...}"),
    ):
        if not scales:
            break
        base = scales[0]
        for copies in scales:
            runs = sorted(times[(copies, how)])
            results.append(
                (
                    f"one-date build after a new day's load, {copies} season(s), {how} ({command})",
                    f"{statistics.median(runs):.1f} s",
                    "",
                    f"{len(runs)} runs {runs[0]:.1f}-{runs[-1]:.1f} s",
                )
            )
        for copies in scales[1:]:
            ratio = statistics.median(times[(copies, how)]) / statistics.median(times[(base, how)])
            results.append(
                (
                    f"  {how}: {copies} seasons / {base} season(s)",
                    f"{ratio:.2f}x",
                    f"<= {GOALS['scaling']}x",
                    "ok" if ratio <= GOALS["scaling"] else "MISSED",
                )
            )

    # ---- season backfill in one call vs the per-date loop (the base season, real data)
    if not opts.skip_season:
        season_wh = work / "season" / "season.duckdb"
        season_wh.parent.mkdir()
        shutil.copyfile(raw, season_wh)
        dates = season_dates(season_wh, *SEASON)
        rng = ["--start-date", str(dates[0]), "--end-date", str(dates[-1]), "--no-resume", "--skip-preflight"]
        cold = note(nba_props("season backfill from raw tables", ["backfill", *rng], season_wh, logs))
        warm = note(nba_props("season backfill, built warehouse", ["backfill", *rng], season_wh, logs))
        rows = store_rows(season_wh)
        step = len(dates) / opts.per_date_sample
        sample = [dates[int(i * step + step / 2)] for i in range(opts.per_date_sample)]
        loop = [
            note(nba_props(f"per-date {d}", ["build", "--date", str(d), "--skip-tests"], season_wh, logs))
            for d in sample
        ]
        loop_total = statistics.mean(m.seconds for m in loop) * len(dates)
        results.append(
            (
                f"season backfill, one call, from raw tables ({len(dates)} dates, {rows:,} rows)",
                f"{cold.seconds:.1f} s",
                f"<= {GOALS['season']:.0f} s",
                "ok" if cold.seconds <= GOALS["season"] and cold.returncode == 0 else "MISSED",
            )
        )
        results.append(
            (
                "season backfill, one call, built warehouse (history current, date-range models rebuilt)",
                f"{warm.seconds:.1f} s",
                f"<= {GOALS['season']:.0f} s",
                "ok" if warm.seconds <= GOALS["season"] and warm.returncode == 0 else "MISSED",
            )
        )
        results.append(
            (
                f"per-date loop, `nba-props build --date d` (mean of {len(loop)} x {len(dates)} dates)",
                f"{loop_total:.0f} s",
                "",
                "",
            )
        )
        for label, m in (("from raw", cold), ("built warehouse", warm)):
            speedup = loop_total / m.seconds
            results.append(
                (
                    f"  speed-up: per-date loop / season backfill ({label})",
                    f"{speedup:.0f}x",
                    f">= {GOALS['speedup']:.0f}x",
                    "ok" if speedup >= GOALS["speedup"] else "MISSED",
                )
            )

    peak = max(
        [m.max_rss_mb for m in measured] + [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]
    )
    results.append(
        (
            "peak memory of any run (max RSS, wait4)",
            f"{peak:.0f} MB",
            f"< {GOALS['memory_mb']:.0f} MB",
            "ok" if peak < GOALS["memory_mb"] else "MISSED",
        )
    )
    failed = [m.label for m in measured if m.returncode]
    if failed:
        results.append(("runs that failed", ", ".join(failed), "", "MISSED"))

    width = max(len(r[0]) for r in results)
    print(f"\n{'metric':<{width}}  {'value':>10}  {'goal':>10}  note")
    for metric, value, goal, ok in results:
        print(f"{metric:<{width}}  {value:>10}  {goal:>10}  {ok}")
    if opts.json:
        opts.json.write_text(
            json.dumps(
                [dict(zip(("metric", "value", "goal", "note"), r, strict=True)) for r in results], indent=2
            )
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
