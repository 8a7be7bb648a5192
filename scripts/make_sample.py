"""Build the bundled demo/test sample `data/sample/` from the real data in ../shared/data.

Reproducible: the same inputs give byte-identical outputs (gzip and zip headers carry no timestamps, rows keep
file order or a total sort). Every output keeps the exact format and file name of the file it comes from, so
`nba-props load all data/sample` reads it with the same importers, and loading the full file into the same
warehouse later replaces the sample's rows (same name, new content) instead of adding to them.

    python scripts/make_sample.py [--source ../shared/data] [--out data/sample]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import shutil
import sys
import tempfile
import textwrap
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = Path(os.environ.get("NBA_PROPS_SHARED_DATA", PROJECT_DIR.parent / "shared" / "data"))
SIZE_LIMIT_BYTES = 15 * 1024 * 1024

Row = list[str]


@dataclass(frozen=True)
class Provenance:
    repo: str
    licence: str


ANTBAP = Provenance("github.com/AntBap23/Nba-Data-and-Analytics-Engineering-Project @745d582", "MIT")
SPON7GE = Provenance("github.com/spon7ge/NBA-Prop-Predictor @8746e29", "MIT")
DHIREN = Provenance(
    "github.com/DhirenShivdasani/NBA-player-prop-analysis (every historical version of an hourly-updated "
    "file; the commit of each snapshot is in its source_commit column)",
    "MIT (stated in the repository README)",
)
MILLXING = Provenance("github.com/millxing/NBA_Data @2061e62", "no licence file")
MREES = Provenance("github.com/mrees002/nba-injury-database @9fa2a23", "no licence file")
HAINAM = Provenance(
    "github.com/HaiNam03092005/NBA_Champion_Prediction @d285fc1 (from prosportstransactions.com)",
    "no licence file",
)
KAGGLE = Provenance(
    'Kaggle "NBA Betting Data", re-hosted at github.com/phillipjoolee-cell/data-analytics-portfolio @c5422f8',
    "unverified",
)
SAMANGY = Provenance(
    "github.com/DomSamangy/NBA_Shots_04_24 @6bbbffa (NBA.com shot detail)", "no licence file"
)


@dataclass
class Output:
    path: Path
    rows: int
    provenance: Provenance
    conversion: str


# -- writers -------------------------------------------------------------------------------------------------


def _gzip_writer(path: Path) -> gzip.GzipFile:
    # filename='' and mtime=0 keep the gzip header free of the name and time: reruns are byte-identical.
    return gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=path.open("wb"), mtime=0)


def _line_terminator(path: Path) -> str:
    with gzip.open(path, "rb") as handle:
        first = handle.readline()
    return "\r\n" if first.endswith(b"\r\n") else "\n"


def filter_csv_gz(source: Path, target: Path, keep: Callable[[dict[str, str]], bool]) -> int:
    """Copy the header and every row KEEP accepts, in file order, with the source's line endings."""
    terminator = _line_terminator(source)
    kept = 0
    with gzip.open(source, "rt", encoding="utf-8", newline="") as src, _gzip_writer(target) as raw_out:
        out = io.TextIOWrapper(raw_out, encoding="utf-8", newline="")
        reader = csv.reader(src)
        writer = csv.writer(out, lineterminator=terminator)
        header = next(reader)
        writer.writerow(header)
        for row in reader:
            # A short or long (malformed) row is kept as it is: the sample keeps the originals' dirt.
            if keep(dict(zip(header, row, strict=False))):
                writer.writerow(row)
                kept += 1
        out.flush()
        out.detach()
    return kept


