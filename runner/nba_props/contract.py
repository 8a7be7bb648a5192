"""The feature contract (`seeds/feature_contract.csv`): the one hand-edited source of the 37 features.

Why a CSV seed plus generated Jinja: dbt cannot read a file while it parses, and an enforced model contract
needs every column written in YAML anyway. So the seed stays the only file a person edits; this module reads
it for the runner (names in order, optional set, defaults, version, hash) and *generates* the two things dbt
needs at parse time from it: the macro `feature_contract()` (in
macros/features/contract/feature_contract_data.sql) and the per-feature column block of
models/marts/features/_features__models.yml. A pytest fails when the generated files drift from the seed;
`python -m nba_props.contract --write` regenerates them.
The source weights of the quality score (`seeds/feature_source_weights.csv`) are embedded the same way.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from nba_props.errors import NbaPropsError

CONTRACT_SEED = Path("seeds") / "feature_contract.csv"
WEIGHTS_SEED = Path("seeds") / "feature_source_weights.csv"
MACRO_FILE = Path("macros") / "features" / "contract" / "feature_contract_data.sql"
YAML_FILE = Path("models") / "marts" / "features" / "_features__models.yml"
YAML_BEGIN = "# >>> generated from seeds/feature_contract.csv by `python -m nba_props.contract --write`"
YAML_END = "# <<< end of generated feature columns"

CATEGORIES = ("player_history", "matchup", "game_context", "team_context", "vegas")
UPSTREAM_KEYS = ("player", "team", "opponent")
REAL_SOURCES = ("player_daily_cache", "calculated", "vegas", "opponent_history")
# Only the line features may be optional (the reference system's lesson: anything else blocks predictions).
OPTIONAL_ALLOWED = frozenset({"vegas_points_line", "vegas_opening_line", "vegas_line_move"})


class ContractError(NbaPropsError):
    """The contract seed is malformed or the generated files disagree with it."""


@dataclass(frozen=True)
class Feature:
    index: int
    name: str
    category: str
    group: str
    upstream_model: str
    upstream_key: str
    fallback_model: str | None
    real_source: str
    default_value: float | None
    is_optional: bool
    min_value: float
    max_value: float
    is_range_critical: bool
    no_history_reasons: tuple[str, ...]
    reason_codes: tuple[str, ...]
    description: str

    @property
    def fill_value(self) -> float:
        """The `features` array element when the value column is NULL (BigQuery arrays cannot hold NULL)."""
        return self.default_value if self.default_value is not None else 0.0


@dataclass(frozen=True)
class SourceWeight:
    source: str
    weight: float
    is_default: bool
    description: str


@dataclass(frozen=True)
class Contract:
    version: str
    features: tuple[Feature, ...]
    source_weights: tuple[SourceWeight, ...]
    contract_hash: str

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    @property
    def optional(self) -> frozenset[str]:
        return frozenset(f.name for f in self.features if f.is_optional)

    @property
    def optional_indices(self) -> tuple[int, ...]:
        return tuple(f.index for f in self.features if f.is_optional)

    @property
    def required_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features if not f.is_optional)

    @property
    def defaults(self) -> dict[str, float | None]:
        return {f.name: f.default_value for f in self.features}

    @property
    def default_sources(self) -> tuple[str, ...]:
        return tuple(w.source for w in self.source_weights if w.is_default)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(w.source for w in self.source_weights)

    def by_category(self, category: str) -> tuple[Feature, ...]:
        return tuple(f for f in self.features if f.category == category)

    def feature(self, name: str) -> Feature:
        for f in self.features:
            if f.name == name:
                return f
        raise ContractError(f"no feature named {name!r} in contract {self.version}")


def default_project_dir() -> Path:
    from nba_props.settings import find_project_dir

    return find_project_dir()


def load_contract(project_dir: Path | None = None) -> Contract:
    """Read and validate the contract seed (and the source weights) of the project."""
    project_dir = Path(project_dir) if project_dir else default_project_dir()
    raw_rows = _read_csv(project_dir / CONTRACT_SEED)
    features = tuple(_parse_feature(row, n) for n, row in enumerate(raw_rows, start=2))
    weights = tuple(
        _parse_weight(row, n) for n, row in enumerate(_read_csv(project_dir / WEIGHTS_SEED), start=2)
    )
    versions = {row["feature_version"].strip() for row in raw_rows}
    if len(versions) != 1:
        raise ContractError(
            f"{CONTRACT_SEED}: feature_version must be one value on every row, found {sorted(versions)}"
        )
    contract = Contract(versions.pop(), features, weights, contract_hash(raw_rows))
    _validate(contract)
    return contract


def contract_hash(raw_rows: list[dict[str, str]]) -> str:
    """First 16 hex digits of SHA-256 over the seed's rows (every column, whitespace-trimmed, row order kept):
    any change to a name, order, default, range or version changes it."""
    canonical = json.dumps(
        [{k: (v or "").strip() for k, v in row.items()} for row in raw_rows], sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ContractError(f"feature contract file not found: {path}")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _bool(value: str, where: str) -> bool:
    text = (value or "").strip().lower()
    if text not in {"true", "false"}:
        raise ContractError(f"{where}: expected true or false, got {value!r}")
    return text == "true"


def _float(value: str, where: str, allow_empty: bool = False) -> float | None:
    text = (value or "").strip()
    if not text:
        if allow_empty:
            return None
        raise ContractError(f"{where}: a number is required")
    try:
        return float(text)
    except ValueError as exc:
        raise ContractError(f"{where}: {value!r} is not a number") from exc


def _codes(value: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in (value or "").split("|") if code.strip())


def _parse_feature(row: dict[str, str], line: int) -> Feature:
    where = f"{CONTRACT_SEED} line {line}"
    try:
        index = int(row["feature_index"])
        return Feature(
            index=index,
            name=row["feature_name"].strip(),
            category=row["category"].strip(),
            group=row["feature_group"].strip(),
            upstream_model=row["upstream_model"].strip(),
            upstream_key=row["upstream_key"].strip(),
            fallback_model=row["fallback_model"].strip() or None,
            real_source=row["real_source"].strip(),
            default_value=_float(row["default_value"], f"{where} default_value", allow_empty=True),
            is_optional=_bool(row["is_optional"], f"{where} is_optional"),
            min_value=_float(row["min_value"], f"{where} min_value"),  # type: ignore[arg-type]
            max_value=_float(row["max_value"], f"{where} max_value"),  # type: ignore[arg-type]
            is_range_critical=_bool(row["is_range_critical"], f"{where} is_range_critical"),
            no_history_reasons=_codes(row["no_history_reasons"]),
            reason_codes=_codes(row["reason_codes"]),
            description=row["description"].strip(),
        )
    except KeyError as exc:
        raise ContractError(f"{CONTRACT_SEED}: missing column {exc}") from exc
    except ValueError as exc:
        raise ContractError(f"{where}: feature_index is not an integer") from exc


def _parse_weight(row: dict[str, str], line: int) -> SourceWeight:
    where = f"{WEIGHTS_SEED} line {line}"
    return SourceWeight(
        source=row["source"].strip(),
        weight=_float(row["weight"], f"{where} weight"),  # type: ignore[arg-type]
        is_default=_bool(row["is_default"], f"{where} is_default"),
        description=row["description"].strip(),
    )


def _validate(contract: Contract) -> None:
    names = contract.feature_names
    if [f.index for f in contract.features] != list(range(len(names))):
        raise ContractError(f"{CONTRACT_SEED}: feature_index must run 0..{len(names) - 1} in file order")
    if len(set(names)) != len(names):
        raise ContractError(f"{CONTRACT_SEED}: duplicate feature names")
    for f in contract.features:
        where = f"{CONTRACT_SEED} feature {f.index} ({f.name})"
        if not f.name.isidentifier() or f.name.lower() != f.name:
            raise ContractError(f"{where}: names must be lowercase identifiers (they become column names)")
        if f.category not in CATEGORIES:
            raise ContractError(f"{where}: category {f.category!r} is not one of {CATEGORIES}")
        if f.upstream_key not in UPSTREAM_KEYS:
            raise ContractError(f"{where}: upstream_key {f.upstream_key!r} is not one of {UPSTREAM_KEYS}")
        if f.real_source not in REAL_SOURCES:
            raise ContractError(f"{where}: real_source {f.real_source!r} is not one of {REAL_SOURCES}")
        if f.min_value > f.max_value:
            raise ContractError(f"{where}: min_value > max_value")
        if f.default_value is not None and not f.min_value <= f.default_value <= f.max_value:
            raise ContractError(f"{where}: default {f.default_value} outside [{f.min_value}, {f.max_value}]")
        if f.is_optional and f.name not in OPTIONAL_ALLOWED:
            raise ContractError(f"{where}: only {sorted(OPTIONAL_ALLOWED)} may be optional")
    sources = contract.sources
    if len(set(sources)) != len(sources):
        raise ContractError(f"{WEIGHTS_SEED}: duplicate sources")
    needed = {*REAL_SOURCES, "last_games", "no_history", "default", "missing"}
    if missing := needed - set(sources):
        raise ContractError(f"{WEIGHTS_SEED}: no weight for sources {sorted(missing)}")
    if {"default", "missing"} - set(contract.default_sources):
        raise ContractError(f"{WEIGHTS_SEED}: default and missing must be marked is_default")


# --- generation of the dbt side -------------------------------------------------------------------------


def _jinja_literal(value: object) -> str:
    # JSON literals are valid Jinja except for true/false/null.
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_jinja_literal(v) for v in value) + "]"
    return json.dumps(value)


def render_macro(contract: Contract) -> str:
    """The Jinja macros that give dbt the contract at parse time (generated; do not edit by hand)."""
    lines = [
        "{#- GENERATED from seeds/feature_contract.csv and seeds/feature_source_weights.csv by",
        "    `python -m nba_props.contract --write`. Do not edit: edit the seeds and regenerate",
        "    (runner/tests/test_feature_store_contract.py fails while this file is stale). -#}",
        "",
        "{% macro feature_contract() -%}",
        "{{ return([",
    ]
    for f in contract.features:
        fields = {
            "index": f.index,
            "name": f.name,
            "category": f.category,
            "group": f.group,
            "upstream_model": f.upstream_model,
            "upstream_key": f.upstream_key,
            "fallback_model": f.fallback_model,
            "real_source": f.real_source,
            "default_value": f.default_value,
            "fill_value": f.fill_value,
            "is_optional": f.is_optional,
            "min_value": f.min_value,
            "max_value": f.max_value,
            "is_range_critical": f.is_range_critical,
            "no_history_reasons": list(f.no_history_reasons),
        }
        body = ", ".join(f"{json.dumps(k)}: {_jinja_literal(v)}" for k, v in fields.items())
        lines.append(f"    {{{body}}},")
    lines += ["]) }}", "{%- endmacro %}", ""]
    lines += [
        "{% macro feature_contract_version() -%}",
        f"{{{{ return({json.dumps(contract.version)}) }}}}",
        "{%- endmacro %}",
        "",
        "{% macro feature_contract_hash() -%}",
        f"{{{{ return({json.dumps(contract.contract_hash)}) }}}}",
        "{%- endmacro %}",
        "",
        "{% macro feature_source_weights() -%}",
        "{{ return([",
    ]
    for w in contract.source_weights:
        lines.append(
            f'    {{"source": {json.dumps(w.source)}, "weight": {_jinja_literal(w.weight)}, '
            f'"is_default": {_jinja_literal(w.is_default)}}},'
        )
    lines += ["]) }}", "{%- endmacro %}", ""]
    return "\n".join(lines)


FLOAT_TYPE = "\"{{ 'float64' if target.type == 'bigquery' else 'double' }}\""


def render_yaml_block(contract: Contract, indent: int = 6) -> str:
    """The three columns per feature of ml_feature_store_v2 for its YAML (generated)."""
    pad = " " * indent
    sources = ", ".join(contract.sources)
    out = [pad + YAML_BEGIN]
    for f in contract.features:
        rng = f"[{_num(f.min_value)}, {_num(f.max_value)}]"
        default = (
            "no default (source missing)" if f.default_value is None else f"default {_num(f.default_value)}"
        )
        optional = " Optional (excluded from required_default_count)." if f.is_optional else ""
        desc = f"Feature {f.index} ({f.category}): {f.description}. Range {rng}; {default}.{optional}"
        out += [
            f"{pad}- name: {f.name}",
            f"{pad}  description: {json.dumps(desc)}",
            f"{pad}  data_type: {FLOAT_TYPE}",
            f"{pad}- name: {f.name}_source",
            f"{pad}  description: {json.dumps(f'Where feature {f.index} came from: one of {sources}.')}",
            f"{pad}  data_type: string",
            f"{pad}  constraints: [{{type: not_null}}]",
            f"{pad}- name: {f.name}_default_reason",
            f"{pad}  description: "
            + json.dumps(
                f"Why feature {f.index} is a default; set iff {f.name}_source is default or missing."
            ),
            f"{pad}  data_type: string",
        ]
    out.append(pad + YAML_END)
    return "\n".join(out)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def splice_yaml(text: str, block: str) -> str:
    """Replace the generated block between the markers of the YAML file (the rest is hand-written)."""
    begin, end = text.find(YAML_BEGIN), text.find(YAML_END)
    if begin < 0 or end < 0 or end < begin:
        raise ContractError(f"{YAML_FILE}: generated-block markers not found")
    line_start = text.rfind("\n", 0, begin) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return text[:line_start] + block + text[line_end:]


def generated_files(project_dir: Path) -> dict[Path, str]:
    contract = load_contract(project_dir)
    yaml_path = project_dir / YAML_FILE
    return {
        project_dir / MACRO_FILE: render_macro(contract),
        yaml_path: splice_yaml(yaml_path.read_text(encoding="utf-8"), render_yaml_block(contract)),
    }


def stale_files(project_dir: Path) -> list[Path]:
    """Generated files whose content differs from what the seeds produce now."""
    return [
        path
        for path, text in generated_files(project_dir).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="regenerate the dbt files from the seeds")
    parser.add_argument("--project-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    project_dir = args.project_dir or default_project_dir()
    try:
        if args.write:
            for path, text in generated_files(project_dir).items():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(project_dir)}")
            return 0
        stale = stale_files(project_dir)
        for path in stale:
            print(f"stale: {path.relative_to(project_dir)} (run python -m nba_props.contract --write)")
        contract = load_contract(project_dir)
        print(f"{contract.version} {len(contract.features)} features, hash {contract.contract_hash}")
        return 1 if stale else 0
    except NbaPropsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
