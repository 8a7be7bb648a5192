"""The `nba-props` command: a click group whose commands live one per module in nba_props.commands."""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import sys

import click

from nba_props import __version__
from nba_props.errors import NbaPropsError

# command name -> module in nba_props.commands; each module exposes `command`.
COMMANDS = {
    "load": "load",
    "build": "build",
    "backfill": "backfill",
    "train": "train",
    "predict": "predict",
    "check-lines": "check_lines",
    "evaluate": "evaluate",
    "validate-daily": "validate_daily",
    "report": "report",
    "demo": "demo",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs, so `nba-props load` never imports dbt."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, module in COMMANDS.items() if _module_exists(module))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None or not _module_exists(module):
            return None
        return importlib.import_module(f"nba_props.commands.{module}").command


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(f"nba_props.commands.{module}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nba-props")
def cli() -> None:
    """Build the NBA props feature store with dbt, and run predictions from it."""


def main(argv: list[str] | None = None) -> None:
    try:
        code = cli.main(args=argv, prog_name="nba-props", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except NbaPropsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


def run() -> None:
    """The console script (and `python -m nba_props.cli`): main(), then the exit handlers (dbt-duckdb's closes
    the warehouse, a checkpoint), then the process ends without the interpreter's teardown of the thousands
    of objects dbt loaded: nothing is left to release, and that teardown took 0.7-1.1 s a command here.
    In-process callers (tests) use main(), which returns or raises SystemExit as usual.

    The cycle collector stays off for the whole command: a pass after the last dbt invocation would only walk
    what the process is about to drop; the garbage of one invocation is collected before the next one
    (nba_props.dbt.collector_paused)."""
    gc.disable()
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    run()