def copy_file(source: Path, target: Path) -> int:
    shutil.copyfile(source, target)
    with gzip.open(target, "rt", encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def write_zip_csv(target: Path, member: str, header: Row, rows: Iterable[Row]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(info, buffer.getvalue().encode("utf-8"), compresslevel=9)
    return count


# -- the sample ----------------------------------------------------------------------------------------------

SHOT_GROUP_COLUMNS = (
    "SEASON_1", "SEASON_2", "TEAM_ID", "TEAM_NAME", "PLAYER_ID", "PLAYER_NAME", "POSITION_GROUP", "POSITION",
    "GAME_DATE", "GAME_ID", "HOME_TEAM", "AWAY_TEAM", "EVENT_TYPE", "SHOT_MADE", "SHOT_TYPE", "BASIC_ZONE",
)  # fmt: skip


def aggregate_shots(source_zip: Path, target: Path) -> tuple[int, int]:
    """One row per (player, game, zone, shot type, made/missed) with SHOT_COUNT; returns (rows, shots).

    Made and missed stay apart (not only per player-game-zone) so staging's is_made stays a fact about every
    shot the row counts. Per-shot columns (location, clock, action, distance) cannot be aggregated and are
    left out; the importer treats absent columns as empty.
    """
    with tempfile.TemporaryDirectory(prefix="make-sample-") as tmp, zipfile.ZipFile(source_zip) as archive:
        members = [
            m for m in archive.namelist() if m.lower().endswith(".csv") and not m.startswith("__MACOSX")
        ]
        if len(members) != 1:
            sys.exit(f"{source_zip.name}: expected one csv in the zip, found {members}")
        csv_path = Path(tmp) / "shots.csv"
        with archive.open(members[0]) as src, csv_path.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        con = duckdb.connect()
        cols = ", ".join(f'"{c}"' for c in SHOT_GROUP_COLUMNS)
        # Sort by every output column (dates parsed, else text) so the row order never depends on threads.
        rows = con.execute(
            f"""select * from (
                    select {cols}, count(*)::varchar as "SHOT_COUNT"
                    from read_csv('{csv_path}', all_varchar = true, header = true)
                    group by all
                ) order by try_strptime("GAME_DATE", '%m-%d-%Y'), {cols}"""
        ).fetchall()
        con.close()
    count = write_zip_csv(target, Path(members[0]).name, [*SHOT_GROUP_COLUMNS, "SHOT_COUNT"], rows)
    return count, sum(int(r[-1]) for r in rows)


def build(source: Path, out: Path) -> list[Output]:
    out.mkdir(parents=True, exist_ok=True)
    outputs: list[Output] = []

    def add(rel: str, provenance: Provenance, conversion: str, rows: int) -> None:
        outputs.append(Output(out / Path(rel).name, rows, provenance, conversion))

    for rel, prov in [
        ("box_scores/player_logs_2023-24.csv.gz", ANTBAP),
        ("box_scores/playoff_player_box_P24.csv.gz", SPON7GE),
        ("injuries/injury_status_snapshots_2024.csv.gz", DHIREN),
        ("team_games/team_game_logs_2023-24.csv.gz", MILLXING),
        ("team_games/box_score_advanced_2023-24.csv.gz", MILLXING),
    ]:
        add(rel, prov, "byte-for-byte copy", copy_file(source / rel, out / Path(rel).name))

    rel = "prop_lines/rotowire_props_snapshots_2024.csv.gz"
    rows = filter_csv_gz(source / rel, out / Path(rel).name, lambda r: r.get("prop") == "Points")
    add(rel, DHIREN, "rows with prop = Points only; every hourly snapshot and every duplicate kept", rows)

    rel = "schedule/nba_schedule_games_2023-24_to_2025-26.csv.gz"
    rows = filter_csv_gz(source / rel, out / Path(rel).name, lambda r: r.get("season") == "2023-24")
    add(rel, MREES, "rows with season = 2023-24 only (preseason to finals); the file name is kept", rows)

    rel = "game_lines/closing_game_lines_2023-24_to_2024-25.csv.gz"
    rows = filter_csv_gz(source / rel, out / Path(rel).name, lambda r: r.get("season") == "2024")
    add(rel, KAGGLE, "rows with season = 2024 (its end year: 2023-24) only; the file name is kept", rows)

    rel = "injuries/injury_list_moves_2023-07_to_2025-01.csv.gz"
    # A date that is not ISO is kept (dirt stays); ISO dates after June 2024 are dropped.
    rows = filter_csv_gz(
        source / rel, out / Path(rel).name, lambda r: not (r.get("Date") or "")[:7] > "2024-06"
    )
    add(rel, HAINAM, "moves dated up to 2024-06-30 only; the file name is kept", rows)

    rel = "shots/NBA_2024_Shots.csv.zip"
    rows, shots = aggregate_shots(source / rel, out / Path(rel).name)
    add(
        rel,
        SAMANGY,
        f"{shots:,} shots aggregated to one row per player, game, BASIC_ZONE, SHOT_TYPE and SHOT_MADE "
        "with a SHOT_COUNT column; per-shot columns (LOC_X/Y, clock, ACTION_TYPE, ZONE_NAME/ABB/RANGE, "
        "SHOT_DISTANCE) dropped; still one CSV in a zip, dates and ids as in the original",
        rows,
    )
    return outputs


def write_readme(out: Path, outputs: list[Output]) -> None:
    total = sum(o.path.stat().st_size for o in outputs)
    intro = [
        "A compact, real subset of `../shared/data` that `make demo` and the test suite run on: "
        "`nba-props load all data/sample` loads it with the same importers as the full data. "
        "Generated by `python scripts/make_sample.py` (reproducible: rerunning it gives byte-identical "
        "files); do not edit by hand. Season 2023-24: regular season and 2024 playoffs.",
        "Every file keeps the format and the **name** of the file it comes from (even where it now holds "
        "fewer seasons than the name says), so loading the full file into the same warehouse later replaces "
        "the sample's rows instead of adding to them. Nothing was cleaned: duplicates, conflict-marker rows "
        "and other dirt of the originals are still here (the importers quarantine or keep them exactly as "
        "for the full data).",
    ]
    lines = ["# The bundled sample", ""]
    for paragraph in intro:
        lines += [*textwrap.wrap(paragraph, 110), ""]
    lines += [
        "| file | rows | bytes | provenance | licence | conversion |",
        "|---|---:|---:|---|---|---|",
    ]
    for o in outputs:
        lines.append(
            f"| `{o.path.name}` | {o.rows:,} | {o.path.stat().st_size:,} | {o.provenance.repo} | "
            f"{o.provenance.licence} | {o.conversion} |"
        )
    licences = (
        "Licences: the box scores, Rotowire lines and injury snapshots come from MIT-licensed repositories. "
        "The schedule, team games, injury-list moves, closing lines and shots come from public repositories "
        "without a licence file (closing lines: a Kaggle data set whose licence is unverified); they are "
        "included because the feature store needs them, as internal development and test data. The facts "
        "belong to NBA.com and the sportsbooks."
    )
    lines += [
        "",
        f"Total: {total:,} bytes ({total / 1024 / 1024:.1f} MiB). Rows are data rows (header excluded).",
        "",
        *textwrap.wrap(licences, 110),
        "",
    ]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the real data folder")
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / "data" / "sample", help="the sample folder")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        print(f"error: no data folder at {args.source}", file=sys.stderr)
        return 2
    outputs = build(args.source.resolve(), args.out)
    write_readme(args.out, outputs)
    total = sum(o.path.stat().st_size for o in outputs)
    for o in outputs:
        print(f"{o.path.name:<48} {o.rows:>9,} rows {o.path.stat().st_size:>11,} bytes")
    print(f"total {total:,} bytes")
    if total > SIZE_LIMIT_BYTES:
        print(
            f"error: the sample is {total:,} bytes, over the {SIZE_LIMIT_BYTES:,} byte limit", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
