"""Run the dbt project against a local BigQuery: crucible-emulator (the BigQuery REST API on DuckDB).

    python scripts/bigquery_emulator.py serve [--port 9050]          # emulator in the foreground
    python scripts/bigquery_emulator.py build [--days 21 --feature-days 3]
        # start it on a free port, load the latest days of the sample's raw tables into its `raw` dataset,
        # `dbt build --target bigquery_emulator` on everything the emulator supports, print row counts

What the emulator cannot run, and therefore what `build` leaves out (see EMULATOR_EXCLUDES):
- BigQuery scripting (DECLARE / SET / BEGIN): dbt's dynamic insert_overwrite and microbatch use it. The
  feature store's incremental config uses *static* partitions (a literal list from start_date/end_date,
  macros/cross_engine/game_date_partitions.sql) on BigQuery, which is a plain MERGE and runs here.
- INFORMATION_SCHEMA: `dbt docs generate` (the catalog) is not run.
- OPTIONS(require_partition_filter = TRUE): never set by the project.
- CSV fields with embedded newlines: the slice replaces CR/LF inside text values with spaces.
The raw slice keeps the raw contract (all data columns STRING, load metadata typed) so staging runs unchanged.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_DIR / "data" / "sample"
RAW_SCHEMA = "raw"
DEFAULT_PROJECT = "nba-props-local"
# Columns that carry a raw row's date, in order of preference; rows are sliced on the first one present.
DATE_COLUMNS = ("game_date", "snapshot_utc", "commence_time", "date", "move_date")
# Rows per raw table in the slice: the emulator's CSV load inserts about 150 rows a second.
MAX_ROWS = 2000
# Selection left out on the emulator, with the reason (dbt --exclude syntax).
EMULATOR_EXCLUDES: dict[str, str] = {}

DUCKDB_TO_BIGQUERY = {
    "VARCHAR": "STRING",
    "BIGINT": "INT64",
    "INTEGER": "INT64",
    "HUGEINT": "INT64",
    "DOUBLE": "FLOAT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
}


class EmulatorError(RuntimeError):
    """The emulator could not start, or refused a request."""


@dataclass
class Emulator:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_crucible/health", timeout=2) as response:
            return json.loads(response.read()).get("status") == "ok"
    except (OSError, ValueError):
        return False


@contextlib.contextmanager
def running(
    port: int | None = None, log_dir: Path | None = None, timeout: float = 60.0
) -> Iterator[Emulator]:
    """crucible-emulator on 127.0.0.1 (in memory) for the duration of the block; stopped afterwards."""
    port = port or free_port()
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="crucible-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "crucible.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crucible.cli",
                "serve",
                "--dialect",
                "bigquery",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    emulator = Emulator(port, process, log_path)
    try:
        deadline = time.monotonic() + timeout
        while not healthy(emulator.endpoint):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-1500:]
                raise EmulatorError(f"crucible-emulator did not start on port {port}: {tail.strip()}")
            time.sleep(0.3)
        yield emulator
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bigquery_client(endpoint: str, project: str = DEFAULT_PROJECT):  # -> google.cloud.bigquery.Client
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(
        project=project,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=endpoint),
    )


# --- the raw slice --------------------------------------------------------------------------------------
def _row_date_sql(column: str) -> str:
    """The row's calendar date from a text (or typed) column, whatever format its source uses."""
    text = f"trim(cast({column} as varchar))"
    return (
        f"coalesce(try_strptime(left({text}, 10), '%Y-%m-%d'), try_strptime(left({text}, 10), '%m-%d-%Y'), "
        f"try_strptime({text}, '%b %d, %Y'))::date"
    )


def raw_tables(con) -> dict[str, list[tuple[str, str]]]:
    """raw table -> [(column, duckdb type)] for every table of the raw schema."""
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [RAW_SCHEMA],
    ).fetchall()
    tables: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type.upper()))
    return tables


def slice_select(
    table: str, columns: list[tuple[str, str]], start: dt.date, end: dt.date, max_rows: int | None = None
) -> str:
    """SELECT of the table's rows dated start..end (the latest max_rows of them), text cleaned of line
    breaks, timestamps with 6 decimals."""
    exprs = []
    for name, data_type in columns:
        quoted = f'"{name}"'
        if data_type == "VARCHAR":
            exprs.append(f"regexp_replace({quoted}, '[\\r\\n]+', ' ', 'g') as {quoted}")
        elif data_type.startswith("TIMESTAMP"):
            exprs.append(f"strftime({quoted}::timestamp, '%Y-%m-%d %H:%M:%S.%f') as {quoted}")
        else:
            exprs.append(quoted)
    names = [n for n, _ in columns]
    date_column = next((c for c in DATE_COLUMNS if c in names), None)
    where, order = "", []
    if date_column is not None:
        row_date = _row_date_sql(f'"{date_column}"')
        where = f" where {row_date} between '{start}' and '{end}'"
        order.append(f"{row_date} desc")
    order += [f'"{c}"' for c in ("_source_file", "_row_number", "row_number") if c in names]
    limit = ""
    if max_rows is not None:
        # The emulator inserts loaded rows one by one (about 150 a second): keep the latest rows only.
        limit = f" order by {', '.join(order or ['1'])} limit {int(max_rows)}"
    return f'select {", ".join(exprs)} from {RAW_SCHEMA}."{table}"{where}{limit}'


