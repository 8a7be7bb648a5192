"""Where the project, its profile and its warehouse live. Environment variables override every default."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from nba_props import warehouse
from nba_props.backfill.checkpoints import SCHEMA as RUNNER_SCHEMA
from nba_props.errors import NbaPropsError

PROJECT_FILE = "dbt_project.yml"


def find_project_dir() -> Path:
    """The dbt project root: $NBA_PROPS_PROJECT_DIR, else the checkout this package was installed from,
    else the current directory or one of its parents."""
    candidates: list[Path] = []
    if env := os.environ.get("NBA_PROPS_PROJECT_DIR"):
        candidates.append(Path(env))
    candidates.append(Path(__file__).resolve().parents[2])
    cwd = Path.cwd().resolve()
    candidates.extend([cwd, *cwd.parents])
    for candidate in candidates:
        if (candidate / PROJECT_FILE).is_file():
            return candidate.resolve()
    raise NbaPropsError(
        "cannot find the dbt project (dbt_project.yml): run from the nba-props checkout "
        "or set NBA_PROPS_PROJECT_DIR"
    )


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    profiles_dir: Path
    target: str
    duckdb_path: Path

    @property
    def is_duckdb(self) -> bool:
        return self.target == "dev" or self.target.startswith("duckdb")

    @property
    def dbt_flags(self) -> list[str]:
        """What every dbt invocation of the runner adds: the project, its profile and the target."""
        return [
            "--project-dir",
            str(self.project_dir),
            "--profiles-dir",
            str(self.profiles_dir),
            "--target",
            self.target,
        ]


def ensure_profile(project_dir: Path) -> Path:
    """Return the profiles directory, materialising ./profiles.yml from the example on first use."""
    if env := os.environ.get("DBT_PROFILES_DIR"):
        profiles_dir = Path(env)
        if not (profiles_dir / "profiles.yml").is_file():
            raise NbaPropsError(f"no profiles.yml in DBT_PROFILES_DIR={profiles_dir}")
        return profiles_dir
    profile = project_dir / "profiles.yml"
    if not profile.is_file():
        example = project_dir / "profiles.yml.example"
        if not example.is_file():
            raise NbaPropsError(f"no profiles.yml or profiles.yml.example in {project_dir}")
        shutil.copyfile(example, profile)
    return project_dir


def load_settings(target: str | None = None) -> Settings:
    project_dir = find_project_dir()
    profiles_dir = ensure_profile(project_dir)
    target = target or os.environ.get("NBA_PROPS_TARGET", "dev")
    duckdb_path = Path(os.environ.get("NBA_PROPS_DUCKDB_PATH", "warehouse/nba_props.duckdb"))
    if not duckdb_path.is_absolute():
        duckdb_path = project_dir / duckdb_path
    # dbt resolves the profile's env_var() in this process: pin the absolute path so it matches ours.
    os.environ["NBA_PROPS_DUCKDB_PATH"] = str(duckdb_path)
    os.environ["NBA_PROPS_TARGET"] = target
    settings = Settings(project_dir, profiles_dir, target, duckdb_path)
    if settings.is_duckdb:
        check_warehouse_name(project_dir, duckdb_path)
    output = profile_output(profiles_dir, target)
    warehouse.attach_like_profile(profile_row_group_size(output), profile_duckdb_config(output))
    return settings


# DuckDB's own schemas and catalogs, and the runner's schema (checkpoints, predictions)
BUILT_IN_SCHEMAS = frozenset(
    {"main", "temp", "system", "memory", "information_schema", "pg_catalog", RUNNER_SCHEMA}
)


# What dbt-duckdb cannot carry into SQL: quotes in the file name (not escaped in its catalog queries), `?` and
# `#` anywhere in the path (it reads the profile's path as a URL, so the catalog name would stop there)
UNUSABLE_IN_NAME = frozenset("\"'")
UNUSABLE_IN_PATH = frozenset("?#")


def check_warehouse_name(project_dir: Path, duckdb_path: Path) -> None:
    """Refuse, in one line and before anything is written, a warehouse file name that builds cannot use.

    DuckDB names the warehouse's catalog after its file (warehouse.catalog_name) and the profile quotes it, so
    hyphens, spaces, SQL keywords and leading digits work. Two kinds of name do not: one that is also a schema
    inside it (raw.duckdb makes every `raw.table` an 'Ambiguous reference to catalog or schema' in DuckDB),
    and one with a character dbt-duckdb cannot carry into SQL (UNUSABLE_IN_NAME, UNUSABLE_IN_PATH)."""
    name = warehouse.catalog_name(duckdb_path)
    unusable = sorted(set(duckdb_path.name) & UNUSABLE_IN_NAME | set(str(duckdb_path)) & UNUSABLE_IN_PATH)
    if unusable or not str(duckdb_path).isprintable():
        shown = " ".join(unusable) or "a control character"
        raise NbaPropsError(
            f"the warehouse path {str(duckdb_path)!r} has {shown}, which dbt-duckdb cannot carry into SQL: "
            "pick another name in NBA_PROPS_DUCKDB_PATH"
        )
    if not name or name.lower() in BUILT_IN_SCHEMAS or name.lower() in project_schemas(project_dir):
        shown = name or duckdb_path.name
        raise NbaPropsError(
            f"the warehouse file {duckdb_path.name} is named like the schema '{shown}' inside it, which "
            "DuckDB cannot tell apart: pick another name in NBA_PROPS_DUCKDB_PATH "
            f"(e.g. {shown}_warehouse.duckdb)"
        )


def project_schemas(project_dir: Path) -> set[str]:
    """The schemas the project writes or reads: dbt_project.yml's raw_schema var and every +schema config."""
    import yaml

    try:
        project = yaml.safe_load((project_dir / PROJECT_FILE).read_text()) or {}
    except (OSError, yaml.YAMLError):
        return set()
    schemas = {str((project.get("vars") or {}).get("raw_schema", "raw")).lower()}

    def collect(config: object) -> None:
        if isinstance(config, dict):
            for key, value in config.items():
                if key == "+schema" and isinstance(value, str):
                    schemas.add(value.lower())
                else:
                    collect(value)

    collect({key: project.get(key) for key in ("models", "seeds", "snapshots")})
    return schemas


