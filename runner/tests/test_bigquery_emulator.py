"""The project on BigQuery SQL: `dbt parse --target bigquery` without credentials, and `dbt build`
against crucible-emulator (the BigQuery REST API on DuckDB) started on a free port, compared with DuckDB on
the same input.

The raw slice is the latest days of the bundled sample (at most MAX_ROWS rows per raw table: the emulator
inserts loaded rows one by one). What the emulator cannot run is listed in scripts/bigquery_emulator.py.
When the emulator cannot start the tests skip with the reason, except under NBA_PROPS_REQUIRE_EMULATOR=1 (CI),
where that is a failure.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_DIR, SAMPLE_DIR, run_dbt, run_dbt_as_typed, sample_copy_path, target_path_for

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
import bigquery_emulator as bq  # noqa: E402

# one worker of `make test` runs this module, so the emulator starts once and builds once
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bigquery_emulator")]

REQUIRE = os.environ.get("NBA_PROPS_REQUIRE_EMULATOR", "") not in ("", "0")
RAW_DAYS = 10  # days of raw data (history for rolling features)
FEATURE_DAYS = 2  # days the feature store is built for (start_date..end_date)
FEATURE_STORE = "model.nba_props.ml_feature_store_v2"


def dbt_here(args: list[str], target: str, work: Path, env: dict[str, str], dbt_vars: dict | None = None):
    """bq.run_dbt's command in this process (without a new interpreter's imports of dbt and the BigQuery
    client): what it returns has the returncode, stdout and stderr of the command's process."""
    return run_dbt_as_typed(bq.dbt_args(args, target, work, dbt_vars), env)


def unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"{reason} (NBA_PROPS_REQUIRE_EMULATOR is set)")
    pytest.skip(reason)


