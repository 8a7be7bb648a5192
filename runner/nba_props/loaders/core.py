"""Load one file of a known kind into its raw table: validate, quarantine bad rows, log, stay idempotent.

Accounting rule: every data record of a file ends up either in its raw table or in raw.load_quarantine with
a reason, so rows_read = rows_loaded + rows_rejected for every load (a CSV line DuckDB cannot parse counts as
one record read and one rejected).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import re
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

import duckdb

from nba_props.errors import NbaPropsError
from nba_props.loaders.registry import KINDS, SourceKind
from nba_props.warehouse import quote_identifier, sql_literal

RAW_SCHEMA = "raw"
META_COLUMNS = ("_source_file", "_file_sha256", "_row_number", "_load_id", "_loaded_at")
# Files `load all` passes over without calling them unrecognised (documentation beside the data).
IGNORED_NAMES = ("README*", "*.md", "*.txt", ".*")

LOAD_LOG_COLUMNS = (
    ("load_id", "varchar"),
    ("kind", "varchar"),
    ("raw_table", "varchar"),
    ("file_name", "varchar"),
    ("file_path", "varchar"),
    ("file_sha256", "varchar"),
    ("rows_read", "bigint"),
    ("rows_loaded", "bigint"),
    ("rows_rejected", "bigint"),
    ("status", "varchar"),
    ("loaded_at", "timestamp"),
    ("rejected_by_reason", "varchar"),  # JSON object: first reason of each rejected row -> count
    ("duration_seconds", "double"),
)
QUARANTINE_COLUMNS = (
    ("load_id", "varchar"),
    ("kind", "varchar"),
    ("file_name", "varchar"),
    ("row_number", "bigint"),
    ("reason", "varchar"),
    ("record", "varchar"),
    ("quarantined_at", "timestamp"),
)


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
    status: str = (
        "loaded"  # loaded | skipped (this content is already current) | replaced (same name, new content)
    )
    rejected_by_reason: Counter = field(default_factory=Counter)
    seconds: float = 0.0


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
    """Create every raw table (empty) so staging models always have their sources, loaded or not.

    Columns added to the registry later are added to existing tables too, so an old warehouse keeps loading.
    """
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    meta = (
        ("_source_file", "varchar"),
        ("_file_sha256", "varchar"),
        ("_row_number", "bigint"),
        ("_load_id", "varchar"),
        ("_loaded_at", "timestamp"),
    )
    tables = {kind.table: (*((c, "varchar") for c in kind.columns), *meta) for kind in KINDS.values()}
    tables["load_log"] = LOAD_LOG_COLUMNS
    tables["load_quarantine"] = QUARANTINE_COLUMNS
    existing = {
        (t, c)
        for t, c in con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where schema_name = ? and database_name = current_database()",
            [RAW_SCHEMA],
        ).fetchall()
    }
    existing_tables = {t for t, _ in existing}
    for table, columns in tables.items():
        if table not in existing_tables:
            cols = ", ".join(f'"{c}" {t}' for c, t in columns)
            con.execute(f"create table if not exists {RAW_SCHEMA}.{table} ({cols})")
            continue
        for column, col_type in columns:
            if (table, column) not in existing:
                con.execute(
                    f'alter table {RAW_SCHEMA}.{table} add column if not exists "{column}" {col_type}'
                )


def _csv_source(path: Path, kind: SourceKind, workdir: Path) -> Path:
    """A plain or gzip CSV as is; from a zip, its one data member (macOS resource forks ignored)."""
    if path.suffix.lower() != ".zip":
        return path
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise LoadError(f"{path.name} is not a readable zip file") from exc
    with archive:
        members = [
            m
            for m in archive.namelist()
            if m.lower().endswith(kind.zip_member_suffix)
            and not m.startswith("__MACOSX")
            and "/._" not in m
            and not Path(m).name.startswith("._")
        ]
        if len(members) != 1:
            raise LoadError(
                f"{path.name}: expected one {kind.zip_member_suffix} file in the zip, found {len(members)}"
            )
        target = workdir / Path(members[0]).name
        with archive.open(members[0]) as src, target.open("wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    return target


def _read_header(path: Path, shown_name: str) -> list[str]:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError, EOFError, csv.Error) as exc:
        raise LoadError(f"{shown_name} is not a readable CSV file ({exc.__class__.__name__})") from exc
    if not header or all(not h.strip() for h in header):
        raise LoadError(f"{shown_name} is empty: no header row")
    return header


def _strptime_any(column: str, formats: list[str]) -> str:
    fmts = ", ".join(f"try_strptime(trim({column}), {sql_literal(f)})" for f in formats)
    return f"coalesce({fmts})" if len(formats) > 1 else fmts


def _reason_checks(kind: SourceKind, present: set[str]) -> list[tuple[str, str]]:
    """(condition that makes a row bad, reason) pairs, in the order reasons are reported.

    An unknown team comes first: rows that name no team (e.g. git conflict markers pasted into a snapshot) are
    not data rows at all, and their empty other cells are a consequence, not the cause.
    """
    checks: list[tuple[str, str]] = []
    for col in kind.teams:
        if col in present:
            checks.append(
                (
                    f"nullif(trim(\"{col}\"), '') is not null and lower(trim(ltrim(trim(\"{col}\"), '@'))) "
                    "not in (select alias from _team_aliases)",
                    f"unknown_team:{col}",
                )
            )
    for col, formats in kind.dates.items():
        if col in present:
            quoted = f'"{col}"'
            checks.append(
                (
                    f"nullif(trim({quoted}), '') is not null and {_strptime_any(quoted, formats)} is null",
                    f"bad_date:{col}",
                )
            )
    for col in kind.timestamps:
        if col in present:
            checks.append(
                (
                    f"nullif(trim(\"{col}\"), '') is not null "
                    f'and try_cast(trim("{col}") as timestamptz) is null',
                    f"bad_timestamp:{col}",
                )
            )
    for col in kind.numbers:
        if col in present:
            checks.append(
                (
                    f'nullif(trim("{col}"), \'\') is not null and try_cast(trim("{col}") as double) is null',
                    f"non_numeric:{col}",
                )
            )
    for col in kind.not_null:
        checks.append((f"nullif(trim(\"{col}\"), '') is null", f"missing_value:{col}"))
    return checks


def _current_load(con: duckdb.DuckDBPyConnection, kind: SourceKind, sha: str) -> tuple | None:
    """The log row of a file whose current content (its latest load) is exactly this checksum, if any.

    Matching the checksum anywhere in the log would be wrong: after a file is replaced by new content, loading
    the old content again must replace it back, not be skipped.
    """
    return con.execute(
        f"""select rows_read, rows_loaded, rows_rejected, rejected_by_reason from (
                select *,
                    row_number() over (
                        partition by file_name order by loaded_at desc, load_id desc
                    ) as recency
                from {RAW_SCHEMA}.load_log
                where kind = ? and status in ('loaded', 'replaced')
            ) where recency = 1 and file_sha256 = ? limit 1""",
        [kind.name, sha],
    ).fetchone()


def load_file(con: duckdb.DuckDBPyConnection, kind_name: str, path: Path, team_aliases: Path) -> LoadResult:
    """Load one file; raises LoadError for a file that cannot be this kind, quarantines bad rows."""
    kind = KINDS.get(kind_name)
    if kind is None:
        raise LoadError(f"unknown kind {kind_name!r}; choose one of: {', '.join(sorted(KINDS))}")
    if not path.is_file():
        raise LoadError(f"no such file: {path}")
    if path.stat().st_size == 0:
        raise LoadError(f"{path.name} is empty (0 bytes)")
    started = time.perf_counter()
    try:
        result = _load(con, kind, path, team_aliases)
    except duckdb.Error as exc:
        # Anything DuckDB refuses that the checks did not foresee is still this file's failure, not a crash.
        raise LoadError(
            f"{path.name} could not be loaded as {kind.name}: {str(exc).splitlines()[0]}"
        ) from exc
    result.seconds = time.perf_counter() - started
    return result


def _load(con: duckdb.DuckDBPyConnection, kind: SourceKind, path: Path, team_aliases: Path) -> LoadResult:
    ensure_raw_schema(con)
    sha = file_sha256(path)
    result = LoadResult(kind=kind.name, file=path.name, sha256=sha)
    started = time.perf_counter()

    if current := _current_load(con, kind, sha):
        result.status = "skipped"
        result.rows_read, result.rows_loaded, result.rows_rejected = current[:3]
        result.rejected_by_reason.update(json.loads(current[3] or "{}"))
        return result

    with tempfile.TemporaryDirectory(prefix="nba-props-load-") as tmp:
        source = _csv_source(path, kind, Path(tmp))
        header = _read_header(source, path.name)
        # Our own positional names for the CSV reader: blank or repeated header cells cannot collide, and the
        # sniffer (which gives up on a file with one unterminated quote) never runs.
        positional = [f"c{i}" for i in range(len(header))]
        mapping: dict[str, str] = {}
        for original, pos in zip(header, positional, strict=True):
            mapping.setdefault(normalise_column(original), pos)
        missing = [c for c in kind.required if c not in mapping]
        if missing:
            raise LoadError(
                f"{path.name} does not look like a {kind.name} file: missing column(s) {', '.join(missing)}"
            )
        present = set(mapping) & set(kind.columns)
        select_cols = ", ".join(
            f"{mapping[c]} as {quote_identifier(c)}"
            if c in present
            else f"null::varchar as {quote_identifier(c)}"
            for c in kind.columns
        )
        column_types = "{" + ", ".join(f"'{p}': 'varchar'" for p in positional) + "}"
        load_id = f"{kind.name}:{sha[:12]}:{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}"
        for table in ("_incoming", "_checked", "_team_aliases", "_csv_rejects", "_csv_reject_scans"):
            con.execute(f"drop table if exists {table}")
        try:
            con.execute(
                f"""create temp table _incoming as
                    select row_number() over () as _row_number, {select_cols}
                    from read_csv({sql_literal(str(source))}, columns = {column_types}, header = true,
                                  auto_detect = false, delim = ',', quote = '"', escape = '"',
                                  strict_mode = true, store_rejects = true,
                                  rejects_table = '_csv_rejects', rejects_scan = '_csv_reject_scans')"""
            )
        except duckdb.Error as exc:
            raise LoadError(f"{path.name} could not be parsed as CSV: {str(exc).splitlines()[0]}") from exc
        # One quarantine row per unparseable line (a line can carry several errors; the first names it).
        malformed = con.execute(
            """select line, min(error_type), min(coalesce(error_message, '')), min(csv_line)
               from _csv_rejects group by line order by line"""
        ).fetchall()

        con.execute(
            "create temp table _team_aliases as select distinct lower(trim(alias)) as alias "
            f"from read_csv({sql_literal(str(team_aliases))}, all_varchar = true)"
        )
        checks = _reason_checks(kind, present)
        reason_expr = (
            "concat_ws('; ', "
            + ", ".join(f"case when {cond} then {sql_literal(r)} end" for cond, r in checks)
            + ")"
            if checks
            else "''"
        )
        con.execute(
            f"create temp table _checked as select *, nullif({reason_expr}, '') as _reason from _incoming"
        )
        if kind.key:
            _mark_duplicates(con, kind, path.name)

        counts = con.execute(
            "select count(*), count(*) filter (where _reason is null) from _checked"
        ).fetchone()
        result.rows_read = counts[0] + len(malformed)
        result.rows_loaded = counts[1]
        result.rows_rejected = result.rows_read - result.rows_loaded
        if result.rows_read == 0:
            raise LoadError(f"{path.name} is empty: a header but no data rows")
        for reason, n in con.execute(
            "select split_part(_reason, ';', 1), count(*) from _checked where _reason is not null group by 1"
        ).fetchall():
            result.rejected_by_reason[reason] += n
        for _line, error_type, _message, _raw in malformed:
            result.rejected_by_reason[_malformed_reason(error_type)] += 1

        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        replaced = (
            con.execute(
                f"select count(*) from {RAW_SCHEMA}.{kind.table} where _source_file = ?", [path.name]
            ).fetchone()[0]
            or con.execute(
                f"select count(*) from {RAW_SCHEMA}.load_log where kind = ? and file_name = ?",
                [kind.name, path.name],
            ).fetchone()[0]
        )
        con.execute("begin transaction")
        try:
            if replaced:
                con.execute(f"delete from {RAW_SCHEMA}.{kind.table} where _source_file = ?", [path.name])
                con.execute(
                    f"delete from {RAW_SCHEMA}.load_quarantine where kind = ? and file_name = ?",
                    [kind.name, path.name],
                )
                result.status = "replaced"
            cols = ", ".join(quote_identifier(c) for c in kind.columns)
            con.execute(
                f"""insert into {RAW_SCHEMA}.{kind.table} ({cols}, {", ".join(META_COLUMNS)})
                    select {cols}, ?, ?, _row_number, ?, ? from _checked where _reason is null""",
                [path.name, sha, load_id, now],
            )
            record = (
                "to_json(struct_pack("
                + ", ".join(f"{quote_identifier(c)} := {quote_identifier(c)}" for c in kind.columns)
                + "))"
            )
            con.execute(
                f"""insert into {RAW_SCHEMA}.load_quarantine
                    ({", ".join(c for c, _ in QUARANTINE_COLUMNS)})
                    select ?, ?, ?, _row_number, _reason, {record}::varchar, ?
                    from _checked where _reason is not null order by _row_number""",
                [load_id, kind.name, path.name, now],
            )
            if malformed:
                con.executemany(
                    f"""insert into {RAW_SCHEMA}.load_quarantine
                        ({", ".join(c for c, _ in QUARANTINE_COLUMNS)}) values (?, ?, ?, ?, ?, ?, ?)""",
                    [
                        [
                            load_id,
                            kind.name,
                            path.name,
                            line,
                            _malformed_reason(error_type),
                            json.dumps({"file_line": line, "error": message, "csv_line": raw}),
                            now,
                        ]
                        for line, error_type, message, raw in malformed
                    ],
                )
            result.seconds = time.perf_counter() - started
            con.execute(
                f"""insert into {RAW_SCHEMA}.load_log ({", ".join(c for c, _ in LOAD_LOG_COLUMNS)})
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    load_id,
                    kind.name,
                    kind.table,
                    path.name,
                    str(path.resolve()),
                    sha,
                    result.rows_read,
                    result.rows_loaded,
                    result.rows_rejected,
                    result.status,
                    now,
                    json.dumps(dict(result.rejected_by_reason.most_common())),
                    result.seconds,
                ],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            for table in ("_incoming", "_checked", "_team_aliases", "_csv_rejects", "_csv_reject_scans"):
                con.execute(f"drop table if exists {table}")
    return result