def profile_output(profiles_dir: Path, target: str) -> dict:
    """TARGET's output in profiles.yml as written (not rendered), or {} when the file or the target cannot be
    read: what the runner's own connections copy from the profile (profile_row_group_size,
    profile_duckdb_config)."""
    import yaml

    try:
        output = yaml.safe_load((profiles_dir / "profiles.yml").read_text())["nba_props"]["outputs"][target]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return {}
    return output if isinstance(output, dict) else {}


def profile_row_group_size(output: dict) -> int | None:
    """The row group size a DuckDB profile OUTPUT attaches the warehouse with (profiles.yml.example's dev
    target), or None when it opens the file itself (a profiles.yml copied before the attach, another
    adapter): the runner's own connections then do the same (nba_props.warehouse.attach_like_profile)."""
    if output.get("type") != "duckdb" or not str(output.get("path", "")).startswith(":memory:"):
        return None
    try:
        for attachment in output.get("attach") or []:
            size = (attachment.get("options") or {}).get("row_group_size")
            if size:
                return int(size)
    except (TypeError, ValueError, AttributeError):
        return None
    return None


def profile_duckdb_config(output: dict) -> dict[str, str]:
    """A DuckDB profile OUTPUT's `config_options`, rendered as dbt renders them (`env_var()`): the options dbt
    creates the in-memory database with, which the runner's connections must create it with too (a DuckDB
    database refuses a connection with other options). Empty for a profile without them or another adapter."""
    import jinja2

    def env_var(name: str, default: str | None = None) -> str:
        value = os.environ.get(name, default)
        if value is None:
            raise NbaPropsError(f"profiles.yml reads the environment variable {name}, which is not set")
        return value

    if output.get("type") != "duckdb":
        return {}
    try:
        options = output.get("config_options") or {}
        return {
            str(key): jinja2.Template(str(value)).render(env_var=env_var) for key, value in options.items()
        }
    except (TypeError, AttributeError):
        return {}
