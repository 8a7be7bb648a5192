"""Options that commands share, defined once and stacked as decorators (as in dbt-core's CLI); their types."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import click

from nba_props.errors import NbaPropsError


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


class DurationType(click.ParamType):
    """A duration such as 10m, 90s, 1h or 1h30m (a bare number is seconds). Returned in seconds."""

    name = "duration"
    UNITS = {"h": 3600, "m": 60, "s": 1}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, int | float):
            return float(value)
        text = str(value).strip().lower()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return float(text)
        parts = re.findall(r"(\d+(?:\.\d+)?)([hms])", text)
        if not parts or "".join(n + u for n, u in parts) != text:
            self.fail(f"{value!r} is not a duration (use e.g. 10m, 90s, 1h30m)", param, ctx)
        return sum(float(n) * self.UNITS[u] for n, u in parts)


class UntilType(click.ParamType):
    """`last-tipoff` (the last tip-off of the date, read from the warehouse each cycle) or a timestamp."""

    name = "until"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, dt.datetime) or value == LAST_TIPOFF:
            return value
        if str(value).strip().lower() == LAST_TIPOFF:
            return LAST_TIPOFF
        return TIMESTAMP.convert(value, param, ctx)


LAST_TIPOFF = "last-tipoff"
DATE = DateType()
TIMESTAMP = TimestampType()
DURATION = DurationType()
UNTIL = UntilType()

game_date = click.option(
    "--date", "game_date", type=DATE, required=True, help="Game date (YYYY-MM-DD, US Eastern)."
)
latest_game_date = click.option(
    "--date",
    "game_date",
    type=DATE,
    default=None,
    help="Game date (YYYY-MM-DD; default: the latest date with games, up to today in US Eastern time).",
)
start_date = click.option("--start-date", "start_date", type=DATE, help="First game date (inclusive).")
end_date = click.option("--end-date", "end_date", type=DATE, help="Last game date (inclusive).")
as_of = click.option(
    "--as-of",
    "as_of",
    type=TIMESTAMP,
    default=None,
    help="Replay the day as it looked at this time: snapshots after it are ignored (default: now).",
)
as_of_required = click.option(
    "--as-of", "as_of", type=TIMESTAMP, required=True, help="Look at the lines as they were at this time."
)
target = click.option(
    "--target",
    "target",
    default=None,
    envvar="NBA_PROPS_TARGET",
    help="dbt target from profiles.yml (dev = DuckDB file, bigquery, bigquery_emulator).",
)
select = click.option(
    "--select",
    "-s",
    "select",
    multiple=True,
    help="dbt selection (repeatable; default: +ml_feature_store_v2 +feature_store_gaps).",
)
full_refresh = click.option(
    "--full-refresh",
    "full_refresh",
    is_flag=True,
    help="Passed to dbt: incremental models are rebuilt from raw tables instead of updated.",
)
refresh = click.option(
    "--refresh/--no-refresh",
    "refresh",
    default=None,
    help="Rebuild the monitoring marts first (default: only when the feature store is newer).",
)
game_day = click.option(
    "--date",
    "game_date",
    type=DATE,
    default=None,
    help="Game date (YYYY-MM-DD; default: today in US Eastern time).",
)
skip_tests = click.option(
    "--skip-tests", is_flag=True, help="Leave out data and unit tests (models and seeds only)."
)


def _landing(required: bool) -> Any:
    return click.option(
        "--landing",
        "landing",
        type=click.Path(file_okay=False, path_type=Path),
        required=required,
        help="Folder where raw files land; every new or changed file in it is loaded (hidden files are not: "
        "write a file under a hidden name, then rename it).",
    )


landing = _landing(required=False)
landing_required = _landing(required=True)
every = click.option(
    "--every",
    "every",
    type=DURATION,
    default="10m",
    show_default=True,
    help="Time between two cycles (10m, 90s, 1h).",
)
until = click.option(
    "--until",
    "until",
    type=UNTIL,
    default=LAST_TIPOFF,
    show_default=True,
    help="Stop after the cycle in which the clock passes this time: last-tipoff (the date's last tip-off) "
    "or a timestamp.",
)
now_from_files = click.option(
    "--now-from-files",
    "now_from_files",
    is_flag=True,
    help="Replays: the clock is the newest snapshot time in the landing folder's snapshot files, not the "
    "wall clock.",
)
model = click.option(
    "--model", "model_name", default=None, help="Model name in models_store/ (default: the newest)."
)
build = click.option(
    "--build/--no-build",
    "build",
    default=None,
    help="Rebuild D's feature rows first (default: yes when --as-of is given).",
)


def min_ev(f: Any) -> Any:
    """--min-ev: the expected value per unit staked that a bet needs at its price."""
    from nba_props.predictions.engine import DEFAULT_MIN_EV

    return click.option(
        "--min-ev",
        "min_ev",
        type=float,
        default=DEFAULT_MIN_EV,
        show_default=True,
        help="Bet (OVER/UNDER) only when the side's expected value per unit staked at its price is at least "
        "this; PASS otherwise.",
    )(f)


def mode(default: str) -> Any:
    """--mode: the prediction run mode, which sets the quality threshold."""
    from nba_props.predictions.gate import MODES

    return click.option(
        "--mode",
        type=click.Choice(MODES),
        default=default,
        show_default=True,
        help="Run mode; sets the quality threshold (first/retry/line_check 85, final_retry 80, "
        "last_call/backfill 70).",
    )


def selection(select: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    """The --select values (each may hold several space-separated selectors), or DEFAULT."""
    return tuple(s for item in select for s in item.split()) or default


def check_range(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    if start is None or end is None:
        raise NbaPropsError("give --start-date and --end-date")
    if end < start:
        raise NbaPropsError(f"--end-date {end} is before --start-date {start}")
    return start, end
