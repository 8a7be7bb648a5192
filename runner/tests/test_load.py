"""The importers against a corpus of small broken files: every bad row lands in quarantine with its reason,
every unloadable file is one clear error, and loading is idempotent.

Corpus files are named `<kind>__<case>.<ext>`; each was written by hand from real rows with one fault per bad
row, so the expected reasons below are the design, not a copy of the output.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, run_cli
from nba_props.loaders.core import LoadError, LoadResult, discover, load_file
from nba_props.loaders.registry import KINDS

CORPUS = Path(__file__).parent / "corpus"
ALIASES = PROJECT_DIR / "seeds" / "team_aliases.csv"


def load(warehouse: Path, kind: str, path: Path) -> LoadResult:
    with duckdb.connect(str(warehouse)) as con:
        return load_file(con, kind, path, ALIASES)


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def quarantine(warehouse: Path, file_name: str) -> list[tuple[int, str]]:
    return query(
        warehouse,
        "select row_number, reason from raw.load_quarantine where file_name = ? order by row_number",
        [file_name],
    )


# (kind, corpus file, rows loaded, [(row number, full reason)]) -- row numbers count data rows from 1.
DIRTY_CASES = [
    (
        "player_game_logs",
        "player_game_logs__dirty.csv",
        2,
        [
            (3, "bad_date:game_date"),
            (4, "non_numeric:min"),
            (5, "duplicate_row"),
            (6, "duplicate_key"),
            (7, "unknown_team:team_abbreviation"),
            (8, "missing_value:player_name"),
        ],
    ),
    (
        "playoff_player_boxes",
        "playoff_player_boxes__dirty.csv",
        2,
        [
            (3, "unknown_team:opp_abbreviation"),
            (4, "bad_date:game_date"),
            (5, "duplicate_key"),
            (6, "non_numeric:usg_pct"),
        ],
    ),
    (
        "shots",
        "shots__dirty.csv",
        3,
        [(3, "bad_date:game_date"), (4, "non_numeric:player_id"), (5, "missing_value:basic_zone")],
    ),
    ("shots", "shots__aggregated.csv", 2, [(3, "non_numeric:shot_count")]),
    (
        "schedule",
        "schedule__dirty.csv",
        2,
        [
            (3, "unknown_team:home_team"),
            (4, "bad_date:game_date"),
            (5, "duplicate_row"),
            (6, "duplicate_key"),
            (7, "missing_value:game_date"),
        ],
    ),
    (
        "team_game_logs",
        "team_game_logs__dirty.csv",
        2,
        [(2, "non_numeric:pts_home"), (4, "duplicate_key"), (5, "unknown_team:team_abbreviation_home")],
    ),
    (
        "team_possessions",
        "team_possessions__dirty.csv",
        2,
        [(2, "non_numeric:possessions_home"), (3, "missing_value:game_id")],
    ),
    (
        "injury_status",
        "injury_status__dirty.csv",
        4,
        [
            # git conflict markers pasted into the snapshot as if they were teams
            (3, "unknown_team:team; missing_value:player_name; missing_value:status"),
            (5, "unknown_team:team; missing_value:player_name; missing_value:status"),
            (6, "unknown_team:team; missing_value:player_name; missing_value:status"),
            (7, "bad_timestamp:snapshot_utc"),
            (8, "bad_date:snapshot_date_et"),
            (9, "missing_value:status"),
        ],
    ),
    (
        "injury_moves",
        "injury_moves__dirty.csv",
        3,
        [(3, "unknown_team:team"), (4, "bad_date:date"), (5, "missing_value:team")],
    ),
    (
        "rotowire_props",
        "rotowire_props__dirty.csv",
        5,
        [(5, "non_numeric:line"), (6, "unknown_team:opp"), (7, "bad_timestamp:snapshot_utc")],
    ),
    (
        "oddsapi_props",
        "oddsapi_props__dirty.csv",
        2,
        [
            (3, "bad_timestamp:commence_time"),
            (4, "non_numeric:price_american"),
            (5, "unknown_team:home_team"),
        ],
    ),
    (
        "multibook_props",
        "multibook_props__dirty.csv",
        2,
        [(3, "non_numeric:over_american"), (4, "bad_date:game_date"), (5, "missing_value:player_name_lower")],
    ),
    (
        "closing_game_lines",
        "closing_game_lines__dirty.csv",
        2,
        [(3, "unknown_team:home"), (4, "non_numeric:spread"), (5, "duplicate_key")],
    ),
    ("multibook_game_lines", "multibook_game_lines__dirty.csv", 3, [(3, "non_numeric:line")]),
]


def test_every_kind_has_a_dirty_corpus_file() -> None:
    covered = {kind for kind, *_ in DIRTY_CASES}
    assert covered == set(KINDS), f"kinds without a corpus case: {set(KINDS) - covered}"


@pytest.mark.parametrize(("kind", "file", "loaded", "rejected"), DIRTY_CASES, ids=[c[1] for c in DIRTY_CASES])
def test_bad_rows_go_to_quarantine_with_their_reason(
    warehouse: Path, kind: str, file: str, loaded: int, rejected: list[tuple[int, str]]
) -> None:
    result = load(warehouse, kind, CORPUS / file)

    assert result.status == "loaded"
    assert result.rows_loaded == loaded
    assert result.rows_rejected == len(rejected)
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    assert quarantine(warehouse, file) == rejected
    table = KINDS[kind].table
    # what the result says is what the tables hold: nothing lost, nothing counted twice
    assert query(warehouse, f"select count(*) from raw.{table} where _source_file = ?", [file]) == [(loaded,)]
    log = query(
        warehouse,
        "select rows_read, rows_loaded, rows_rejected, status from raw.load_log where file_name = ?",
        [file],
    )
    assert log == [(loaded + len(rejected), loaded, len(rejected), "loaded")]
    # loaded rows carry their own data-row numbers, so row number + quarantine covers the whole file once
    numbers = {
        n for (n,) in query(warehouse, f"select _row_number from raw.{table} where _source_file = ?", [file])
    }
    assert numbers | {n for n, _ in rejected} == set(range(1, loaded + len(rejected) + 1))


def test_quarantine_keeps_the_record_as_read(warehouse: Path) -> None:
    load(warehouse, "player_game_logs", CORPUS / "player_game_logs__dirty.csv")
    (record,) = query(
        warehouse,
        "select json_extract_string(record, '$.min') from raw.load_quarantine "
        "where reason = 'non_numeric:min'",
    )
    assert record == ("DNP",)


def test_kinds_without_a_key_keep_exact_repeats_for_staging(warehouse: Path) -> None:
    # Rotowire snapshots repeat rows (12,647 duplicate keys in the real file); raw keeps them, staging dedups.
    load(warehouse, "rotowire_props", CORPUS / "rotowire_props__dirty.csv")
    rows = query(
        warehouse,
        "select count(*) from raw.rotowire_prop_snapshots "
        "where player_name = 'Aaron Wiggins' and side = 'Under'",
    )
    assert rows == [(2,)]
    # a price without a line (late-January snapshots) is an empty line, not a bad row
    assert query(
        warehouse, "select line from raw.rotowire_prop_snapshots where player_name = 'Andrew Wiggins'"
    ) == [(None,)]


def test_absent_optional_columns_load_as_null(warehouse: Path) -> None:
    load(warehouse, "shots", CORPUS / "shots__aggregated.csv")
    rows = query(
        warehouse, "select basic_zone, shot_count, shot_distance from raw.shots order by _row_number limit 2"
    )
    assert rows == [("In The Paint (Non-RA)", "3", None), ("Above the Break 3", "2", None)]


def test_playoff_unnamed_index_column_is_row_index(warehouse: Path) -> None:
    load(warehouse, "playoff_player_boxes", CORPUS / "playoff_player_boxes__dirty.csv")
    rows = query(
        warehouse, "select row_index, start_position from raw.playoff_player_boxes order by row_index"
    )
    assert rows == [("0", "G"), ("1", "F")]


# -- malformed CSV -------------------------------------------------------------------------------------------


def test_malformed_lines_are_quarantined_not_dropped(warehouse: Path) -> None:
    result = load(warehouse, "player_game_logs", CORPUS / "player_game_logs__malformed.csv")

    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 2, 2)
    # row_number of a malformed line is its line in the file (line 1 = header)
    assert quarantine(warehouse, "player_game_logs__malformed.csv") == [
        (3, "malformed_csv_line:missing_columns"),
        (5, "malformed_csv_line:too_many_columns"),
    ]
    (raw_line,) = query(
        warehouse,
        "select json_extract_string(record, '$.csv_line') from raw.load_quarantine "
        "where reason = 'malformed_csv_line:missing_columns'",
    )
    assert raw_line == ("22023,1628398,Kyle Kuzma,1610612764,WAS",)
    assert query(warehouse, "select player_name from raw.player_game_logs order by _row_number") == [
        ("Dean Wade",),
        ("Jake LaRavia",),
    ]


def test_unterminated_quote_is_one_quarantined_record(warehouse: Path) -> None:
    result = load(warehouse, "player_game_logs", CORPUS / "player_game_logs__unterminated_quote.csv")

    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (2, 1, 1)
    assert quarantine(warehouse, "player_game_logs__unterminated_quote.csv") == [
        (3, "malformed_csv_line:unquoted_value")
    ]


def test_malformed_lines_of_one_file_are_not_charged_to_the_next(warehouse: Path) -> None:
    # DuckDB keeps CSV rejects per connection; `load all` reuses one connection for every file.
    with duckdb.connect(str(warehouse)) as con:
        load_file(con, "player_game_logs", CORPUS / "player_game_logs__malformed.csv", ALIASES)
        second = load_file(con, "schedule", CORPUS / "schedule__dirty.csv", ALIASES)
    assert "malformed_csv_line:missing_columns" not in second.rejected_by_reason
    assert second.rows_read == 7


# -- files that cannot be loaded at all ----------------------------------------------------------------------

FILE_ERRORS = [
    ("player_game_logs", "player_game_logs__empty.csv", "player_game_logs__empty.csv is empty (0 bytes)"),
    (
        "player_game_logs",
        "player_game_logs__header_only.csv",
        "player_game_logs__header_only.csv is empty: a header but no data rows",
    ),
    (
        "player_game_logs",
        "player_game_logs__blank_lines.csv",
        "player_game_logs__blank_lines.csv is empty: no header row",
    ),
    (
        "player_game_logs",
        "player_game_logs__missing_column.csv",
        "player_game_logs__missing_column.csv does not look like a player_game_logs file: "
        "missing column(s) pts",
    ),
    (
        "player_game_logs",
        "schedule__dirty.csv",
        "schedule__dirty.csv does not look like a player_game_logs file: missing column(s) player_id, "
        "player_name, team_abbreviation, game_id, min, pts",
    ),
    (
        "schedule",
        "player_game_logs__dirty.csv",
        "player_game_logs__dirty.csv does not look like a schedule file: missing column(s) season, "
        "season_type, away_team, home_team",
    ),
    (
        "player_game_logs",
        "player_game_logs__binary.csv",
        "player_game_logs__binary.csv is not a readable CSV file (UnicodeDecodeError)",
    ),
    (
        "player_game_logs",
        "player_game_logs__fake.csv.gz",
        "player_game_logs__fake.csv.gz is not a readable CSV file (BadGzipFile)",
    ),
    ("shots", "shots__no_csv.zip", "shots__no_csv.zip: expected one .csv file in the zip, found 0"),
    ("shots", "shots__two_csv.zip", "shots__two_csv.zip: expected one .csv file in the zip, found 2"),
    ("shots", "shots__not_a_zip.zip", "shots__not_a_zip.zip is not a readable zip file"),
]


@pytest.mark.parametrize(
    ("kind", "file", "message"), FILE_ERRORS, ids=[f"{c[0]}-{c[1]}" for c in FILE_ERRORS]
)
def test_unloadable_file_is_one_clear_error_and_leaves_no_trace(
    warehouse: Path, kind: str, file: str, message: str
) -> None:
    with pytest.raises(LoadError) as caught:
        load(warehouse, kind, CORPUS / file)
    assert str(caught.value) == message
    if (
        warehouse.exists()
        and query(warehouse, "select count(*) from duckdb_tables() where schema_name = 'raw'")[0][0]
    ):
        assert query(warehouse, "select count(*) from raw.load_log") == [(0,)]
        assert query(warehouse, "select count(*) from raw.load_quarantine") == [(0,)]


@pytest.mark.parametrize("kind", sorted(set(KINDS) - {"player_game_logs"}))
def test_every_importer_refuses_a_player_log_file(warehouse: Path, kind: str) -> None:
    with pytest.raises(
        LoadError, match=rf"^player_game_logs__dirty\.csv does not look like a {kind} file: missing"
    ):
        load(warehouse, kind, CORPUS / "player_game_logs__dirty.csv")


def test_zip_with_one_csv_and_a_macos_resource_fork_loads(warehouse: Path) -> None:
    result = load(warehouse, "shots", CORPUS / "shots__dirty.zip")
    assert (result.rows_read, result.rows_loaded) == (6, 3)
    assert quarantine(warehouse, "shots__dirty.zip") == [
        (3, "bad_date:game_date"),
        (4, "non_numeric:player_id"),
        (5, "missing_value:basic_zone"),
    ]


# -- idempotence ---------------------------------------------------------------------------------------------


def test_loading_the_same_file_twice_changes_nothing(warehouse: Path) -> None:
    file = CORPUS / "schedule__dirty.csv"
    first = load(warehouse, "schedule", file)
    raw_before = query(warehouse, "select * from raw.schedule_games order by _row_number")
    quarantine_before = query(warehouse, "select * from raw.load_quarantine order by row_number")

    second = load(warehouse, "schedule", file)

    assert first.status == "loaded"
    assert second.status == "skipped"
    assert (second.rows_read, second.rows_loaded, second.rows_rejected) == (7, 2, 5)
    assert second.rejected_by_reason == first.rejected_by_reason
    assert query(warehouse, "select * from raw.schedule_games order by _row_number") == raw_before
    assert query(warehouse, "select * from raw.load_quarantine order by row_number") == quarantine_before
    assert query(warehouse, "select status from raw.load_log") == [("loaded",)]


def test_a_changed_file_with_the_same_name_replaces_its_rows(warehouse: Path, tmp_path: Path) -> None:
    file = tmp_path / "nba_schedule_games_test.csv"
    original = (CORPUS / "schedule__dirty.csv").read_text()
    file.write_text(original)
    load(warehouse, "schedule", file)

    # the producer fixes the bad date and drops the unknown team
    fixed = original.replace("2023-10-32", "2023-10-31").replace("Seattle SuperSonics", "Sacramento Kings")
    file.write_text(fixed)
    result = load(warehouse, "schedule", file)

    assert result.status == "replaced"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (7, 4, 3)
    assert query(warehouse, "select count(*) from raw.schedule_games") == [(4,)]
    assert [r for _, r in quarantine(warehouse, file.name)] == [
        "duplicate_row",
        "duplicate_key",
        "missing_value:game_date",
    ]
    assert query(warehouse, "select status from raw.load_log order by loaded_at") == [
        ("loaded",),
        ("replaced",),
    ]

    # going back to the first content is a change too, not an "already loaded" skip
    file.write_text(original)
    back = load(warehouse, "schedule", file)
    assert back.status == "replaced"
    assert query(warehouse, "select count(*) from raw.schedule_games") == [(2,)]
    assert len(quarantine(warehouse, file.name)) == 5


def test_same_content_under_another_name_is_skipped(warehouse: Path, tmp_path: Path) -> None:
    load(warehouse, "schedule", CORPUS / "schedule__dirty.csv")
    copy = tmp_path / "schedule_copy.csv"
    shutil.copyfile(CORPUS / "schedule__dirty.csv", copy)

    assert load(warehouse, "schedule", copy).status == "skipped"
    assert query(warehouse, "select count(*) from raw.schedule_games") == [(2,)]


def test_keys_already_loaded_from_another_file_are_quarantined(warehouse: Path, tmp_path: Path) -> None:
    load(warehouse, "team_possessions", CORPUS / "team_possessions__dirty.csv")
    other = tmp_path / "box_score_advanced_again.csv"
    lines = (CORPUS / "team_possessions__dirty.csv").read_text().splitlines()
    other.write_text("\n".join([lines[0], lines[1], lines[1].replace("0022300061", "0022300099")]) + "\n")

    result = load(warehouse, "team_possessions", other)

    assert (result.rows_read, result.rows_loaded) == (2, 1)
    assert quarantine(warehouse, other.name) == [(1, "duplicate_key:already_loaded")]
    assert query(
        warehouse, "select count(*) from raw.team_box_score_advanced where game_id = '0022300061'"
    ) == [(1,)]


def test_a_valid_row_is_kept_when_an_earlier_row_with_its_key_was_bad(
    warehouse: Path, tmp_path: Path
) -> None:
    file = tmp_path / "closing_game_lines_keys.csv"
    lines = (CORPUS / "closing_game_lines__dirty.csv").read_text().splitlines()
    bad_first = lines[1].replace(",4.5,", ",pk,")
    file.write_text("\n".join([lines[0], bad_first, lines[1]]) + "\n")

    result = load(warehouse, "closing_game_lines", file)

    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert quarantine(warehouse, file.name) == [(1, "non_numeric:spread")]


# -- the command ---------------------------------------------------------------------------------------------


def test_cli_load_prints_the_summary_and_a_final_line(warehouse: Path) -> None:
    proc = run_cli(["load", "schedule", str(CORPUS / "schedule__dirty.csv")], warehouse)

    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:6] == ["file", "kind", "status", "read", "loaded", "rejected"]
    row = lines[1].split()
    assert row[:6] == ["schedule__dirty.csv", "schedule", "loaded", "7", "2", "5"]
    for reason in ("unknown_team:home_team 1", "bad_date:game_date 1", "duplicate_row 1", "duplicate_key 1"):
        assert reason in lines[1]
    assert lines[-1] == (
        "1 file(s): 1 loaded, 0 replaced, 0 skipped (unchanged), 0 failed; this run read 7 rows, "
        "loaded 2, rejected 5"
    )


def test_cli_wrong_file_is_one_error_line_and_non_zero_exit(warehouse: Path) -> None:
    proc = run_cli(
        ["load", "player_game_logs", str(CORPUS / "player_game_logs__missing_column.csv")], warehouse
    )

    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: player_game_logs__missing_column.csv does not look like a player_game_logs file: "
        "missing column(s) pts"
    ]


def test_cli_unknown_kind_and_missing_path_are_errors(warehouse: Path) -> None:
    proc = run_cli(["load", "nonsense", str(CORPUS)], warehouse)
    assert proc.returncode != 0
    assert proc.stderr.startswith("error: ") and "nonsense" in proc.stderr
    proc = run_cli(["load", "schedule", str(CORPUS / "no_such_file.csv")], warehouse)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: no such file or folder: {CORPUS / 'no_such_file.csv'}"


def test_cli_load_all_keeps_going_past_a_bad_file_and_exits_1(warehouse: Path, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copyfile(CORPUS / "schedule__dirty.csv", folder / "nba_schedule_games_x.csv")
    shutil.copyfile(CORPUS / "player_game_logs__header_only.csv", folder / "player_logs_2099-00.csv")
    shutil.copyfile(CORPUS / "team_possessions__dirty.csv", folder / "box_score_advanced_x.csv")
    (folder / "notes.csv").write_text("a,b\n1,2\n")
    (folder / "README.md").write_text("docs are not data\n")

    proc = run_cli(["load", "all", str(folder)], warehouse)

    assert proc.returncode == 1
    failed = [line.split()[:3] for line in proc.stdout.splitlines() if line.startswith("player_logs_2099")]
    assert failed == [["player_logs_2099-00.csv", "player_game_logs", "failed"]]
    assert "3 file(s): 2 loaded, 0 replaced, 0 skipped (unchanged), 1 failed" in proc.stdout
    assert proc.stderr.splitlines() == [
        f"note: ignored {folder / 'notes.csv'} (no importer matches its name)",
        "error: player_logs_2099-00.csv is empty: a header but no data rows",
        "error: 1 of 3 file(s) could not be loaded",
    ]
    assert query(warehouse, "select file_name from raw.load_log order by file_name") == [
        ("box_score_advanced_x.csv",),
        ("nba_schedule_games_x.csv",),
    ]

    again = run_cli(["load", "all", str(folder)], warehouse)
    assert again.returncode == 1
    assert "2 skipped (unchanged), 1 failed" in again.stdout
    assert query(warehouse, "select count(*) from raw.load_log") == [(2,)]


def test_discover_matches_real_file_names(tmp_path: Path) -> None:
    names = {
        "player_logs_2023-24.csv.gz": "player_game_logs",
        "playoff_player_box_P24.csv.gz": "playoff_player_boxes",
        "NBA_2024_Shots.csv.zip": "shots",
        "nba_schedule_games_2023-24_to_2025-26.csv.gz": "schedule",
        "team_game_logs_2023-24.csv.gz": "team_game_logs",
        "box_score_advanced_2023-24.csv.gz": "team_possessions",
        "injury_status_snapshots_2024.csv.gz": "injury_status",
        "injury_list_moves_2023-07_to_2025-01.csv.gz": "injury_moves",
        "rotowire_props_snapshots_2024.csv.gz": "rotowire_props",
        "oddsapi_player_props_2024-03_to_05.csv.gz": "oddsapi_props",
        "props_multibook_2025-02_to_05.csv.gz": "multibook_props",
        "closing_game_lines_2023-24_to_2024-25.csv.gz": "closing_game_lines",
        "game_lines_multibook_2025-02_to_05.csv.gz": "multibook_game_lines",
    }
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "README.md").write_text("x")
    (tmp_path / "other.csv").write_text("x")

    found, unclaimed = discover(tmp_path)

    assert {path.name: kind.name for kind, path in found} == names
    assert [p.name for p in unclaimed] == ["other.csv"]


def test_old_warehouse_gains_new_registry_columns(warehouse: Path) -> None:
    # A warehouse created before a column was added to a kind keeps loading (the column is added).
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.load_log (load_id varchar, kind varchar)")
    load(warehouse, "team_possessions", CORPUS / "team_possessions__dirty.csv")
    columns = [
        c
        for (c,) in query(warehouse, "select column_name from duckdb_columns() where table_name = 'load_log'")
    ]
    assert "rows_read" in columns and "rejected_by_reason" in columns
