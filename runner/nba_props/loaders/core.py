"""Load one file of a known kind into its raw table: validate, quarantine bad rows, log, stay idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib

import re
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from nba_props.errors import NbaPropsError
from nba_props.loaders.registry import KINDS, SourceKind

RAW_SCHEMA = "raw"
META_COLUMNS = ("_source_file", "_file_sha256", "_row_number", "_load_id", "_loaded_at")


class LoadError(NbaPropsError):
    """The file cannot be loaded as this kind at all (wrong file, missing columns, empty)."""


@dataclass
class LoadResult:
    kind: str
    file: str
    sha256: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    status: str = "loaded"  # loaded | skipped (already loaded) | replaced (same name, new content)
    rejected_by_reason: Counter = field(default_factory=Counter)


def normalise_column(name: str) -> str:
    """`PLAYER_ID` -> player_id, `PointsPerShot` -> points_per_shot, an unnamed index column -> row_index."""
    if not name.isupper():
        name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower() or "row_index"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw table (empty) so staging models always have their sources, loaded or not."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for kind in KINDS.values():
        cols = ", ".join(f'"{c}" varchar' for c in kind.columns)
        con.execute(
            f"create table if not exists {RAW_SCHEMA}.{kind.table} ({cols}, _source_file varchar, "
            "_file_sha256 varchar, _row_number bigint, _load_id varchar, _loaded_at timestamp)"
        )
    con.execute(
        f"""create table if not exists {RAW_SCHEMA}.load_log (
            load_id varchar, kind varchar, raw_table varchar, file_name varchar, file_path varchar,
            file_sha256 varchar, rows_read bigint, rows_loaded bigint, rows_rejected bigint,
            status varchar, loaded_at timestamp)"""
    )
    con.execute(
        f"""create table if not exists {RAW_SCHEMA}.load_quarantine (
            load_id varchar, kind varchar, file_name varchar, row_number bigint, reason varchar,
            record varchar, quarantined_at timestamp)"""
    )


def _csv_source(path: Path, kind: SourceKind, workdir: Path) -> Path:
    """A plain or gzip CSV as is; from a zip, its one data member (macOS resource forks ignored)."""
    if path.suffix.lower() != ".zip":
        return path
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise LoadError(f"{path.name} is not a readable zip file") from exc
    members = [
        m for m in archive.namelist()
        if m.lower().endswith(kind.zip_member_suffix) and not m.startswith("__MACOSX") and "/._" not in m
    ]
    if len(members) != 1:
        raise LoadError(f"{path.name}: expected one {kind.zip_member_suffix} file inside, found {len(members)}")
    target = workdir / Path(members[0]).name
    with archive.open(members[0]) as src, target.open("wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    return target


def _read_header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise LoadError(f"{path.name} is not a readable CSV file ({exc.__class__.__name__})") from exc
    if not header or all(not h.strip() for h in header):
        raise LoadError(f"{path.name} is empty: no header row")
    return header


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _strptime_any(column: str, formats: list[str]) -> str:
    fmts = ", ".join(f"try_strptime(trim({column}), {_sql_str(f)})" for f in formats)
    return f"coalesce({fmts})" if len(formats) > 1 else fmts


def _reason_checks(kind: SourceKind, present: set[str]) -> list[tuple[str, str]]:
    """(condition that makes a row bad, reason) pairs, in the order reasons are reported."""
    checks: list[tuple[str, str]] = []
    for col in kind.not_null:
        checks.append((f"nullif(trim(\"{col}\"), '') is null", f"missing_value:{col}"))
    for col, formats in kind.dates.items():
        if col in present:
            quoted = f'"{col}"'
            checks.append(
                (f"nullif(trim({quoted}), '') is not null and {_strptime_any(quoted, formats)} is null",
                 f"bad_date:{col}")
            )
    for col in kind.timestamps:
        if col in present:
            checks.append(
                (f"nullif(trim(\"{col}\"), '') is not null and try_cast(trim(\"{col}\") as timestamptz) is null",
                 f"bad_timestamp:{col}")
            )
    for col in kind.numbers:
        if col in present:
            checks.append(
                (f"nullif(trim(\"{col}\"), '') is not null and try_cast(trim(\"{col}\") as double) is null",
                 f"non_numeric:{col}")
            )
    for col in kind.teams:
        if col in present:
            checks.append(
                (f"nullif(trim(\"{col}\"), '') is not null and lower(trim(ltrim(trim(\"{col}\"), '@'))) "
                 "not in (select alias from _team_aliases)",
                 f"unknown_team:{col}")
            )
    return checks


def load_file(con: duckdb.DuckDBPyConnection, kind_name: str, path: Path, team_aliases: Path) -> LoadResult:
    """Load one file; raises LoadError for a file that cannot be this kind, quarantines bad rows."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise LoadError(f"unknown kind {kind_name!r}; choose one of: {', '.join(sorted(KINDS))}")
    if not path.is_file():
        raise LoadError(f"no such file: {path}")
    if path.stat().st_size == 0:
        raise LoadError(f"{path.name} is empty")
    ensure_raw_schema(con)
    sha = file_sha256(path)
    result = LoadResult(kind=kind.name, file=path.name, sha256=sha)

    already = con.execute(
        f"select rows_read, rows_loaded, rows_rejected from {RAW_SCHEMA}.load_log "
        "where kind = ? and file_sha256 = ? and status in ('loaded', 'replaced') limit 1",
        [kind.name, sha],
    ).fetchone()
    if already:
        result.status = "skipped"
        result.rows_read, result.rows_loaded, result.rows_rejected = already
        return result

    with tempfile.TemporaryDirectory(prefix="nba-props-load-") as tmp:
        source = _csv_source(path, kind, Path(tmp))
        header = _read_header(source)
        # DuckDB renames blank or repeated header cells (column00, ...): pair its names with the file's by position.
        try:
            duck_names = [
                row[0]
                for row in con.execute(
                    f"describe select * from read_csv({_sql_str(str(source))}, all_varchar = true, header = true)"
                ).fetchall()
            ]
        except duckdb.Error as exc:
            raise LoadError(f"{path.name} could not be parsed as CSV: {str(exc).splitlines()[0]}") from exc
        mapping: dict[str, str] = {}
        for original, duck_name in zip(header, duck_names, strict=False):
            mapping.setdefault(normalise_column(original), duck_name.replace('"', '""'))
        missing = [c for c in kind.required if c not in mapping]
        if missing:
            raise LoadError(
                f"{path.name} does not look like a {kind.name} file: missing column(s) {', '.join(missing)}"
            )
        present = set(mapping) & set(kind.columns)
        select_cols = ", ".join(
            f"\"{mapping[c]}\" as \"{c}\"" if c in present else f"null::varchar as \"{c}\"" for c in kind.columns
        )
        load_id = f"{kind.name}:{sha[:12]}:{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}"
        con.execute("drop table if exists _incoming")
        try:
            con.execute(
                f"""create temp table _incoming as
                    select row_number() over () as _row_number, {select_cols}
                    from read_csv({_sql_str(str(source))}, all_varchar = true, header = true,
                                  auto_detect = true, store_rejects = true, strict_mode = false)"""
            )
        except duckdb.Error as exc:
            raise LoadError(f"{path.name} could not be parsed as CSV: {str(exc).splitlines()[0]}") from exc
        malformed = con.execute(
            "select line, error_type || ': ' || coalesce(error_message, ''), csv_line from reject_errors"
        ).fetchall()

        con.execute("drop table if exists _team_aliases")
        con.execute(
            f"create temp table _team_aliases as select lower(alias) as alias from read_csv({_sql_str(str(team_aliases))}, all_varchar=true)"
        )
        checks = _reason_checks(kind, present)
        reason_expr = "concat_ws('; ', " + ", ".join(
            f"case when {cond} then {_sql_str(reason)} end" for cond, reason in checks
        ) + ")" if checks else "''"
        key_dup = ""
        if kind.key:
            key_cols = ", ".join(f'"{c}"' for c in kind.key)
            key_dup = (
                f", case when row_number() over (partition by {key_cols} order by _row_number) > 1 "
                "then 'duplicate_key' end as _dup"
            )
        con.execute("drop table if exists _checked")
        con.execute(
            f"create temp table _checked as select *, nullif({reason_expr}, '') as _reason {key_dup} from _incoming"
        )
        reason_col = "coalesce(_reason, _dup)" if kind.key else "_reason"
        # An exact repeat of a valid row from an earlier, different file is a duplicate too, not a new fact.
        if kind.key:
            key_join = " and ".join(f'r."{c}" is not distinct from c."{c}"' for c in kind.key)
            con.execute(
                f"""update _checked c set _dup = 'duplicate_key:already_loaded'
                    where _reason is null and _dup is null and exists (
                        select 1 from {RAW_SCHEMA}.{kind.table} r
                        where {key_join} and r._source_file <> {_sql_str(path.name)})"""
            )

        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        replaced = con.execute(
            f"select count(*) from {RAW_SCHEMA}.{kind.table} where _source_file = ?", [path.name]
        ).fetchone()[0]
        con.execute("begin transaction")
        try:
            if replaced:
                con.execute(f"delete from {RAW_SCHEMA}.{kind.table} where _source_file = ?", [path.name])
                con.execute(
                    f"delete from {RAW_SCHEMA}.load_quarantine where kind = ? and file_name = ?",
                    [kind.name, path.name],
                )
                result.status = "replaced"
            cols = ", ".join(f'"{c}"' for c in kind.columns)
            con.execute(
                f"""insert into {RAW_SCHEMA}.{kind.table} ({cols}, {", ".join(META_COLUMNS)})
                    select {cols}, ?, ?, _row_number, ?, ? from _checked where {reason_col} is null""",
                [path.name, sha, load_id, now],
            )
            con.execute(
                f"""insert into {RAW_SCHEMA}.load_quarantine
                    select ?, ?, ?, _row_number, {reason_col},
                           to_json(struct_pack({", ".join(f'"{c}" := "{c}"' for c in kind.columns)}))::varchar, ?
                    from _checked where {reason_col} is not null""",
                [load_id, kind.name, path.name, now],
            )
            for line, reason, raw_line in malformed:
                con.execute(
                    f"insert into {RAW_SCHEMA}.load_quarantine values (?, ?, ?, ?, ?, ?, ?)",
                    [load_id, kind.name, path.name, line, f"malformed_csv_line:{reason}",
                     json_str({"csv_line": raw_line}), now],
                )
            counts = con.execute(
                f"select count(*), count(*) filter (where {reason_col} is null) from _checked"
            ).fetchone()
            result.rows_read = counts[0] + len(malformed)
            result.rows_loaded = counts[1]
            result.rows_rejected = result.rows_read - result.rows_loaded
            for reason, n in con.execute(
                f"select split_part({reason_col}, ';', 1), count(*) from _checked "
                f"where {reason_col} is not null group by 1"
            ).fetchall():
                result.rejected_by_reason[reason] += n
            if malformed:
                result.rejected_by_reason["malformed_csv_line"] += len(malformed)
            if result.rows_read == 0:
                raise LoadError(f"{path.name} is empty: a header but no data rows")
            con.execute(
                f"insert into {RAW_SCHEMA}.load_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [load_id, kind.name, kind.table, path.name, str(path.resolve()), sha, result.rows_read,
                 result.rows_loaded, result.rows_rejected, result.status, now],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return result


def json_str(value: dict) -> str:
    import json

    return json.dumps(value, default=str)


def match_kind(path: Path) -> SourceKind | None:
    """The kind whose file-name pattern matches, for `load all`."""
    from fnmatch import fnmatch

    for kind in KINDS.values():
        if any(fnmatch(path.name, p) for p in kind.patterns):
            return kind
    return None


def discover(folder: Path) -> list[tuple[SourceKind, Path]]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        kind = match_kind(path)
        if kind is not None:
            found.append((kind, path))
    return found


