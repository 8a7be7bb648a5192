"""Reading the monitoring marts, and rebuilding them when the feature store changed after their last build.

The marts hold the logic (thresholds, star classification, drift ranges); this module only decides
whether they are current and reads them. DuckDB only: on BigQuery query the `monitoring` dataset directly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import pandas as pd

from nba_props import dbt
from nba_props.backfill.plan import BUILD_WITHOUT_TESTS, DEFAULT_SELECTION, WITHOUT_UNIT_TESTS
from nba_props.errors import NbaPropsError
from nba_props.settings import Settings
from nba_props.warehouse import connect, table_exists

MONITORING_SCHEMA = "monitoring"
FEATURES_SCHEMA = "features"
STORE = "ml_feature_store_v2"
# The marts validate-daily and report read; a missing one means the monitoring build never ran.
REQUIRED_MARTS = (
    "daily_health_checks",
    "daily_feature_quality",
    "star_players_missing_lines",
    "feature_contract_drift",
    "vegas_line_coverage_daily",
    "daily_feature_sources",
)
SELECTOR = "tag:monitoring"


def require_duckdb(settings: Settings) -> None:
    if not settings.is_duckdb:
        raise NbaPropsError(
            f"this command reads the DuckDB warehouse; with target {settings.target} query the "
            f"{MONITORING_SCHEMA} dataset (daily_health_checks, star_players_missing_lines) directly"
        )


def stale_reason(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the monitoring marts must be rebuilt, or None when they reflect the current feature store."""
    if not table_exists(con, FEATURES_SCHEMA, STORE):
        raise NbaPropsError(
            f"no feature store ({FEATURES_SCHEMA}.{STORE}) in the warehouse: run `nba-props build` "
            "(or `nba-props backfill`) first"
        )
    missing = [m for m in REQUIRED_MARTS if not table_exists(con, MONITORING_SCHEMA, m)]
    if missing:
        return f"monitoring marts not built yet ({', '.join(missing)})"
    store_built, seen_built = con.execute(
        f"select (select max(built_at) from {FEATURES_SCHEMA}.{STORE}), "
        f"(select max(store_built_at) from {MONITORING_SCHEMA}.daily_feature_quality)"
    ).fetchone()
    if store_built is not None and (seen_built is None or store_built > seen_built):
        return f"the feature store was rebuilt at {store_built} after the monitoring marts"
    return None


def refresh(
    settings: Settings,
    force: bool = False,
    as_of: dt.datetime | None = None,
    echo: Any = None,
    skip_tests: bool = False,
) -> bool:
    """Rebuild the monitoring marts when stale or forced (with their data tests unless SKIP_TESTS); returns
    whether a build ran. No connection of ours may be open while dbt writes the file.

    The selection is the marts with everything upstream of them except what build and backfill build (the
    feature store, the gap history and their upstream, which a rebuild here would redo for every date): so
    the marts build on any warehouse that `load` and then `build` or `backfill` left, including the staging
    views only they read (such as stg_injuries__list_moves)."""
    with connect(settings.duckdb_path, read_only=True) as con:
        reason = "requested" if force else stale_reason(con)
    if reason is None:
        return False
    if echo:
        echo(f"rebuilding the monitoring marts: {reason}")
    dbt_vars: dict[str, Any] = {}
    if as_of is not None:
        dbt_vars["as_of"] = as_of.strftime("%Y-%m-%d %H:%M:%S")
    verb = BUILD_WITHOUT_TESTS if skip_tests else ("build", *WITHOUT_UNIT_TESTS)
    run = dbt.invoke(
        settings,
        [*verb, "--select", f"+{SELECTOR}", "--exclude", *DEFAULT_SELECTION],
        dbt_vars=dbt_vars,
        raise_on_failure=False,
    )
    # Only the marts the commands read must build; another failure (e.g. source_freshness when a raw source's
    # staging view is broken) is reported and the validation goes on.
    failed = {r.node.name: r.message for r in run.failures}
    if broken := [m for m in REQUIRED_MARTS if m in failed or not run.success and not run.built(m)]:
        raise NbaPropsError(f"the monitoring marts did not build ({', '.join(broken)}): {_first(failed)}")
    for name, msg in failed.items():
        if echo:
            echo(f"warning: {name} failed: {_first({name: msg})}")
    return True


def _first(failed: dict[str, str | None]) -> str:
    for name, msg in failed.items():
        line = (msg or "").strip().splitlines()
        return f"{name}: {line[-1][:200] if line else 'failed'}"
    return "dbt build failed"


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    try:
        return con.execute(sql, params or []).df()
    except duckdb.Error as exc:
        # Typically marts built by an older version of the project: a rebuild fixes it.
        first = str(exc).strip().splitlines()[0]
        raise NbaPropsError(f"cannot read the monitoring marts ({first}): rerun with --refresh") from exc


def optional_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return table_exists(con, schema, table)