def latest_game_date(duckdb_path: Path) -> dt.date:
    import duckdb

    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        row = con.execute(
            f"select max({_row_date_sql('game_date')}) from {RAW_SCHEMA}.player_game_logs"
        ).fetchone()
    finally:
        con.close()
    if not row or row[0] is None:
        raise EmulatorError(f"no player game logs in {duckdb_path}: load the sample first")
    return row[0]


def export_slice(
    duckdb_path: Path, out_dir: Path, start: dt.date, end: dt.date, max_rows: int | None = None
) -> dict[str, dict]:
    """Each raw table's rows dated start..end, as out_dir/<table>.csv; table -> {path, schema, rows}."""
    import duckdb

    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(duckdb_path), read_only=True)
    manifest: dict[str, dict] = {}
    try:
        for table, columns in raw_tables(con).items():
            path = out_dir / f"{table}.csv"
            select = slice_select(table, columns, start, end, max_rows)
            con.execute(f"copy ({select}) to '{path}' (header, delimiter ',', quote '\"')")
            rows = con.execute(f"select count(*) from ({select})").fetchone()[0]
            schema = [(name, DUCKDB_TO_BIGQUERY.get(data_type, "STRING")) for name, data_type in columns]
            manifest[table] = {"path": path, "schema": schema, "rows": int(rows)}
    finally:
        con.close()
    return manifest


def slice_duckdb(
    duckdb_path: Path, target: Path, start: dt.date, end: dt.date, max_rows: int | None = None
) -> dict[str, int]:
    """A DuckDB warehouse holding only the same raw slice (for comparing engines on identical input)."""
    import duckdb

    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    counts: dict[str, int] = {}
    try:
        con.execute(f"attach '{duckdb_path}' as src (read_only)")
        con.execute(f"create schema {RAW_SCHEMA}")
        src_tables = con.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = 'src' and table_schema = ? order by table_name, ordinal_position",
            [RAW_SCHEMA],
        ).fetchall()
        tables: dict[str, list[tuple[str, str]]] = {}
        for table, column, data_type in src_tables:
            tables.setdefault(table, []).append((column, data_type.upper()))
        for table, columns in tables.items():
            select = slice_select(table, columns, start, end, max_rows).replace(
                f"from {RAW_SCHEMA}.", f"from src.{RAW_SCHEMA}."
            )
            casts = ", ".join(f'cast("{n}" as {t}) as "{n}"' for n, t in columns)
            con.execute(f'create table {RAW_SCHEMA}."{table}" as select {casts} from ({select})')
            counts[table] = con.execute(f'select count(*) from {RAW_SCHEMA}."{table}"').fetchone()[0]
    finally:
        con.close()
    return counts


def load_slice(client, manifest: dict[str, dict], dataset: str = RAW_SCHEMA) -> dict[str, int]:
    """Create the raw dataset and load every exported table into it with an explicit schema."""
    from google.cloud import bigquery

    client.create_dataset(dataset, exists_ok=True)
    loaded: dict[str, int] = {}
    for table, info in manifest.items():
        config = bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.CSV,
            skip_leading_rows=1,
            schema=[bigquery.SchemaField(name, kind) for name, kind in info["schema"]],
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
        )
        table_id = f"{client.project}.{dataset}.{table}"
        with open(info["path"], "rb") as handle:
            client.load_table_from_file(handle, table_id, job_config=config).result(timeout=600)
        loaded[table] = int(client.get_table(table_id).num_rows or 0)
    return loaded


# --- dbt against the emulator ---------------------------------------------------------------------------
def emulator_profiles_dir(work_dir: Path) -> Path:
    """The repository's profiles.yml.example as the profile (what CI must prove works), in its own folder."""
    profiles = work_dir / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_DIR / "profiles.yml.example", profiles / "profiles.yml")
    return profiles


def dbt_env(endpoint: str, project: str = DEFAULT_PROJECT) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NBA_PROPS_BQ_ENDPOINT=endpoint,
        NBA_PROPS_BQ_PROJECT=project,
        NBA_PROPS_TARGET="bigquery_emulator",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def dbt_args(
    args: list[str], target: str, work_dir: Path, dbt_vars: dict[str, str] | None = None
) -> list[str]:
    """`dbt ARGS` against TARGET with the repository's profile, its artifacts and logs in WORK_DIR."""
    command = [
        *args,
        "--target",
        target,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(emulator_profiles_dir(work_dir)),
        "--target-path",
        str(work_dir / f"target-{target}"),
        "--log-path",
        str(work_dir / f"logs-{target}"),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    return command


def run_dbt(
    args: list[str],
    target: str,
    work_dir: Path,
    env: dict[str, str],
    dbt_vars: dict[str, str] | None = None,
    timeout: float = 1800,
) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt), *dbt_args(args, target, work_dir, dbt_vars)]
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=timeout)


