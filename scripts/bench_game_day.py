"""Benchmark of the game day: time from a line file landing to its re-prediction being recorded.

    python scripts/bench_game_day.py                       # 2024-02-28 on the bundled sample, --every 1s
    python scripts/bench_game_day.py --date 2024-03-05 --every 10s --work /tmp/bench-game-day

A day of the sample replayed as it happens: the sample lands with DATE's Rotowire snapshots held back
(nba_props.gameday.replay), `nba-props load all`, `dbt build` (models and seeds, no tests), `nba-props train`,
`nba-props daily` with the first snapshot landed, then a real `nba-props watch --now-from-files` process while
the other snapshots land one at a time, each as soon as the watcher logged the cycle that loaded the one
before (so a file may land while a cycle is under way, as a scraper's would). For each landed file:

    landed      the moment the file was renamed into the landing folder (this script's clock)
    recorded    the end of the watcher's first successful line check covering the file's load
                (runner.game_day_steps: step check, loads_through >= the file's raw.load_log loaded_at): by
                then every re-prediction it caused is in runner.predictions

and the latency recorded - landed, with its parts: the wait for the next cycle (at most --every), the load,
the rebuild of the date (the models downstream of the raw table, for the date) and the line check. The median
over the day's files is the figure; the goal is at most GOAL_S seconds. Every command runs in a subprocess
against a scratch warehouse in --work, with its own dbt target path and profile (the shipped example).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import selectors
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
from nba_props.gameday.replay import land, snapshot_time, split_day
from nba_props.loaders.core import match_kind

PROJECT_DIR = Path(os.environ.get("NBA_PROPS_PROJECT_DIR", Path(__file__).resolve().parents[1]))

GOAL_S = 30.0


@dataclass
class Landed:
    path: Path
    landed_at: dt.datetime  # naive UTC, as the runner's tables hold time


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def stamp(ts: dt.datetime) -> str:
    return f"{ts:%Y-%m-%dT%H:%M:%SZ}"


def environment(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NBA_PROPS_PROJECT_DIR=str(PROJECT_DIR),
        NBA_PROPS_DUCKDB_PATH=str(work / "bench.duckdb"),
        NBA_PROPS_TARGET="dev",
        NBA_PROPS_MODELS_DIR=str(work / "models"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_PROFILES_DIR=str(work / "profiles"),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "target" / "logs"),
    )
    env.pop("NBA_PROPS_ALERT_WEBHOOK", None)
    return env


def run(args: list[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    """Run ARGS (`nba-props ...` or `dbt ...`) in a subprocess; its wall time. Exits on an unexpected code."""
    program = str(Path(sys.executable).parent / args[0]) if args[0] == "dbt" else None
    command = [program, *args[1:]] if program else [sys.executable, "-m", "nba_props.cli", *args]
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    print(f"  {' '.join(args)}: exit {proc.returncode} in {seconds:.1f} s", flush=True)
    if proc.returncode not in ok:
        sys.exit(
            f"error: {' '.join(args)} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return seconds


def prepare(sample: Path, day: dt.date, work: Path) -> tuple[Path, list[Path]]:
    """WORK/landing: the sample with DAY's Rotowire snapshots held back in WORK/snapshots (one file each)."""
    landing, held = work / "landing", work / "snapshots"
    landing.mkdir(parents=True)
    snapshots: list[Path] = []
    for path in sorted(p for p in sample.iterdir() if p.is_file()):
        kind = match_kind(path)
        if kind is not None and kind.name == "rotowire_props":
            snapshots = split_day(path, day, held, rest_dir=landing)
        elif kind is not None:
            shutil.copyfile(path, landing / path.name)
    if len(snapshots) < 2:
        sys.exit(f"error: {day} has {len(snapshots)} Rotowire snapshot(s) in {sample}: need two or more")
    return landing, snapshots


