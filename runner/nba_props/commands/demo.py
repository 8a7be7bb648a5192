"""`nba-props demo`: the main job on the bundled sample, end to end: load, build, train, then one game day run
by `nba-props daily` and `nba-props watch` while the day's line snapshots land, then evaluate, validate and
report. Each step is an ordinary `nba-props` command, run in this process.

The sample's Rotowire file holds every hourly snapshot of the season; the demo copies the sample into a
landing folder with DEMO_DATE's snapshots held back (nba_props.gameday.replay) and lands them during the day
in three batches: what the scraper had delivered by 05:00, 11:30 and 14:30 ET.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from nba_props import dbt
from nba_props.errors import NbaPropsError
from nba_props.gameday.replay import land, snapshot_time, split_day
from nba_props.loaders.core import match_kind
from nba_props.settings import Settings, load_settings

# A real 2023-24 day inside the sample's hourly Rotowire line snapshots (2024-01-25 .. 2024-06-17).
DEMO_DATE = "2024-02-27"
TRAIN_THROUGH = DEMO_DATE
EVALUATE_START, EVALUATE_END = "2024-03-04", "2024-03-17"
REPORT_START, REPORT_END = "2023-11-07", "2024-04-14"
# The day's snapshots land in batches: those taken by 05:00, 11:30 and 14:30 ET (10:00, 16:30, 19:30 UTC).
BATCH_ENDS = ("2024-02-27T10:00:00Z", "2024-02-27T16:30:00Z", "2024-02-27T19:30:00Z")
# A day before the first daily injury report (2024-01-17) and the first lines (2024-01-25): injury status
# comes from the injured list as of the day before, and the gate still lets the players through.
EARLY_DATE = "2024-01-10"
EARLY_MODEL = "lgbm_points_" + EARLY_DATE.replace("-", "")


@dataclass(frozen=True)
class Step:
    title: str
    args: list[str]  # the command as typed (`dbt ...` or `nba-props ...` without the program name)
    ok_exit_codes: tuple[int, ...] = (0,)
    action: Callable[[], int | None] | None = None  # run in this process instead of the CLI with args
    before: Callable[[], None] | None = None


@dataclass
class DayFiles:
    """The demo's landing folder and the snapshot files held back from it, in their batches."""

    landing: Path
    batches: list[list[Path]]

    def land_batch(self, number: int) -> None:
        if number < len(self.batches):
            for path in self.batches[number]:
                land(path, self.landing)
            shown = ", ".join(f"{snapshot_time(p):%H:%M}" for p in self.batches[number])
            click.echo(
                f"    (landed {len(self.batches[number])} Rotowire snapshot file(s) taken at {shown} UTC)"
            )


def prepare(sample: Path, folder: Path) -> DayFiles:
    """FOLDER/landing: the sample with DEMO_DATE's Rotowire snapshots held back in FOLDER/snapshots."""
    shutil.rmtree(folder, ignore_errors=True)
    landing, held = folder / "landing", folder / "snapshots"
    landing.mkdir(parents=True)
    day = dt.date.fromisoformat(DEMO_DATE)
    split = None
    for path in sorted(p for p in sample.iterdir() if p.is_file()):
        kind = match_kind(path)
        if kind is not None and kind.name == "rotowire_props":
            split = split_day(path, day, held, rest_dir=landing)
        elif kind is not None:
            shutil.copyfile(path, landing / path.name)
    if not split:
        raise NbaPropsError(f"no Rotowire snapshot file in {sample}")
    ends = [dt.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in BATCH_ENDS]
    batches = [
        [p for p in split if (i == 0 or snapshot_time(p) > ends[i - 1]) and snapshot_time(p) <= end]
        for i, end in enumerate(ends)
    ]
    click.echo(
        f"    {landing}: the sample, with {DEMO_DATE}'s {len(split)} Rotowire snapshots held back in {held} "
        f"to land in batches of {', '.join(str(len(b)) for b in batches)}"
    )
    return DayFiles(landing, batches)


def demo_steps(sample: Path, settings: Settings) -> list[Step]:
    folder = settings.duckdb_path.parent / "demo"
    files = DayFiles(folder / "landing", [])
    last_snapshot = None

    def prepare_day() -> None:
        nonlocal last_snapshot
        prepared = prepare(sample, folder)
        files.batches = prepared.batches
        last_snapshot = max(snapshot_time(p) for batch in prepared.batches for p in batch)

    def watch() -> int:
        from nba_props.commands.watch import watch_day
        from nba_props.gameday.clock import FilesClock

        return watch_day(
            settings,
            dt.date.fromisoformat(DEMO_DATE),
            files.landing,
            every=0.0,
            until=last_snapshot,
            clock=FilesClock(),
            model_name=None,
            min_ev=0.03,
            before_cycle=files.land_batch,
        )

    landing = str(files.landing)
    return [
        Step(
            f"Land the bundled sample in {landing}, {DEMO_DATE}'s line snapshots held back for the day",
            ["load", "all", landing],
            before=prepare_day,
        ),
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
        # daily exits 1 on warnings and 2 on alerts: that is its answer, not a demo failure.
        Step(
            f"05:00 ET, the first line snapshot has landed: the morning run of {DEMO_DATE} (the tests ran in "
            "the build above)",
            ["daily", "--date", DEMO_DATE, "--landing", landing, "--as-of", BATCH_ENDS[0], "--skip-tests"],
            (0, 1, 2),
            before=lambda: files.land_batch(0),
        ),
        Step(
            "The line watcher: the snapshots taken by 11:30 ET land, then those by 14:30 ET; each cycle "
            "rebuilds what they change and re-predicts players whose line appeared or moved",
            [
                "watch",
                "--date",
                DEMO_DATE,
                "--landing",
                landing,
                "--every",
                "0s",
                "--now-from-files",
                "--until",
                "<the last snapshot>",
            ],
            action=watch,
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
    """Run the main job on the bundled sample: load, build, train, a game day (daily and watch), evaluate,
    validate, report."""
    from nba_props.cli import cli

    settings = load_settings()
    sample = Path(sample_dir) if sample_dir else settings.project_dir / "data" / "sample"
    started = time.monotonic()
    for number, step in enumerate(demo_steps(sample, settings), start=1):
        shown = " ".join(step.args) if step.args[0] == "dbt" else f"nba-props {' '.join(step.args)}"
        click.secho(f"\n[{number}] {step.title}\n    $ {shown}", bold=True)
        try:
            if step.before:
                step.before()
            if step.action:
                code = step.action() or 0
            elif step.args[0] == "dbt":
                run = dbt.invoke(settings, step.args[1:])
                click.echo(f"    dbt {step.args[1]}: {len(run.results)} nodes in {run.elapsed:.1f} s")
                continue
            else:
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
