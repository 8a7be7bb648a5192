"""The feature contract as the predictions code needs it: names in order, version, optional set, hash.

`nba_props.contract` is the one loader of the contract (the seed); this is a narrow view of it. The hash a
model is checked against at prediction time is the one the store rows carry (`contract_hash` column), so a
store built from another contract is caught even if the seed changed since.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nba_props import contract as shared

VEGAS_FEATURES = ("vegas_points_line", "vegas_opening_line", "vegas_line_move", "has_vegas_line")


@dataclass(frozen=True)
class Contract:
    version: str
    feature_names: tuple[str, ...]
    optional: frozenset[str]
    contract_hash: str


def load_contract(project_dir: Path) -> Contract:
    c = shared.load_contract(project_dir)
    return Contract(c.version, tuple(c.feature_names), frozenset(c.optional), c.contract_hash)
