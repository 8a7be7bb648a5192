# Two commands on a fresh clone: `make demo` and `make test`. Everything else is a building block.
# Needs only Python 3.11 (or 3.12) and make; the first target creates .venv and installs the project into it.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# Reinstall whenever pyproject.toml changes (the stamp's name carries its checksum).
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` (one per core of the 2-core machines it is sized for; 0 runs in-process)
PYTEST_WORKERS ?= 2
EMULATOR_PORT ?= 9050

export NBA_PROPS_PROJECT_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# Python keeps the bytecode of a module it compiles (__pycache__), so the next process that imports it loads it
# instead of compiling it again. `make test` starts dozens of Python processes (two xdist workers, the BigQuery
# emulator, `nba-props` subprocesses), most importing dbt, DuckDB and pandas: about 3 s of compiling each when
# PYTHONDONTWRITEBYTECODE is set in the environment (as in some containers). Empty is unset for Python.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: demo test install lint fmt docs bench clean load-real build-real emulator emulator-build parse-bigquery

# The project is installed by uv (installed into the venv first): the same versions pip resolves, downloaded in
# parallel, in about half the time of pip on a fresh machine. Where uv cannot be installed (no wheel for the
# platform) or cannot reach the index (a proxy or index set up for pip only), pip installs the project instead.
# Neither compiles bytecode at install: Python compiles a module when it is first imported and keeps its bytecode
# (see above), so only what runs gets compiled (compiling every installed module took 26 s of a 51 s install).
UV_VERSION := 0.13.9
$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 is required (python3.11 not found)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)' \
		|| { echo "error: $(PYTHON) is not Python 3.11 or 3.12"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	{ $(BIN)/pip install --quiet --only-binary uv uv==$(UV_VERSION) \
		&& $(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'; } \
		|| { echo "uv could not be installed or could not install the project; installing it with pip"; \
		     $(BIN)/pip install --quiet --no-compile -e '.[dev]'; }
	@test -f profiles.yml || cp profiles.yml.example profiles.yml
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## The main job on the bundled sample: load, build, predict, validate, report.
demo: install
	$(BIN)/nba-props demo

## Every test: pytest (importers, runner, point-in-time, predictions, the BigQuery emulator build, linters)
## and dbt build on the sample, on PYTEST_WORKERS workers (a test module whose fixtures build something big
## stays on one worker). Extra pytest flags: make test PYTEST_ARGS="-k emulator -x".
test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check runner scripts
	$(BIN)/ruff format --check runner scripts
	@# the dbt templater opens the profile's DuckDB file: a scratch one, so a fresh clone lints without a warehouse
	@mkdir -p target/sqlfluff
	NBA_PROPS_DUCKDB_PATH=$(CURDIR)/target/sqlfluff/lint.duckdb $(BIN)/sqlfluff lint models macros tests

fmt: install
	$(BIN)/ruff format runner scripts
	$(BIN)/ruff check --fix runner scripts

## The project compiles for production BigQuery without credentials.
parse-bigquery: install
	$(BIN)/dbt parse --target bigquery --profiles-dir . --target-path target/bigquery

## crucible-emulator (local BigQuery API on DuckDB) in the foreground on 127.0.0.1:$(EMULATOR_PORT).
emulator: install
	$(BIN)/python scripts/bigquery_emulator.py serve --port $(EMULATOR_PORT)

## Start the emulator, load a few days of the sample into its raw dataset, dbt build against it.
emulator-build: install
	$(BIN)/python scripts/bigquery_emulator.py build

docs: install
	$(BIN)/dbt docs generate --static

bench: install
	$(BIN)/python scripts/benchmark.py

load-real: install
	$(BIN)/nba-props load all ../shared/data

clean:
	rm -rf target logs warehouse reports dbt_packages
