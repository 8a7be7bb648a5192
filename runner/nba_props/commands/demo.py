"""`nba-props demo`: the main job on the bundled sample, end to end: load, build, train, predict, replay late
lines, evaluate, validate and report. Each step is an ordinary `nba-props` command, run in this process."""

from __future__ import annotations

import time
from dataclasses import dataclass

import click

from nba_props import dbt
from nba_props.errors import NbaPropsError
from nba_props.settings import load_settings

# A real 2023-24 day inside the sample's hourly Rotowire line snapshots (2024-01-25 .. 2024-06-17).
DEMO_DATE = "2024-02-27"
TRAIN_THROUGH = DEMO_DATE
EVALUATE_START, EVALUATE_END = "2024-03-04", "2024-03-17"
REPORT_START, REPORT_END = "2023-11-07", "2024-04-14"
# A day before the first daily injury report (2024-01-17) and the first lines (2024-01-25): injury status
# comes from the injured list as of the day before, and the gate still lets the players through.
EARLY_DATE = "2024-01-10"
EARLY_MODEL = "lgbm_points_" + EARLY_DATE.replace("-", "")


@dataclass(frozen=True)
class Step:
    title: str
    args: list[str]
    ok_exit_codes: tuple[int, ...] = (0,)


def demo_steps(sample_dir: str) -> list[Step]:
    return [
        Step("Load the bundled sample into raw tables", ["load", "all", sample_dir]),
        Step(
            "Build the whole warehouse: seeds, staging, features, monitoring, with their tests",
            ["dbt", "build"],
        ),
        Step(
            f"Train a points model on quality-ready rows before {EARLY_DATE}",
            ["train", "--through-date", EARLY_DATE],
        ),
        Step(
            f"Predict {EARLY_DATE}, before the first daily injury report (injury status: the injured list)",
            [
                "predict",
                "--date",
                EARLY_DATE,
                "--as-of",
                f"{EARLY_DATE}T15:00:00Z",
                "--mode",
                "first",
                "--model",
                EARLY_MODEL,
            ],
        ),
        Step(
            f"Train a points model on quality-ready rows before {TRAIN_THROUGH}",
            ["train", "--through-date", TRAIN_THROUGH],
        ),
        Step(
            f"Predict {DEMO_DATE} as of 05:00 ET (first run, few lines posted yet)",
            ["predict", "--date", DEMO_DATE, "--as-of", f"{DEMO_DATE}T10:00:00Z", "--mode", "first"],
        ),
        Step(
            f"Lines arrive and move: check {DEMO_DATE} again as of 11:30 ET",
            ["check-lines", "--date", DEMO_DATE, "--as-of", f"{DEMO_DATE}T16:30:00Z"],
        ),
        Step(
            "... and again as of 14:30 ET",
            ["check-lines", "--date", DEMO_DATE, "--as-of", f"{DEMO_DATE}T19:30:00Z"],
        ),
        Step(
            f"Walk-forward evaluation {EVALUATE_START} .. {EVALUATE_END}",
            ["evaluate", "--start-date", EVALUATE_START, "--end-date", EVALUATE_END],
        ),
        # validate-daily exits 1 on warnings and 2 on alerts: that is its answer, not a demo failure.
        Step(f"Daily validation of {DEMO_DATE}", ["validate-daily", "--date", DEMO_DATE], (0, 1, 2)),
        Step("Static HTML report", ["report", "--start-date", REPORT_START, "--end-date", REPORT_END]),
    ]


@click.command("demo")
@click.option("--sample-dir", default=None, help="Folder to load (default: the repository's data/sample).")
def command(sample_dir: str | None) -> None:
    """Run the main job on the bundled sample: load, build, predict, validate, report."""
    from nba_props.cli import cli

    settings = load_settings()
    sample = sample_dir or str(settings.project_dir / "data" / "sample")
    started = time.monotonic()
    for number, step in enumerate(demo_steps(sample), start=1):
        shown = " ".join(step.args) if step.args[0] == "dbt" else f"nba-props {' '.join(step.args)}"
        click.secho(f"\n[{number}] {step.title}\n    $ {shown}", bold=True)
        try:
            if step.args[0] == "dbt":
                run = dbt.invoke(settings, step.args[1:])
                click.echo(f"    dbt {step.args[1]}: {len(run.results)} nodes in {run.elapsed:.1f} s")
                continue
            code = cli.main(args=step.args, prog_name="nba-props", standalone_mode=False) or 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except NbaPropsError as exc:
            raise NbaPropsError(f"demo step {number} ({step.title}) failed: {exc}", exc.exit_code) from exc
        if code not in step.ok_exit_codes:
            raise NbaPropsError(f"demo step {number} ({step.title}) exited {code}", exit_code=1)
    click.secho(
        f"\ndemo finished in {time.monotonic() - started:.0f} s; warehouse: {settings.duckdb_path}", bold=True
    )
