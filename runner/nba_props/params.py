"""Reusable click options and parameter types, shared by the commands (as in dbt-core's CLI)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click


class DateType(click.ParamType):
    """A calendar date written YYYY-MM-DD; anything else is one readable error."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date in the format YYYY-MM-DD", param, ctx)


class TimestampType(click.ParamType):
    """An ISO timestamp; without a zone it is read as UTC. Returned as an aware UTC datetime."""

    name = "timestamp"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            ts = value
        else:
            text = str(value).strip().replace("Z", "+00:00")
            try:
                ts = dt.datetime.fromisoformat(text)
            except ValueError:
                self.fail(
                    f"{value!r} is not a timestamp (use e.g. 2024-03-05T15:00:00Z or 2024-03-05T10:00-05:00)",
                    param,
                    ctx,
                )
        if ts.tzinfo is None:
            ts = ts.replace(tzinfo=dt.UTC)
        return ts.astimezone(dt.UTC)


DATE = DateType()
TIMESTAMP = TimestampType()


def target_option(f: Callable) -> Callable:
    return click.option(
        "--target",
        "target",
        default=None,
        envvar="NBA_PROPS_TARGET",
        help="dbt target from profiles.yml (dev = DuckDB file, bigquery, bigquery_emulator).",
    )(f)


def date_option(required: bool = False, help: str = "Game date (YYYY-MM-DD).") -> Callable:
    return click.option("--date", "game_date", type=DATE, required=required, help=help)


def as_of_option(f: Callable) -> Callable:
    return click.option(
        "--as-of",
        "as_of",
        type=TIMESTAMP,
        default=None,
        help="Replay the day as it looked at this time: snapshots after it are ignored (default: now).",
    )(f)


def date_range_options(f: Callable) -> Callable:
    f = click.option("--end-date", "end_date", type=DATE, required=True, help="Last game date (inclusive).")(
        f
    )
    f = click.option("--start-date", "start_date", type=DATE, required=True, help="First game date.")(f)
    return f


def check_range(start: dt.date, end: dt.date) -> None:
    from nba_props.errors import NbaPropsError

    if end < start:
        raise NbaPropsError(f"--end-date {end} is before --start-date {start}")