def _malformed_reason(error_type: str) -> str:
    """DuckDB's CSV error type as a reason code: `MISSING COLUMNS` -> malformed_csv_line:missing_columns."""
    return "malformed_csv_line:" + re.sub(r"[^a-z0-9]+", "_", (error_type or "unknown").lower()).strip("_")


def _mark_duplicates(con: duckdb.DuckDBPyConnection, kind: SourceKind, file_name: str) -> None:
    """Among rows that passed every rule, keep the first of each key; later ones go to quarantine.

    duplicate_row = an exact copy of an earlier row; duplicate_key = same key, other values (a conflict the
    source must answer for, so neither is silently preferred beyond file order). A key already loaded from a
    different file is duplicate_key:already_loaded (e.g. the same season exported twice under two names).
    """
    key_cols = ", ".join(quote_identifier(c) for c in kind.key)
    all_cols = ", ".join(quote_identifier(c) for c in kind.columns)
    con.execute(
        f"""update _checked c set _reason = d.reason
            from (
                select _row_number,
                    case
                        when row_number() over (partition by {all_cols} order by _row_number) > 1
                            then 'duplicate_row'
                        when row_number() over (partition by {key_cols} order by _row_number) > 1
                            then 'duplicate_key'
                    end as reason
                from _checked where _reason is null
            ) d
            where c._row_number = d._row_number and d.reason is not null"""
    )
    key_join = " and ".join(
        f"r.{quote_identifier(c)} is not distinct from c.{quote_identifier(c)}" for c in kind.key
    )
    con.execute(
        f"""update _checked c set _reason = 'duplicate_key:already_loaded'
            where _reason is null and exists (
                select 1 from {RAW_SCHEMA}.{kind.table} r
                where {key_join} and r._source_file <> {sql_literal(file_name)})"""
    )


def match_kind(path: Path) -> SourceKind | None:
    """The kind whose file-name pattern matches, for `load all`."""
    for kind in KINDS.values():
        if any(fnmatch(path.name, p) for p in kind.patterns):
            return kind
    return None


def discover(folder: Path) -> tuple[list[tuple[SourceKind, Path]], list[Path]]:
    """(kind, file) for every recognised file below FOLDER, and the files no importer claims."""
    found: list[tuple[SourceKind, Path]] = []
    unclaimed: list[Path] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        kind = match_kind(path)
        if kind is not None:
            found.append((kind, path))
        elif not any(fnmatch(path.name, p) for p in IGNORED_NAMES):
            unclaimed.append(path)
    return found, unclaimed
