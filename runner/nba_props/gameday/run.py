"""Running the steps of a game day: each is timed, recorded in runner.game_day_steps, and a failure becomes
one line, one recorded error and one alert instead of the end of the day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import click

from nba_props.errors import NbaPropsError
from nba_props.gameday import alerts, steps
from nba_props.gameday.retry import WAITS, with_retries
from nba_props.gameday.stop import StopRequest
from nba_props.settings import Settings
from nba_props.warehouse import connect


@dataclass
class DayRun:
    """One `daily` run or one `watch` process: its id, the steps it ran, where they are recorded."""

    settings: Settings
    command: str
    game_date: dt.date
    stop: StopRequest
    retry_waits: tuple[float, ...] = WAITS
    run_id: str = ""
    cycle: int = 0
    done: list[steps.Step] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.run_id = self.run_id or steps.new_run(self.command)

    def step(
        self,
        name: str,
        action: Callable[[steps.Step], None],
        next_command: str,
        retried: bool = False,
    ) -> steps.Step:
        """Run ACTION(step), which fills the step's status and detail; an NbaPropsError fails the step (after
        the bounded retries when RETRIED). The step is recorded and, when it failed, alerted."""
        step = steps.Step(name)
        with steps.timed(step):
            try:
                if retried:

                    def note(number: int, wait: float, exc: Exception) -> None:
                        click.echo(
                            f"{name}: attempt {number} failed ({exc}); retrying in {wait:.0f} s", err=True
                        )

                    _, step.attempts = with_retries(
                        lambda: action(step),
                        self.retry_waits,
                        on_retry=note,
                        stopping=lambda: bool(self.stop),
                    )
                else:
                    action(step)
            except NbaPropsError as exc:
                step.status, step.error = steps.FAILED, str(exc)
                step.attempts = getattr(exc, "attempts", step.attempts)
        self.finish(step)
        if step.failed:
            click.echo(f"error: {self.command} {self.game_date} step {name}: {step.error}", err=True)
            alerts.send(
                self.settings,
                [alerts.for_failed_step(self.command, self.game_date, name, step.error, next_command)],
                echo=lambda m: click.echo(m, err=True),
            )
        return step

    def skip(self, name: str, why: str) -> steps.Step:
        step = steps.skipped(name, why)
        self.finish(step)
        return step

    def finish(self, step: steps.Step) -> None:
        self.done.append(step)
        try:
            with connect(self.settings.duckdb_path) as con:
                steps.record(con, self.run_id, self.command, self.game_date, self.cycle, step)
        except NbaPropsError as exc:
            click.echo(f"warning: step {step.name} not recorded in {steps.STEPS}: {exc}", err=True)