def exclude_args() -> list[str]:
    return ["--exclude", *EMULATOR_EXCLUDES] if EMULATOR_EXCLUDES else []


def node_statuses(work_dir: Path, target: str) -> dict[str, str]:
    path = work_dir / f"target-{target}" / "run_results.json"
    if not path.exists():
        return {}
    return {r["unique_id"]: r["status"] for r in json.loads(path.read_text())["results"]}


def relation_counts(client, manifest_path: Path) -> dict[str, int]:
    """Rows in every model and seed the build created, keyed by unique_id."""
    manifest = json.loads(manifest_path.read_text())
    counts: dict[str, int] = {}
    for uid, node in manifest["nodes"].items():
        if (
            node["resource_type"] not in ("model", "seed")
            or node["config"].get("materialized") == "ephemeral"
        ):
            continue
        table = f"`{node['database']}`.`{node['schema']}`.`{node['alias']}`"
        with contextlib.suppress(Exception):
            counts[uid] = int(next(iter(client.query(f"select count(*) as n from {table}").result())).n)
    return counts


def load_sample_warehouse(target: Path) -> Path:
    """The bundled sample loaded into a fresh DuckDB warehouse by `nba-props load all`."""
    env = dict(
        os.environ,
        NBA_PROPS_DUCKDB_PATH=str(target),
        NBA_PROPS_PROJECT_DIR=str(PROJECT_DIR),
        NBA_PROPS_TARGET="dev",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "nba_props.cli", "load", "all", str(SAMPLE_DIR)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        raise EmulatorError(f"loading the sample failed: {proc.stderr.strip()[-800:]}")
    return target


def build(args: argparse.Namespace) -> int:
    work_dir = Path(args.work_dir or tempfile.mkdtemp(prefix="nba-props-bq-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    warehouse = Path(args.warehouse) if args.warehouse else load_sample_warehouse(work_dir / "sample.duckdb")
    if not warehouse.is_file():
        raise EmulatorError(
            f"no warehouse at {warehouse}: load raw data first (nba-props load all data/sample)"
        )
    end = dt.date.fromisoformat(args.end_date) if args.end_date else latest_game_date(warehouse)
    start = end - dt.timedelta(days=args.days - 1)
    feature_start = end - dt.timedelta(days=args.feature_days - 1)
    dbt_vars = {"start_date": str(feature_start), "end_date": str(end)}
    manifest = export_slice(warehouse, work_dir / "raw_slice", start, end, args.max_rows)
    print(f"raw slice {start}..{end}: " + ", ".join(f"{t} {i['rows']}" for t, i in manifest.items()))
    with running(port=args.port, log_dir=work_dir) as emulator:
        client = bigquery_client(emulator.endpoint)
        load_slice(client, manifest)
        started = time.monotonic()
        env = dbt_env(emulator.endpoint)
        proc = run_dbt(["build", *exclude_args()], "bigquery_emulator", work_dir, env, dbt_vars)
        print(proc.stdout[-4000:])
        print(f"dbt build on the emulator: exit {proc.returncode} in {time.monotonic() - started:.0f} s")
        counts = relation_counts(client, work_dir / "target-bigquery_emulator" / "manifest.json")
        for uid, n in sorted(counts.items()):
            print(f"  {uid.split('.', 2)[-1]:<60} {n:>8}")
    return proc.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run crucible-emulator in the foreground")
    serve.add_argument("--port", type=int, default=9050)
    run = sub.add_parser("build", help="emulator + raw slice + dbt build --target bigquery_emulator")
    run.add_argument("--warehouse", help="DuckDB file with the raw schema loaded (default: load the sample)")
    run.add_argument("--end-date", help="last day of the slice (default: the latest game date)")
    run.add_argument("--days", type=int, default=21, help="days of raw data loaded (history for features)")
    run.add_argument("--feature-days", type=int, default=3, help="days the feature store is built for")
    run.add_argument(
        "--max-rows", type=int, default=MAX_ROWS, help="rows per raw table at most (latest kept)"
    )
    run.add_argument("--port", type=int, default=None)
    run.add_argument("--work-dir", help="where CSVs, dbt targets and logs go (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        os.execv(
            sys.executable,
            [
                sys.executable,
                "-m",
                "crucible.cli",
                "serve",
                "--dialect",
                "bigquery",
                "--host",
                "127.0.0.1",
                "--port",
                str(args.port),
            ],
        )
    try:
        return build(args)
    except EmulatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
