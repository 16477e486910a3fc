# Two entry points: `make build` (install + the main job) and `make test` (every check).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB_PATH ?= target/product_metrics.duckdb
TEST_DIR := $(shell mktemp -d -u /tmp/product-metrics-test.XXXXXX)

export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: help install build docs lint dbt-test pytest test clean

help:
	@echo "make build  - install into .venv, dbt build on DuckDB ($(DB_PATH)), generate the docs"
	@echo "make test   - every check: sqlfluff, dbt build + tests on a temporary DuckDB, pytest"

$(BIN)/.installed: requirements.txt requirements.lock
	@echo "==> installing pinned dependencies into $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	@touch $@

install: $(BIN)/.installed

build: install
	@echo "==> dbt build (seeds, models, tests) into $(DB_PATH)"
	@mkdir -p $(dir $(DB_PATH))
	DBT_DUCKDB_PATH=$(DB_PATH) $(BIN)/dbt build
	@$(MAKE) --no-print-directory docs
	@echo "make build: OK - database $(DB_PATH), docs target/static_index.html"

docs: install
	@echo "==> dbt docs generate --static"
	DBT_DUCKDB_PATH=$(DB_PATH) $(BIN)/dbt docs generate --static

lint: install
	@echo "==> sqlfluff lint (dbt templater, duckdb dialect)"
	$(BIN)/sqlfluff lint models tests/dbt

test: install
	@mkdir -p $(TEST_DIR)
	@echo "==> dbt build + all dbt tests on a temporary DuckDB ($(TEST_DIR)/test.duckdb)"
	DBT_DUCKDB_PATH=$(TEST_DIR)/test.duckdb $(BIN)/dbt build --target-path $(TEST_DIR)/target --log-path $(TEST_DIR)/logs
	@echo "==> sqlfluff lint (dbt templater, duckdb dialect)"
	DBT_DUCKDB_PATH=$(TEST_DIR)/test.duckdb $(BIN)/sqlfluff lint models tests/dbt
	@echo "==> pytest"
	$(BIN)/python -m pytest -q
	@rm -rf $(TEST_DIR)
	@echo "make test: OK - sqlfluff clean, dbt build and tests passed, pytest passed"

clean:
	rm -rf target logs dbt_packages
