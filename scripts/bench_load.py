"""Time `nba-props load all` on the bundled sample and (when present) the full real data.

Each folder is loaded into a fresh temporary warehouse, then loaded again (every file unchanged, so skipped).
Prints wall-clock and CPU seconds per run and the slowest files. A benchmark, not a test: numbers depend
on the machine and on what else runs on it (compare CPU seconds when the machine is shared).

    python scripts/bench_load.py [--full ../shared/data] [--sample data/sample]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR / "runner"))

from nba_props.loaders.core import LoadResult, discover, load_file  # noqa: E402

ALIASES = PROJECT_DIR / "seeds" / "team_aliases.csv"


def timed_load_all(folder: Path, warehouse: Path) -> tuple[float, float, list[LoadResult]]:
    jobs, _ = discover(folder)
    wall, cpu = time.perf_counter(), time.process_time()
    with duckdb.connect(str(warehouse)) as con:
        results = [load_file(con, kind.name, path, ALIASES) for kind, path in jobs]
    return time.perf_counter() - wall, time.process_time() - cpu, results


def bench(label: str, folder: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        warehouse = Path(tmp) / "bench.duckdb"
        wall, cpu, results = timed_load_all(folder, warehouse)
        rows = sum(r.rows_read for r in results)
        print(f"{label}: {len(results)} files, {rows:,} rows: first load {wall:.1f} s wall, {cpu:.1f} s CPU "
              f"({rows / wall:,.0f} rows/s wall)")  # fmt: skip
        for r in sorted(results, key=lambda r: r.seconds, reverse=True)[:3]:
            print(f"    {r.file}: {r.rows_read:,} rows in {r.seconds:.1f} s")
        wall, cpu, results = timed_load_all(folder, warehouse)
        skipped = sum(r.status == "skipped" for r in results)
        print(f"{label}: reload ({skipped}/{len(results)} skipped) {wall:.1f} s wall, {cpu:.1f} s CPU")


def main(argv: list[str] | None = None) -> int:
    default_full = Path(os.environ.get("NBA_PROPS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=PROJECT_DIR / "data" / "sample")
    parser.add_argument("--full", type=Path, default=default_full)
    args = parser.parse_args(argv)
    print(f"cpus: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    bench("sample", args.sample)
    if args.full.is_dir():
        bench("full", args.full)
    else:
        print(f"full: skipped (no data at {args.full})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
