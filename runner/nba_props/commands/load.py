"""`nba-props load <kind> <path>`: import raw files into the warehouse's raw schema."""

from __future__ import annotations

from pathlib import Path

import click

from nba_props.errors import NbaPropsError
from nba_props.loaders.core import LoadError, LoadResult, discover, load_file
from nba_props.loaders.registry import KINDS, SourceKind
from nba_props.settings import Settings, load_settings
from nba_props.warehouse import connect

KIND_CHOICES = sorted([*KINDS, "all"])


@click.command("load")
@click.argument("kind", type=click.Choice(KIND_CHOICES))
@click.argument("path", type=click.Path(path_type=Path))
def command(kind: str, path: Path) -> None:
    """Load PATH as KIND into raw tables; `load all FOLDER` loads every recognised file below FOLDER.

    Loading the same file twice changes nothing; a changed file with the same name replaces its rows; bad rows
    go to raw.load_quarantine with a reason. `load all` keeps going past a bad file and exits 1 at the end.
    """
    settings = load_settings()
    if not path.exists():
        raise NbaPropsError(f"no such file or folder: {path}")
    if kind == "all":
        if not path.is_dir():
            raise NbaPropsError(f"`load all` takes a folder, got the file {path}")
        jobs, unclaimed = discover(path)
        if not jobs:
            raise NbaPropsError(f"no recognised data files under {path}")
    else:
        if path.is_dir():
            raise NbaPropsError(f"`load {kind}` takes a file, got the folder {path}; use `load all {path}`")
        jobs, unclaimed = [(KINDS[kind], path)], []

    results, failures = load_jobs(settings, jobs, keep_going=kind == "all")
    print_summary(results, failures)
    for file in unclaimed:
        click.echo(f"note: ignored {file} (no importer matches its name)", err=True)
    for _file, _kind, message in failures:
        click.echo(f"error: {message}", err=True)
    if failures:
        raise NbaPropsError(f"{len(failures)} of {len(jobs)} file(s) could not be loaded", exit_code=1)


def load_jobs(
    settings: Settings, jobs: list[tuple[SourceKind, Path]], keep_going: bool = True
) -> tuple[list[LoadResult], list[tuple[str, str, str]]]:
    """Load each (kind, file); with KEEP_GOING a file that cannot be loaded is one (file, kind, message)
    failure and the next file is loaded, else its LoadError ends the load."""
    results: list[LoadResult] = []
    failures: list[tuple[str, str, str]] = []
    aliases = settings.project_dir / "seeds" / "team_aliases.csv"
    with connect(settings.duckdb_path) as con:
        for source_kind, file in jobs:
            try:
                results.append(load_file(con, source_kind.name, file, aliases))
            except LoadError as exc:
                if not keep_going:
                    raise
                failures.append((file.name, source_kind.name, str(exc)))
    return results, failures


def print_summary(results: list[LoadResult], failures: list[tuple[str, str, str]] = ()) -> None:
    """One line per file (rows read / loaded / rejected, rejections by reason), then one total line."""
    width = max([len(r.file) for r in results] + [len(f[0]) for f in failures] + [4])
    click.echo(
        f"{'file':<{width}}  {'kind':<22} {'status':<8} {'read':>10} {'loaded':>10} {'rejected':>9} "
        f"{'secs':>6}  rejected by reason"
    )
    for r in results:
        reasons = ", ".join(f"{reason} {n:,}" for reason, n in r.rejected_by_reason.most_common())
        click.echo(
            f"{r.file:<{width}}  {r.kind:<22} {r.status:<8} {r.rows_read:>10,} {r.rows_loaded:>10,} "
            f"{r.rows_rejected:>9,} {r.seconds:>6.1f}  {reasons}"
        )
    for file, kind, _message in failures:
        click.echo(
            f"{file:<{width}}  {kind:<22} {'failed':<8} {'-':>10} {'-':>10} {'-':>9} {'':>6}  see error below"
        )
    done = [r for r in results if r.status != "skipped"]
    statuses = {s: sum(1 for r in results if r.status == s) for s in ("loaded", "replaced", "skipped")}
    click.echo(
        f"{len(results) + len(failures)} file(s): {statuses['loaded']} loaded, "
        f"{statuses['replaced']} replaced, "
        f"{statuses['skipped']} skipped (unchanged), {len(failures)} failed; this run read "
        f"{sum(r.rows_read for r in done):,} rows, loaded {sum(r.rows_loaded for r in done):,}, "
        f"rejected {sum(r.rows_rejected for r in done):,}"
    )