# --- production BigQuery target: compiles without credentials ---------------------------------------------
def test_parse_bigquery_target_without_credentials(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "CLOUDSDK_", "NBA_PROPS_BQ_"))}
    # No gcloud config, no application-default credentials: a fresh CI machine.
    env.update(
        HOME=str(tmp_path / "home"),
        CLOUDSDK_CONFIG=str(tmp_path / "gcloud"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    proc = dbt_here(["parse"], "bigquery", tmp_path, env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    manifest = json.loads((tmp_path / "target-bigquery" / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "bigquery"
    nodes = manifest["nodes"]
    partitioned = {
        uid: node["config"]
        for uid, node in nodes.items()
        if node["resource_type"] == "model" and node["config"].get("partition_by")
    }
    if FEATURE_STORE in nodes:
        config = nodes[FEATURE_STORE]["config"]
        assert config["partition_by"]["field"] == "game_date"
        assert config["cluster_by"][0] == "player_lookup"
        # Static partitions or dynamic insert_overwrite, never an append that could duplicate a rerun.
        assert config["incremental_strategy"] in ("insert_overwrite", "merge")
    for uid, config in partitioned.items():
        # player- and team-date tables by game_date; a full-history table of snapshots or scrapes by the date
        # it is kept by (its late-row rule's key: a Rotowire line has no game date until it is resolved)
        key = (config.get("meta") or {}).get("history", {}).get("key", "game_date")
        assert config["partition_by"]["field"] == key, uid
        assert config["partition_by"]["data_type"] == "date", uid
        assert config.get("cluster_by"), f"{uid} is partitioned but not clustered"
    history = [uid for uid, n in nodes.items() if (n["config"].get("meta") or {}).get("history")]
    assert "model.nba_props.int_player_games" in history
    for uid in history:
        # a MERGE without key appends (no scripting: the emulator runs it); the post-hook deletes old versions
        assert nodes[uid]["config"]["incremental_strategy"] == "merge", uid
        assert not nodes[uid]["config"].get("unique_key"), uid
        assert "partition_by" in nodes[uid]["config"], uid


# --- the emulator ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory):
    """crucible-emulator on a free port, started once per session."""
    try:
        import google.cloud.bigquery  # noqa: F401
    except ImportError as exc:
        unavailable(f"google-cloud-bigquery is not installed ({exc}); pip install -e '.[dev]'")
    log_dir = tmp_path_factory.mktemp("crucible")
    context = bq.running(log_dir=log_dir)
    try:
        emu = context.__enter__()
    except bq.EmulatorError as exc:
        unavailable(str(exc))
    try:
        yield emu
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def raw_warehouse(sample_raw: Path) -> Path:
    """The session's load of the bundled sample (read only here)."""
    if not any(SAMPLE_DIR.glob("*.csv*")):
        unavailable(f"the bundled sample is missing from {SAMPLE_DIR}")
    return sample_raw


@pytest.fixture(scope="module")
def window(raw_warehouse: Path) -> dict[str, dt.date]:
    end = bq.latest_game_date(raw_warehouse)
    return {
        "raw_start": end - dt.timedelta(days=RAW_DAYS - 1),
        "feature_start": end - dt.timedelta(days=FEATURE_DAYS - 1),
        "end": end,
    }


@pytest.fixture(scope="module")
def dbt_vars(window: dict[str, dt.date]) -> dict[str, str]:
    return {"start_date": str(window["feature_start"]), "end_date": str(window["end"])}


@pytest.fixture(scope="module")
def emulator_build(emulator, raw_warehouse: Path, window, dbt_vars, tmp_path_factory: pytest.TempPathFactory):
    """The raw slice loaded into the emulator and `dbt build --target bigquery_emulator` run once."""
    work = tmp_path_factory.mktemp("bq_build")
    manifest = bq.export_slice(
        raw_warehouse, work / "raw_slice", window["raw_start"], window["end"], bq.MAX_ROWS
    )
    client = bq.bigquery_client(emulator.endpoint)
    loaded = bq.load_slice(client, manifest)
    env = bq.dbt_env(emulator.endpoint)
    # Models, data tests and unit tests on the slice, bounded by the date vars as a day's build is (each unit
    # test sets the date bounds its fixtures need).
    proc = dbt_here(["build", *bq.exclude_args()], "bigquery_emulator", work, env, dbt_vars)
    statuses = bq.node_statuses(work, "bigquery_emulator")
    counts = bq.relation_counts(client, work / "target-bigquery_emulator" / "manifest.json")
    return {
        "work": work,
        "client": client,
        "env": env,
        "proc": proc,
        "manifest": manifest,
        "loaded": loaded,
        "counts": counts,
        "statuses": statuses,
    }


def test_raw_slice_arrives_in_the_emulator(emulator_build) -> None:
    manifest, loaded = emulator_build["manifest"], emulator_build["loaded"]
    assert set(loaded) == set(manifest)
    assert {t: n for t, n in loaded.items()} == {t: info["rows"] for t, info in manifest.items()}
    assert loaded.get("player_game_logs", 0) > 0, "no box scores in the slice"
    # The raw contract: data columns as STRING, load metadata typed.
    table = emulator_build["client"].get_table(f"{bq.DEFAULT_PROJECT}.{bq.RAW_SCHEMA}.player_game_logs")
    types = {f.name: f.field_type for f in table.schema}
    assert types["game_date"] == "STRING"
    assert types["_loaded_at"] == "TIMESTAMP"


def test_dbt_build_on_the_emulator_passes(emulator_build) -> None:
    proc, statuses = emulator_build["proc"], emulator_build["statuses"]
    failed = sorted(uid for uid, status in statuses.items() if status in ("error", "fail", "runtime error"))
    skipped = sorted(uid for uid, status in statuses.items() if status == "skipped")
    assert statuses, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert not failed, f"failed on the emulator: {failed}\n{proc.stdout[-6000:]}"
    assert not skipped, f"skipped on the emulator: {skipped[:20]}"
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert any(uid.startswith("unit_test.") for uid in statuses), "no unit test ran on the emulator"


def test_every_layer_has_rows_on_the_emulator(emulator_build) -> None:
    counts = emulator_build["counts"]
    built = {uid.split(".")[-1]: n for uid, n in counts.items()}
    assert built.get("feature_contract") == 37
    assert built.get("stg_nba_stats__player_game_logs", 0) > 0
    assert any(name.startswith("int_") and n > 0 for name, n in built.items()), built
    if FEATURE_STORE in counts:
        assert counts[FEATURE_STORE] > 0, "the feature store is empty on the emulator"


def test_feature_store_is_partitioned_and_clustered_on_bigquery(emulator_build) -> None:
    manifest = json.loads((emulator_build["work"] / "target-bigquery_emulator" / "manifest.json").read_text())
    node = manifest["nodes"].get(FEATURE_STORE)
    if node is None:
        pytest.skip("ml_feature_store_v2 is not in the project yet")
    table = emulator_build["client"].get_table(f"{node['database']}.{node['schema']}.{node['alias']}")
    assert table.time_partitioning is not None and table.time_partitioning.field == "game_date"
    assert table.clustering_fields and table.clustering_fields[0] == "player_lookup"


def test_feature_store_rerun_on_the_emulator_is_idempotent(emulator_build, dbt_vars) -> None:
    """The incremental path (static-partition insert_overwrite, a plain MERGE) replaces the range exactly."""
    if FEATURE_STORE not in emulator_build["counts"]:
        pytest.skip("ml_feature_store_v2 is not in the project yet")
    work, client = emulator_build["work"], emulator_build["client"]
    manifest = json.loads((work / "target-bigquery_emulator" / "manifest.json").read_text())
    node = manifest["nodes"][FEATURE_STORE]
    table = f"`{node['database']}`.`{node['schema']}`.`{node['alias']}`"
    proc = dbt_here(
        ["run", "--select", "ml_feature_store_v2"], "bigquery_emulator", work, emulator_build["env"], dbt_vars
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    row = next(
        iter(
            client.query(
                "select count(*) as n, "
                f"count(distinct concat(player_lookup, '|', cast(game_date as string))) as k "
                f"from {table}"
            ).result()
        )
    )
    assert row.n == emulator_build["counts"][FEATURE_STORE]
    assert row.k == row.n, "a rerun duplicated (player_lookup, game_date) rows"


def test_emulator_and_duckdb_agree_on_row_counts(
    emulator_build, raw_warehouse: Path, window, dbt_vars
) -> None:
    """The same raw slice built on DuckDB gives every model the same number of rows as on BigQuery SQL."""
    # at the path of the sample copies of this worker, whose dbt parse its later tests then reuse
    wh = sample_copy_path(raw_warehouse.name)
    bq.slice_duckdb(raw_warehouse, wh, window["raw_start"], window["end"], bq.MAX_ROWS)
    # The emulator build's models only: its data tests ran there, only row counts are compared here, and the
    # unit tests (which set their own date bounds) ran on DuckDB in the session's build of the sample.
    run_dbt(
        [
            "build",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            *bq.exclude_args(),
            "--vars",
            json.dumps(dbt_vars),
        ],
        wh,
        write_json=True,
    )
    duck_manifest = json.loads((target_path_for(wh) / "manifest.json").read_text())
    duck_counts: dict[str, int] = {}
    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    try:
        for uid, node in duck_manifest["nodes"].items():
            if (
                node["resource_type"] in ("model", "seed")
                and node["config"].get("materialized") != "ephemeral"
            ):
                sql = f'select count(*) from "{node["schema"]}"."{node["alias"]}"'
                duck_counts[uid] = con.execute(sql).fetchone()[0]
    finally:
        con.close()
    bq_counts = emulator_build["counts"]
    common = sorted(set(bq_counts) & set(duck_counts))
    assert len(common) >= len(duck_counts) - len(bq.EMULATOR_EXCLUDES) - 1, (
        sorted(duck_counts),
        sorted(bq_counts),
    )
    differ = {uid: (duck_counts[uid], bq_counts[uid]) for uid in common if duck_counts[uid] != bq_counts[uid]}
    assert not differ, f"row counts (duckdb, bigquery emulator) differ: {differ}"


def test_emulator_script_cli_reports_a_missing_warehouse(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "scripts" / "bigquery_emulator.py"),
            "build",
            "--warehouse",
            str(tmp_path / "none.duckdb"),
            "--work-dir",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT_DIR,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    shutil.rmtree(tmp_path / "work", ignore_errors=True)


def test_history_models_rebuild_a_changed_day_on_the_emulator(emulator_build, dbt_vars) -> None:
    """The incremental path of the full-history models on BigQuery SQL: a day of box scores loaded again as a
    new file (one more point each) is picked up by the next run, which replaces that day's rows of
    int_player_games (MERGE without key, then the post-hook's DELETE), one row per player and game."""
    work, client, env = emulator_build["work"], emulator_build["client"], emulator_build["env"]
    if "model.nba_props.int_player_games" not in emulator_build["counts"]:
        pytest.skip("int_player_games is not in the project")
    manifest = json.loads((work / "target-bigquery_emulator" / "manifest.json").read_text())
    node = manifest["nodes"]["model.nba_props.int_player_games"]
    games = f"`{node['database']}`.`{node['schema']}`.`{node['alias']}`"
    raw = f"`{bq.DEFAULT_PROJECT}`.`{bq.RAW_SCHEMA}`.`player_game_logs`"
    day = str(
        next(iter(client.query(f"select max(game_date) as d from {games} where not is_dnp").result())).d
    )

    def points() -> dict:
        rows = client.query(
            f"select player_lookup, game_id, points from {games} "
            f"where game_date = date '{day}' and not is_dnp"
        ).result()
        return {(r.player_lookup, r.game_id): r.points for r in rows}

    before = points()
    assert before, f"no played rows on {day} in the emulator slice"
    replaced = {
        "pts": "cast(cast(pts as int64) + 1 as string)",
        "_source_file": "'corrected_day.csv'",
        "_load_id": "'player_game_logs:corrected'",
        "_loaded_at": "current_timestamp()",
    }
    table = client.get_table(f"{bq.DEFAULT_PROJECT}.{bq.RAW_SCHEMA}.player_game_logs")
    names = [field.name for field in table.schema]
    select = ", ".join(f"{replaced.get(name, name)} as {name}" for name in names)
    client.query(
        f"insert into {raw} ({', '.join(names)}) select {select} from {raw} where game_date = '{day}'"
    ).result()
    # int_player_games and what it reads: nothing downstream of it is asserted on here
    proc = dbt_here(["run", "--select", "+int_player_games"], "bigquery_emulator", work, env, dbt_vars)
    assert proc.returncode == 0, proc.stdout[-4000:]
    after = points()
    assert set(after) == set(before)
    assert all(after[k] == before[k] + 1 for k in before), "the corrected day was not rebuilt"
    row = next(
        iter(
            client.query(
                f"select count(*) as n, count(distinct concat(player_lookup, '|', game_id)) as k from {games}"
            ).result()
        )
    )
    assert row.n == row.k == emulator_build["counts"]["model.nba_props.int_player_games"]


# Last in the module: under xdist this worker starts on the emulator while the other builds the sample.
def test_duckdb_target_gets_no_bigquery_storage_config(sample_warehouse: Path) -> None:
    # the manifest of the session's `dbt build` of the sample on the dev (DuckDB) target
    manifest = json.loads((sample_warehouse.parent / "target" / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "duckdb"
    nodes = manifest["nodes"]
    configured = [
        uid for uid, n in nodes.items() if n["config"].get("partition_by") or n["config"].get("cluster_by")
    ]
    assert configured == []
