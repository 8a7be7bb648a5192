"""Backfill state in the warehouse (schema `runner`), not in local temp files.

runner.backfill_runs            one row per run (a backfill, or a daily build), its plan key and final status
runner.backfill_chunks          one row per chunk of a run: latest status, dates, rows, timings,
                                dbt invocation id
runner.backfill_chunk_attempts  append-only history: every attempt of every chunk, failures included

A chunk is marked `running` (and committed) before dbt starts, so a process killed mid-chunk leaves it
`running`; resume treats anything that is not `succeeded` as still to do. Only the holder of the runner lock
writes here, so a `running` row found at start belongs to a dead process.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from nba_props.backfill.plan import Chunk, Plan
from nba_props.warehouse import execute

SCHEMA = "runner"

DDL = [
    f"create schema if not exists {SCHEMA}",
    f"""create table if not exists {SCHEMA}.backfill_runs (
        run_id varchar primary key,
        kind varchar not null,
        plan_key varchar not null,
        status varchar not null,
        target varchar not null,
        selection varchar not null,
        start_date date,
        end_date date,
        date_count integer,
        chunk_count integer,
        chunk_days integer,
        as_of varchar,
        started_at timestamp not null,
        finished_at timestamp,
        invocations integer not null default 1,
        pid integer,
        args varchar
    )""",
    f"""create table if not exists {SCHEMA}.backfill_chunks (
        run_id varchar not null,
        chunk_index integer not null,
        start_date date not null,
        end_date date not null,
        game_dates varchar not null,
        date_count integer not null,
        status varchar not null,
        attempts integer not null default 0,
        rows_written bigint,
        gaps_resolved bigint,
        started_at timestamp,
        finished_at timestamp,
        elapsed_s double,
        dbt_elapsed_s double,
        dbt_invocation_id varchar,
        error varchar,
        primary key (run_id, chunk_index)
    )""",
    f"""create table if not exists {SCHEMA}.backfill_chunk_attempts (
        run_id varchar not null,
        chunk_index integer not null,
        attempt integer not null,
        status varchar not null,
        start_date date not null,
        end_date date not null,
        started_at timestamp not null,
        finished_at timestamp,
        elapsed_s double,
        rows_written bigint,
        dbt_invocation_id varchar,
        error varchar,
        primary key (run_id, chunk_index, attempt)
    )""",
]

DONE = "succeeded"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass
class ChunkState:
    chunk_index: int
    status: str
    attempts: int
    rows_written: int | None
    elapsed_s: float | None
    dbt_invocation_id: str | None
    error: str | None


@dataclass
class RunInfo:
    run_id: str
    status: str
    started_at: dt.datetime
    invocations: int
    resumed: bool


@dataclass(frozen=True)
class Estimate:
    seconds: float
    basis: str


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


def new_run_id(kind: str) -> str:
    return f"{kind}_{utcnow():%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:6]}"


def find_resumable(con: duckdb.DuckDBPyConnection, plan: Plan, kind: str = "backfill") -> RunInfo | None:
    """The latest unfinished (failed or interrupted) run of the same plan, if any."""
    row = execute(
        con,
        f"select run_id, status, started_at, invocations from {SCHEMA}.backfill_runs "
        "where plan_key = ? and kind = ? and status <> ? order by started_at desc limit 1",
        [plan.key, kind, DONE],
    ).fetchone()
    return RunInfo(row[0], row[1], row[2], row[3], resumed=True) if row else None


def start_run(
    con: duckdb.DuckDBPyConnection, plan: Plan, kind: str, resume: bool, args: dict | None = None
) -> RunInfo:
    """Open a run (or reopen the resumable one) and make sure every chunk of the plan has a row."""
    existing = find_resumable(con, plan, kind) if resume else None
    now = utcnow()
    if existing:
        execute(
            con,
            f"update {SCHEMA}.backfill_runs set status = 'running', invocations = invocations + 1, "
            "finished_at = null, pid = ? where run_id = ?",
            [os.getpid(), existing.run_id],
        )
        existing.invocations += 1
        return existing
    run_id = new_run_id(kind)
    con.execute("begin transaction")
    execute(
        con,
        f"insert into {SCHEMA}.backfill_runs (run_id, kind, plan_key, status, target, selection, start_date, "
        "end_date, date_count, chunk_count, chunk_days, as_of, started_at, pid, args) "
        "values (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            kind,
            plan.key,
            plan.target,
            " ".join(plan.selection),
            plan.dates[0],
            plan.dates[-1],
            len(plan.dates),
            len(plan.chunks),
            plan.chunk_days,
            plan.as_of,
            now,
            os.getpid(),
            json.dumps(args or {}, default=str),
        ],
    )
    for c in plan.chunks:
        execute(
            con,
            f"insert into {SCHEMA}.backfill_chunks (run_id, chunk_index, start_date, end_date, game_dates, "
            "date_count, status) values (?, ?, ?, ?, ?, ?, 'pending')",
            [run_id, c.index, c.start, c.end, _dates_text(c.dates), len(c.dates)],
        )
    con.execute("commit")
    return RunInfo(run_id, "running", now, 1, resumed=False)


def chunk_states(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[int, ChunkState]:
    rows = execute(
        con,
        f"select chunk_index, status, attempts, rows_written, elapsed_s, dbt_invocation_id, error "
        f"from {SCHEMA}.backfill_chunks where run_id = ? order by chunk_index",
        [run_id],
    ).fetchall()
    return {r[0]: ChunkState(*r) for r in rows}


def mark_chunk_running(con: duckdb.DuckDBPyConnection, run_id: str, chunk: Chunk) -> int:
    """Record the start of an attempt (committed before dbt runs); returns the attempt number."""
    now = utcnow()
    con.execute("begin transaction")
    (attempt,) = execute(
        con,
        f"update {SCHEMA}.backfill_chunks set status = 'running', attempts = attempts + 1, started_at = ?, "
        "finished_at = null, error = null where run_id = ? and chunk_index = ? returning attempts",
        [now, run_id, chunk.index],
    ).fetchone()
    execute(
        con,
        f"insert into {SCHEMA}.backfill_chunk_attempts (run_id, chunk_index, attempt, status, start_date, "
        "end_date, started_at) values (?, ?, ?, 'running', ?, ?, ?)",
        [run_id, chunk.index, attempt, chunk.start, chunk.end, now],
    )
    con.execute("commit")
    return int(attempt)


def mark_chunk_finished(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    chunk: Chunk,
    attempt: int,
    status: str,
    elapsed_s: float,
    dbt_elapsed_s: float | None = None,
    invocation_id: str | None = None,
    rows_written: int | None = None,
    gaps_resolved: int | None = None,
    error: str | None = None,
) -> None:
    now = utcnow()
    con.execute("begin transaction")
    execute(
        con,
        f"update {SCHEMA}.backfill_chunks set status = ?, finished_at = ?, elapsed_s = ?, dbt_elapsed_s = ?, "
        "dbt_invocation_id = ?, rows_written = ?, gaps_resolved = ?, error = ? "
        "where run_id = ? and chunk_index = ?",
        [
            status,
            now,
            elapsed_s,
            dbt_elapsed_s,
            invocation_id,
            rows_written,
            gaps_resolved,
            error,
            run_id,
            chunk.index,
        ],
    )
    execute(
        con,
        f"update {SCHEMA}.backfill_chunk_attempts set status = ?, finished_at = ?, elapsed_s = ?, "
        "rows_written = ?, dbt_invocation_id = ?, error = ? "
        "where run_id = ? and chunk_index = ? and attempt = ?",
        [status, now, elapsed_s, rows_written, invocation_id, error, run_id, chunk.index, attempt],
    )
    con.execute("commit")


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str) -> None:
    execute(
        con,
        f"update {SCHEMA}.backfill_runs set status = ?, finished_at = ? where run_id = ?",
        [status, utcnow(), run_id],
    )


def estimate(con: duckdb.DuckDBPyConnection | None, plan: Plan, pending: Sequence[Chunk]) -> Estimate:
    """Seconds for the pending chunks: a per-invocation overhead plus a per-date cost, fitted by least squares
    on this warehouse's last succeeded chunks (same selection), else a rough default."""
    n_chunks, n_dates = len(pending), sum(len(c.dates) for c in pending)
    history: list[tuple[int, float]] = []
    if con is not None:
        history = execute(
            con,
            f"select c.date_count, c.elapsed_s from {SCHEMA}.backfill_chunks c "
            f"join {SCHEMA}.backfill_runs r using (run_id) "
            "where c.status = ? and c.elapsed_s is not null and r.selection = ? and r.target = ? "
            "order by c.finished_at desc limit 50",
            [DONE, " ".join(plan.selection), plan.target],
        ).fetchall()
    if len(history) >= 1:
        overhead, per_date = _fit(history)
        basis = (
            f"fitted on {len(history)} earlier chunk(s): {overhead:.1f} s a chunk + {per_date:.2f} s a date"
        )
    else:
        overhead, per_date = 5.0, 0.05
        basis = "no earlier chunks on this warehouse: rough default of 5 s a chunk + 0.05 s a date"
    return Estimate(n_chunks * overhead + n_dates * per_date, basis)


def _fit(history: list[tuple[int, float]]) -> tuple[float, float]:
    xs = [float(x) for x, _ in history]
    ys = [float(y) for _, y in history]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var_x = sum((x - mean_x) ** 2 for x in xs)
    if var_x == 0:
        # one chunk size only: cannot split overhead from per-date cost, charge it all per chunk
        return mean_y, 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / var_x
    slope = max(slope, 0.0)
    return max(mean_y - slope * mean_x, 0.0), slope


def _dates_text(dates: Sequence[dt.date]) -> str:
    return ",".join(d.isoformat() for d in dates)
