# Two commands on a fresh clone: `make demo` and `make test`. Everything else is a building block.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

export NBA_PROPS_PROJECT_DIR := $(CURDIR)

.PHONY: demo test install lint fmt docs bench clean load-real build-real

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (Python 3.11 is required)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@test -f profiles.yml || cp profiles.yml.example profiles.yml
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## The main job on the bundled sample: load, build, predict, validate, report.
demo: install
	$(BIN)/nba-props demo

## Every test: pytest (importers, runner, point-in-time, predictions) and dbt build on the sample.
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check runner scripts
	$(BIN)/ruff format --check runner scripts
	$(BIN)/sqlfluff lint models macros tests

fmt: install
	$(BIN)/ruff format runner scripts
	$(BIN)/ruff check --fix runner scripts

docs: install
	$(BIN)/dbt docs generate --static

bench: install
	$(BIN)/python scripts/benchmark.py

load-real: install
	$(BIN)/nba-props load all ../shared/data

clean:
	rm -rf target logs warehouse reports dbt_packages
