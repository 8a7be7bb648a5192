"""`nba-props load <kind> <path>`: import raw files into the warehouse's raw schema."""

from __future__ import annotations

from pathlib import Path

import click

from nba_props.errors import NbaPropsError
from nba_props.loaders.core import LoadError, LoadResult, discover, load_file
from nba_props.loaders.registry import KINDS
from nba_props.settings import load_settings
from nba_props.warehouse import connect

KIND_CHOICES = sorted([*KINDS, "all"])


@click.command("load")
@click.argument("kind", type=click.Choice(KIND_CHOICES))
@click.argument("path", type=click.Path(path_type=Path))
def command(kind: str, path: Path) -> None:
    """Load PATH as KIND into raw tables; `load all FOLDER` loads every recognised file below FOLDER.

    Loading the same file twice changes nothing; bad rows go to raw.load_quarantine with a reason.
    """
    settings = load_settings()
    if not path.exists():
        raise NbaPropsError(f"no such file or folder: {path}")
    if kind == "all":
        if not path.is_dir():
            raise NbaPropsError(f"`load all` takes a folder, got the file {path}")
        jobs = discover(path)
        if not jobs:
            raise NbaPropsError(f"no recognised data files under {path}")
    else:
        if path.is_dir():
            raise NbaPropsError(f"`load {kind}` takes a file, got the folder {path}; use `load all {path}`")
        jobs = [(KINDS[kind], path)]

    results: list[LoadResult] = []
    errors: list[str] = []
    aliases = settings.project_dir / "seeds" / "team_aliases.csv"
    with connect(settings.duckdb_path) as con:
        for source_kind, file in jobs:
            try:
                results.append(load_file(con, source_kind.name, file, aliases))
            except LoadError as exc:
                if kind != "all":
                    raise
                errors.append(str(exc))
    print_summary(results)
    for message in errors:
        click.echo(f"error: {message}", err=True)
    if errors:
        raise NbaPropsError(f"{len(errors)} file(s) could not be loaded", exit_code=1)


def print_summary(results: list[LoadResult]) -> None:
    width = max([len(r.file) for r in results] + [4])
    click.echo(f"{'file':<{width}}  {'kind':<22} {'status':<8} {'read':>9} {'loaded':>9} {'rejected':>9}  reasons")
    for r in results:
        reasons = ", ".join(f"{k} {v}" for k, v in r.rejected_by_reason.most_common(4))
        click.echo(
            f"{r.file:<{width}}  {r.kind:<22} {r.status:<8} {r.rows_read:>9,} {r.rows_loaded:>9,} "
            f"{r.rows_rejected:>9,}  {reasons}"
        )
    total_read = sum(r.rows_read for r in results if r.status != "skipped")
    total_loaded = sum(r.rows_loaded for r in results if r.status != "skipped")
    click.echo(f"{len(results)} file(s): {total_read:,} rows read, {total_loaded:,} loaded in this run")
