# niaga — the two commands a new machine needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo install install-test system-deps test eval test-postgres lint format typecheck bench migration clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-deps

## Installs the system programs the product and its tests use (Chromium for the browser tests).
system-deps:
	@bash scripts/system-deps.sh

## Create the virtualenv, initialise the embedded database with the demo businesses, serve on 127.0.0.1:8000.
demo: install
	NIAGA_HOST=$(HOST) NIAGA_PORT=$(PORT) $(BIN)/niaga init --demo
	NIAGA_HOST=$(HOST) NIAGA_PORT=$(PORT) $(BIN)/niaga serve

## Install test needs and run the whole suite (SQLite; PostgreSQL + Redis when NIAGA_TEST_DATABASE_URL /
## NIAGA_TEST_REDIS_URL are set).
test: install-test
	$(BIN)/pytest -q

## The shared scorers (agent, RFM, print shop) against ../shared/fixtures; needs ../shared beside the project.
eval: install-test
	bash scripts/eval.sh

## Lint: ruff, mypy, and the layering contracts in pyproject.toml ([tool.importlinter]).
lint: install-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	PYTHONPATH=src $(BIN)/lint-imports

format: install-test
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: install-test
	$(BIN)/mypy

## Benchmarks (figures are ratios against a baseline measured in the same run).
bench: install-test
	$(BIN)/python bench/run_all.py

## New Alembic revision from model changes: make migration m="add x"
migration: install
	$(BIN)/python -c "from niaga.db.migrate import autogenerate; autogenerate('$(m)')"

clean:
	rm -rf $(VENV) var test-output .pytest_cache .mypy_cache .ruff_cache
