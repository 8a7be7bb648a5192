"""The steps of a game day, recorded in the warehouse (schema `runner`).

runner.game_day_steps   one row per step that ran (or was skipped) in a `daily` run or a `watch` cycle: its
                        outcome, time, one-line detail or error, and the loads it covers (`loads_through`:
                        the newest raw.load_log row its build had seen; a line check that succeeded covers
                        every file loaded up to then, so the watcher knows what is still to process even
                        after a restart or a kill)
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb

from nba_props.backfill.checkpoints import SCHEMA, new_run_id, utcnow
from nba_props.warehouse import execute, table_exists

STEPS = f"{SCHEMA}.game_day_steps"
DDL = [
    f"create schema if not exists {SCHEMA}",
    f"""create table if not exists {STEPS} (
        run_id varchar not null,
        command varchar not null,
        game_date date not null,
        cycle integer not null,
        step varchar not null,
        status varchar not null,
        started_at timestamp not null,
        finished_at timestamp not null,
        elapsed_s double not null,
        attempts integer not null,
        detail varchar,
        error varchar,
        loads_through timestamp,
        primary key (run_id, cycle, step)
    )""",
]

OK, WARN, ALERT, FAILED, SKIPPED = "ok", "warn", "alert", "failed", "skipped"
# exit codes as validate-daily's: 0 healthy, 1 warnings, 2 alerts or a failed step
EXIT_CODES = {OK: 0, SKIPPED: 0, WARN: 1, ALERT: 2, FAILED: 2}
# steps whose success means the day's predictions reflect every file loaded before `loads_through`
CHECKED_STEPS = ("predict", "check")


@dataclass
class Step:
    """One step's outcome. `status` is ok, warn, alert, failed or skipped."""

    name: str
    status: str = OK
    detail: str = ""
    error: str | None = None
    attempts: int = 1
    loads_through: dt.datetime | None = None
    started_at: dt.datetime = field(default_factory=utcnow)
    finished_at: dt.datetime | None = None
    elapsed_s: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status == FAILED


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


def record(
    con: duckdb.DuckDBPyConnection, run_id: str, command: str, game_date: dt.date, cycle: int, step: Step
) -> None:
    ensure_schema(con)
    execute(
        con,
        f"insert or replace into {STEPS} (run_id, command, game_date, cycle, step, status, started_at, "
        "finished_at, elapsed_s, attempts, detail, error, loads_through) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            command,
            game_date,
            cycle,
            step.name,
            step.status,
            step.started_at,
            step.finished_at or utcnow(),
            round(step.elapsed_s, 3),
            step.attempts,
            step.detail[:1000],
            None if step.error is None else step.error[:2000],
            step.loads_through,
        ],
    )


def last_checked(con: duckdb.DuckDBPyConnection, game_date: dt.date) -> dt.datetime | None:
    """The newest load that a successful prediction or line check of GAME_DATE has covered, if any."""
    if not table_exists(con, SCHEMA, "game_day_steps"):
        return None
    places = ", ".join("?" for _ in CHECKED_STEPS)
    (through,) = execute(
        con,
        f"select max(loads_through) from {STEPS} where game_date = ? and step in ({places}) and status = ?",
        [game_date, *CHECKED_STEPS, OK],
    ).fetchone()
    return through


def exit_code(steps: Sequence[Step]) -> int:
    return max((EXIT_CODES[s.status] for s in steps), default=0)


@contextmanager
def timed(step: Step) -> Iterator[Step]:
    """Times the block into STEP (started_at, finished_at, elapsed_s)."""
    step.started_at = utcnow()
    started = time.perf_counter()
    try:
        yield step
    finally:
        step.elapsed_s = time.perf_counter() - started
        step.finished_at = utcnow()


def new_run(command: str) -> str:
    return new_run_id(command)


def table(steps: Sequence[Step]) -> str:
    """The summary table of a run's steps."""
    width = max([len(s.name) for s in steps] + [4])
    lines = [f"{'step':<{width}}  {'status':<7} {'seconds':>8}  detail", "-" * (width + 40)]
    for s in steps:
        shown = s.error if s.failed and s.error else s.detail
        retried = f" (attempt {s.attempts})" if s.attempts > 1 else ""
        lines.append(f"{s.name:<{width}}  {s.status:<7} {s.elapsed_s:>8.1f}  {shown}{retried}")
    return "\n".join(lines)


def skipped(name: str, why: str) -> Step:
    step = Step(name, SKIPPED, detail=why)
    step.finished_at = step.started_at
    return step


Echo = Callable[[str], None]
