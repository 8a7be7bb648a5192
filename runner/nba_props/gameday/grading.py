"""Grading the predictions of earlier dates whose box scores arrived: dbt builds prediction_accuracy and what
it reads that the morning's build did not already rebuild, then the graded counts per date are read back."""

from __future__ import annotations

import datetime as dt

from nba_props import dbt
from nba_props.backfill.plan import BUILD, BUILD_WITHOUT_TESTS
from nba_props.settings import Settings
from nba_props.warehouse import connect, execute, table_exists

ACCURACY = ("predictions", "prediction_accuracy")
# earlier dates whose grading the summary shows
LOOKBACK_DAYS = 7


def grade_command(exclude: tuple[str, ...], skip_tests: bool) -> list[str]:
    """`dbt build --select +prediction_accuracy --exclude <what the build step rebuilt>`."""
    args = [*(BUILD_WITHOUT_TESTS if skip_tests else BUILD), "--select", f"+{ACCURACY[1]}"]
    return [*args, "--exclude", *exclude] if exclude else args


def grade(settings: Settings, game_date: dt.date, exclude: tuple[str, ...], skip_tests: bool) -> str:
    """Build the grades and summarise those of the dates before GAME_DATE in one line."""
    dbt.invoke(settings, grade_command(exclude, skip_tests))
    with connect(settings.duckdb_path) as con:
        if not table_exists(con, *ACCURACY):
            return "no prediction_accuracy table"
        rows = execute(
            con,
            f"""select game_date, count(*), count(*) filter (where grade_status = 'graded'),
                count(*) filter (where grade_status = 'graded' and prediction_correct),
                count(*) filter (where grade_status = 'pending')
            from {ACCURACY[0]}.{ACCURACY[1]}
            where game_date < ? and game_date >= ? group by game_date order by game_date""",
            [game_date, game_date - dt.timedelta(days=LOOKBACK_DAYS)],
        ).fetchall()
    if not rows:
        return f"no predictions in the {LOOKBACK_DAYS} days before {game_date}"
    return "; ".join(
        f"{day}: {graded} of {active} graded ({won} won), {pending} pending"
        for day, active, graded, won, pending in rows
    )
