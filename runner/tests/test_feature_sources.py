"""monitoring.daily_feature_sources on the built sample: its counts equal a count of the store's own source
columns, and every role follows from the seeds alone (primary = the contract's real_source, default =
is_default, fallback = weighted below the primary, alternate = the rest)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR

pytestmark = pytest.mark.slow


def _seed(name: str) -> list[dict[str, str]]:
    with (PROJECT_DIR / "seeds" / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _role(source: str, primary: str, weights: dict[str, tuple[float, bool]]) -> str:
    if source not in weights:
        return "unknown"
    if source == primary:
        return "primary"
    weight, is_default = weights[source]
    if is_default:
        return "default"
    return "fallback" if weight < weights[primary][0] else "alternate"


def test_sources_per_date_and_feature_match_the_store_and_the_seeds(sample_warehouse: Path):
    contract = _seed("feature_contract.csv")
    weights = {
        w["source"]: (float(w["weight"]), w["is_default"] == "true")
        for w in _seed("feature_source_weights.csv")
    }
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        counted = " union all ".join(
            f"select game_date, '{f['feature_name']}' as feature_name, {f['feature_name']}_source as source, "
            f"count(*) as n from features.ml_feature_store_v2 group by game_date, {f['feature_name']}_source"
            for f in contract
        )
        expected = {(d, f, s): n for d, f, s, n in con.execute(counted).fetchall()}
        mart = con.execute(
            "select game_date, feature_name, feature_source, source_rows, source_role, is_fallback_source, "
            "source_weight from monitoring.daily_feature_sources"
        ).fetchall()
    finally:
        con.close()
    assert {(d, f, s): n for d, f, s, n, *_ in mart} == expected
    primary = {f["feature_name"]: f["real_source"] for f in contract}
    roles = set()
    for _, feature, source, _, role, is_fallback, weight in mart:
        assert role == _role(source, primary[feature], weights), (feature, source)
        assert is_fallback == (role == "fallback")
        assert weight == weights[source][0]
        roles.add(role)
    # the sample exercises the roles that decide the warning: primary sources, defaults, and a fallback
    assert {"primary", "default", "fallback"} <= roles
