# Sibyl — every target creates .venv when missing and installs the project into it.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export SIBYL_DATA_DIR ?= $(CURDIR)/data

.PHONY: install manifest lock demo test test-unit test-e2e bench bench-gate bench-ml bench-budget ai-prices catalog ui dagster validate lint typecheck clean-data

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	# bytecode compiled once at install: where PYTHONDONTWRITEBYTECODE is set (containers, CI)
	# every process would otherwise recompile great-expectations, dbt, ... (5 CPU-s an ingest)
	$(BIN)/uv pip install --python $(BIN)/python --quiet --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python --quiet --no-deps -e .
	@mkdir -p $(DAGSTER_HOME) && cp -n dagster.yaml $(DAGSTER_HOME)/dagster.yaml 2>/dev/null || true
	@touch $(STAMP)

# The dbt manifest Dagster loads (a build artifact, not committed).
manifest: $(STAMP)
	cd dbt_project && DBT_SEND_ANONYMOUS_USAGE_STATS=false ../$(BIN)/dbt parse --profiles-dir . --quiet

install: $(STAMP)

# Regenerate the lock after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock --quiet

demo: manifest
	$(BIN)/sibyl demo

test: install lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-unit: install
	$(BIN)/python -m pytest -q tests/unit

test-e2e: install
	$(BIN)/python -m pytest -q tests/e2e

bench: install bench-gate bench-ml bench-budget
	$(BIN)/python -m tests.bench.run_bench $(BENCH_ARGS)

# Anomaly detection and forecasting on 1,000 daily series x 400 days (targets: < 30 s, < 60 s).
bench-ml: install
	$(BIN)/python -m tests.bench.ml_bench $(ML_BENCH_ARGS)

# `sibyl budget check` latency: median/p99 of 1,000 Python API calls and 20 CLI calls.
bench-budget: install
	$(BIN)/python -m tests.bench.budget_bench

# The AI token price table, rebuilt from LiteLLM's price JSON read as data from its wheel (MIT).
ai-prices: install
	rm -rf /tmp/sibyl-litellm && mkdir -p /tmp/sibyl-litellm
	$(BIN)/python -m pip download --quiet --no-deps -d /tmp/sibyl-litellm litellm
	$(BIN)/python -m ingest.ai.price_build /tmp/sibyl-litellm/litellm-*.whl

# The IaC gate's part of the benchmark: CLI wall time on generated 500 / 5k / 50k-resource plans.
bench-gate: install
	$(BIN)/python -m tests.bench.gate_bench

# Rebuild the shipped offline price catalog from the price files (iac_gate/data/sources + libcloud).
catalog: install
	$(BIN)/python -m iac_gate.catalog_build

# The Streamlit cockpit on http://127.0.0.1:8501 (reads the published marts in data/marts).
ui: install
	$(BIN)/streamlit run app/cockpit/streamlit_app.py --server.address 127.0.0.1 --server.port 8501 --server.headless true --browser.gatherUsageStats false

dagster: manifest
	# .venv/bin on PATH: dagster-dbt runs `dbt` by name
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

validate: manifest
	$(BIN)/dagster definitions validate -w workspace.yaml

lint: install
	$(BIN)/ruff check ingest orchestration app models_ml iac_gate tests
	$(BIN)/ruff format --check ingest orchestration app models_ml iac_gate tests

typecheck: install
	$(BIN)/mypy ingest app models_ml iac_gate orchestration

clean-data:
	rm -rf data/landing data/lake data/warehouse.duckdb data/marts data/.tmp