def watch(
    day: dt.date, landing: Path, later: list[Path], every: str, env: dict[str, str], log: Path
) -> list[Landed]:
    """A `nba-props watch` process while LATER land one at a time; when each landed."""
    until = stamp(snapshot_time(later[-1]))
    args = ["watch", "--date", str(day), "--landing", str(landing), "--every", every, "--now-from-files"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nba_props.cli", *args, "--until", until],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    pending, landed = list(later), []
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        if not selector.select(timeout=1):
            if proc.poll() is not None:
                break
            continue
        line = proc.stdout.readline()
        if not line:
            break
        print(f"    {line.rstrip()}", flush=True)
        loaded_one = line.startswith("cycle ") and "0 new or changed" not in line
        if pending and (line.startswith("watch ") or loaded_one):
            path = land(pending.pop(0), landing)
            landed.append(Landed(path, utcnow()))
    if proc.wait(timeout=60) != 0 or pending:
        sys.exit(
            f"error: the watcher exited {proc.returncode} with {len(pending)} file(s) not landed; see {log}"
        )
    return landed


def latencies(warehouse: Path, day: dt.date, landed: list[Landed]) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = []
        for file in landed:
            (loaded_at,) = con.execute(
                "select max(loaded_at) from raw.load_log where file_name = ?", [file.path.name]
            ).fetchone()
            check = con.execute(
                "select run_id, cycle, finished_at from runner.game_day_steps where command = 'watch' "
                "and game_date = ? and step = 'check' and status = 'ok' and loads_through >= ? "
                "order by finished_at limit 1",
                [day, loaded_at],
            ).fetchone()
            if loaded_at is None or check is None:
                sys.exit(f"error: {file.path.name} was not loaded or never checked")
            run_id, cycle, recorded = check
            parts = dict(
                con.execute(
                    "select step, elapsed_s from runner.game_day_steps where run_id = ? and cycle = ?",
                    [run_id, cycle],
                ).fetchall()
            )
            (repredicted,) = con.execute(
                "select count(*) from runner.predictions where game_date = ? and as_of = ?",
                [day, snapshot_time(file.path).replace(tzinfo=None)],
            ).fetchone()
            total = (recorded - file.landed_at).total_seconds()
            steps = parts.get("load", 0.0) + parts.get("build", 0.0) + parts.get("check", 0.0)
            rows.append(
                {
                    "file": file.path.name,
                    "latency_s": total,
                    "wait_s": total - steps,
                    "load_s": parts.get("load", 0.0),
                    "build_s": parts.get("build", 0.0),
                    "check_s": parts.get("check", 0.0),
                    "repredicted": repredicted,
                }
            )
        return rows
    finally:
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--date", default="2024-02-28", help="game date with hourly Rotowire snapshots")
    parser.add_argument("--every", default="1s", help="the watcher's --every (adds up to that much wait)")
    parser.add_argument("--sample-dir", type=Path, default=PROJECT_DIR / "data" / "sample")
    parser.add_argument("--work", type=Path, default=Path("/tmp/nba-props-bench-game-day"))
    args = parser.parse_args()
    day = dt.date.fromisoformat(args.date)
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    (work / "profiles").mkdir(parents=True)
    shutil.copyfile(PROJECT_DIR / "profiles.yml.example", work / "profiles" / "profiles.yml")
    env = environment(work)

    print(
        f"game-day benchmark: {day} on {args.sample_dir}, watch --every {args.every}, in {work}", flush=True
    )
    landing, snapshots = prepare(args.sample_dir, day, work)
    first, later = snapshots[0], snapshots[1:]
    run(["load", "all", str(landing)], env)
    run(["dbt", "build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"], env)
    run(["train", "--through-date", str(day), "--name", "bench"], env)
    land(first, landing)
    daily = ["daily", "--date", str(day), "--landing", str(landing), "--as-of", stamp(snapshot_time(first))]
    run([*daily, "--skip-tests", "--report-out", str(work / "daily.html")], env, ok=(0, 1, 2))
    print(f"  watch: {len(later)} snapshot file(s) land one at a time", flush=True)
    landed = watch(day, landing, later, args.every, env, work / "watch.err")

    rows = latencies(work / "bench.duckdb", day, landed)
    columns = ("latency", "wait", "load", "build", "check")
    print(f"\n{'file':<42} " + " ".join(f"{c:>7}" for c in columns) + f" {'re-predicted':>12}")
    for r in rows:
        print(
            f"{r['file']:<42} "
            + " ".join(f"{r[c + '_s']:>6.1f}s" for c in columns)
            + f" {r['repredicted']:>12}"
        )
    median = statistics.median(r["latency_s"] for r in rows)
    verdict = "meets" if median <= GOAL_S else "MISSES"
    print(
        f"\nlanding to re-prediction recorded: median {median:.1f} s over {len(rows)} files "
        f"(max {max(r['latency_s'] for r in rows):.1f} s); {verdict} the goal of {GOAL_S:.0f} s "
        f"[{os.cpu_count()} cores, {utcnow():%Y-%m-%d}]"
    )


if __name__ == "__main__":
    main()
