"""The feature contract: one seed, read by Python and generated into Jinja/YAML for dbt."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from nba_props import contract as fc

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The files the contract module reads and generates, copied so a test may change them."""
    for rel in (fc.CONTRACT_SEED, fc.WEIGHTS_SEED, fc.MACRO_FILE, fc.YAML_FILE):
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_DIR / rel, target)
    return tmp_path


def _rewrite_seed(project: Path, change) -> None:
    path = project / fc.CONTRACT_SEED
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    change(rows)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_contract_reads_the_seed_in_order() -> None:
    contract = fc.load_contract(PROJECT_DIR)
    with (PROJECT_DIR / fc.CONTRACT_SEED).open(newline="") as fh:
        seed_names = [row["feature_name"] for row in csv.DictReader(fh)]
    assert contract.feature_names == tuple(seed_names)
    assert [f.index for f in contract.features] == list(range(len(seed_names)))
    assert contract.version == "v2_37features"
    assert len(contract.contract_hash) == 16


def test_only_the_three_line_features_are_optional() -> None:
    contract = fc.load_contract(PROJECT_DIR)
    assert contract.optional == {"vegas_points_line", "vegas_opening_line", "vegas_line_move"}
    assert contract.optional_indices == (25, 26, 27)
    assert "has_vegas_line" in contract.required_names


def test_defaults_and_ranges_are_consistent() -> None:
    contract = fc.load_contract(PROJECT_DIR)
    for f in contract.features:
        assert f.min_value <= f.fill_value <= f.max_value or f.default_value is None, f.name
    # shot zones and lines have no default: a missing value is `missing`, never a disguised 0
    assert contract.defaults["pct_paint"] is None
    assert contract.defaults["vegas_points_line"] is None
    assert contract.defaults["points_avg_last_5"] == 10.0


def test_fallback_sources_weigh_less_than_the_primary_and_more_than_a_default() -> None:
    """A weaker source lowers the score without passing for the primary one or for a stand-in: every source
    that is neither a contract real source nor an empty history nor a default weighs strictly between."""
    contract = fc.load_contract(PROJECT_DIR)
    weights = {w.source: w for w in contract.source_weights}
    real = {f.real_source for f in contract.features}
    fallbacks = [
        w for w in contract.source_weights if not w.is_default and w.source not in real | {"no_history"}
    ]
    assert {"last_games", "injured_list", "box_score", "carried_shot_profile", "short_window"} <= {
        w.source for w in fallbacks
    }
    for w in fallbacks:
        assert weights["default"].weight < w.weight < weights["calculated"].weight, w.source
        assert w.description, w.source


def test_generated_dbt_files_match_the_seed() -> None:
    stale = fc.stale_files(PROJECT_DIR)
    assert stale == [], f"run `python -m nba_props.contract --write`: stale {stale}"


def test_generated_macro_holds_every_feature_and_the_hash() -> None:
    contract = fc.load_contract(PROJECT_DIR)
    macro = (PROJECT_DIR / fc.MACRO_FILE).read_text()
    for f in contract.features:
        assert f'"name": "{f.name}"' in macro
    assert contract.contract_hash in macro
    yaml_text = (PROJECT_DIR / fc.YAML_FILE).read_text()
    for f in contract.features:
        for suffix in ("", "_source", "_default_reason"):
            assert f"- name: {f.name}{suffix}\n" in yaml_text


def test_hash_changes_with_a_default_and_generation_notices(project_copy: Path) -> None:
    before = fc.load_contract(project_copy)
    assert fc.stale_files(project_copy) == []

    def bump(rows: list[dict[str, str]]) -> None:
        rows[0]["default_value"] = "11.0"

    _rewrite_seed(project_copy, bump)
    after = fc.load_contract(project_copy)
    assert after.contract_hash != before.contract_hash
    assert after.defaults["points_avg_last_5"] == 11.0
    assert fc.stale_files(project_copy) == [project_copy / fc.MACRO_FILE, project_copy / fc.YAML_FILE]
    assert fc.main(["--project-dir", str(project_copy)]) == 1
    assert fc.main(["--project-dir", str(project_copy), "--write"]) == 0
    assert fc.stale_files(project_copy) == []
    assert '"default_value": 11.0' in (project_copy / fc.MACRO_FILE).read_text()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows[1].update(feature_name=rows[0]["feature_name"]), "duplicate feature names"),
        (lambda rows: rows[5].update(is_optional="true"), "may be optional"),
        (lambda rows: rows[0].update(default_value="99"), "outside"),
        (lambda rows: rows[0].update(category="misc"), "category"),
        (lambda rows: rows[3].update(feature_version="v9"), "feature_version"),
        (lambda rows: rows.pop(4), "feature_index must run"),
        (lambda rows: rows[2].update(min_value="abc"), "not a number"),
    ],
)
def test_malformed_contract_is_one_clear_error(project_copy: Path, change, message: str) -> None:
    _rewrite_seed(project_copy, change)
    with pytest.raises(fc.ContractError, match=message):
        fc.load_contract(project_copy)


def test_weights_seed_must_cover_every_source(project_copy: Path) -> None:
    path = project_copy / fc.WEIGHTS_SEED
    lines = [line for line in path.read_text().splitlines() if not line.startswith("no_history,")]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(fc.ContractError, match="no_history"):
        fc.load_contract(project_copy)


def test_predictions_loader_agrees() -> None:
    """The predictions package reads the contract through this module: same names, version and hash."""
    from nba_props.predictions import contract as pc

    theirs = pc.load_contract(PROJECT_DIR)
    ours = fc.load_contract(PROJECT_DIR)
    assert theirs.feature_names == ours.feature_names
    assert theirs.version == ours.version
    assert theirs.contract_hash == ours.contract_hash
    assert theirs.optional == ours.optional
