"""The `nba-props` command: a click group whose commands live one per module in nba_props.commands."""

from __future__ import annotations

import importlib
import importlib.util
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
    "coverage": "coverage",
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


if __name__ == "__main__":
    main()
