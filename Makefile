# Two entry points: `make build` (install + the main job) and `make test` (every check).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The project's tools, one command line: $(TOOLS) <subcommand> --help
TOOLS := $(BIN)/python -m metrics_tools
# The database file: DB=..., else $DBT_DUCKDB_PATH, else target/product_metrics.duckdb.
DB ?= $(or $(DBT_DUCKDB_PATH),target/product_metrics.duckdb)
DB_PATH ?= $(DB)
# Your own raw events instead of the sample seed: RAW_EVENTS='/data/events/*.parquet' (or CSV).
# Relative paths are made absolute, so one file is one file however it is spelled.
RAW_EVENTS ?=
# WAIT=1: wait for another run on the same database instead of failing at once.
WAIT ?=
# PLAN_COVERAGE=error: planned events missing from the data fail the build (default: a warning).
PLAN_COVERAGE ?=
comma := ,
BUILD_VARS := {$(if $(RAW_EVENTS),"raw_events_path": "$(abspath $(RAW_EVENTS))"$(if $(PLAN_COVERAGE),$(comma) ))$(if $(PLAN_COVERAGE),"plan_coverage_severity": "$(PLAN_COVERAGE)")}
TEST_DIR := $(shell mktemp -d -u /tmp/product-metrics-test.XXXXXX)

export DBT_PROFILES_DIR := $(CURDIR)/profiles
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: help install build build-locked docs metrics sql sql-install lint dbt-test pytest test spark-install spark-test clean impact

help:
	@echo "make build  - install into .venv, dbt build on DuckDB ($(DB_PATH)), generate the docs"
	@echo "make metrics - print the headline numbers of $(DB_PATH) (data end, active users, retention, funnels, revenue, quarantine)"
	@echo "make sql    - open $(DB_PATH) read-only in Harlequin, a terminal SQL shell (installed into .venv-sql on first use)"
	@echo "make test   - every check, numbered and timed: dbt build + tests, mf validate-configs, dbt-score, sqlfluff (temporary DuckDB), pytest, structure"
	@echo "              a skipped test fails the run unless ALLOW_SKIPS=1"
	@echo "make impact BASE=main - build BASE and the working tree, report what moves in every public model (target/impact.md)"
	@echo "make spark-test - every model built on Apache Spark (local) from the raw seed, then from Parquet files; compared with DuckDB"

$(BIN)/.installed: requirements.txt requirements.lock
	@echo "==> installing pinned dependencies into $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	@touch $@

install: $(BIN)/.installed

build: install
	@mkdir -p $(dir $(DB_PATH))
	@# One writer for the whole main job (seeds, models, tests, docs): a second run fails at once
	@# in one line (or waits, WAIT=1).
	@DBT_DUCKDB_PATH=$(DB_PATH) $(TOOLS) exclusive $(if $(WAIT),--wait) -- \
		$(MAKE) --no-print-directory build-locked
	@echo "make build: OK - database $(DB_PATH), docs target/static_index.html"

# The main job's steps; run through `make build`, which holds the database lock.
build-locked:
	@echo "==> dbt build (seeds, models, tests) into $(DB_PATH)$(if $(RAW_EVENTS), from $(RAW_EVENTS),)"
	DBT_DUCKDB_PATH=$(DB_PATH) $(BIN)/dbt build --vars '$(BUILD_VARS)'
	@$(MAKE) --no-print-directory docs
	@$(TOOLS) summary --db $(DB_PATH)

docs: install
	@echo "==> charts from $(DB_PATH) into docs/assets"
	$(TOOLS) charts --db $(DB_PATH) --out docs/assets
	@echo "==> dbt docs generate --static, images embedded"
	DBT_DUCKDB_PATH=$(DB_PATH) $(BIN)/dbt docs generate --static
	$(TOOLS) embed-docs target/static_index.html --db $(DB_PATH)

metrics: install
	@$(TOOLS) summary --db $(DB_PATH)

# Harlequin (a terminal SQL IDE on DuckDB) lives in its own virtualenv: it brings pyarrow and textual.
SQL_VENV := .venv-sql

$(SQL_VENV)/.installed: requirements-sql.txt requirements-sql.lock
	@echo "==> installing the SQL shell (Harlequin) into $(SQL_VENV)"
	$(PYTHON) -m venv $(SQL_VENV)
	$(SQL_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sql.txt -c requirements-sql.lock
	@touch $@

sql-install: $(SQL_VENV)/.installed

sql: sql-install
	@test -f $(DB_PATH) || { echo "make sql: $(DB_PATH) does not exist; run make build first"; exit 1; }
	$(SQL_VENV)/bin/harlequin --read-only $(DB_PATH)

lint: install
	@echo "==> sqlfluff lint (dbt templater, duckdb dialect)"
	$(BIN)/sqlfluff lint models tests/dbt

# The steps (dbt build + tests, mf validate-configs, dbt-score, tracking plan docs, sqlfluff, pytest,
# structure check) are in metrics_tools/checks.py: numbered, timed, and a summary that lists every
# skipped test.
# A skipped test fails the run unless ALLOW_SKIPS=1 is given.
ALLOW_SKIPS ?=

test: install
	@$(TOOLS) checks --work-dir $(TEST_DIR) $(if $(ALLOW_SKIPS),--allow-skips)
	@rm -rf $(TEST_DIR)

# What a change does to the public numbers: BASE (a git ref) and the working tree, each built on the
# sample seed and a small generated dataset into temporary DuckDB files (decision 0009).
BASE ?= main

impact: install
	@$(TOOLS) impact --base $(BASE)

# Apache Spark (local PySpark session) lives in its own virtualenv so the default install stays light.
SPARK_VENV := .venv-spark
SPARK_DIR := target/spark-check
# The file-input pass also runs in a reporting time zone other than UTC (half-hour offset, no DST).
SPARK_RAW_VARS := {raw_events_path: '$(CURDIR)/$(SPARK_DIR)/raw/*.parquet', data_quality_threshold_severity: warn, reporting_timezone: Asia/Kolkata}

$(SPARK_VENV)/.installed: requirements-spark.txt requirements-spark.lock
	@echo "==> installing pinned Spark dependencies into $(SPARK_VENV)"
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-spark.txt -c requirements-spark.lock
	@touch $@

spark-install: $(SPARK_VENV)/.installed

spark-test: install spark-install
	@command -v java >/dev/null || { echo "make spark-test: Java 17+ is needed by Spark (java not found)"; exit 1; }
	@rm -rf $(SPARK_DIR) && mkdir -p $(SPARK_DIR)
	@echo "==> DuckDB build to compare with ($(SPARK_DIR)/duckdb.duckdb)"
	DBT_DUCKDB_PATH=$(SPARK_DIR)/duckdb.duckdb $(BIN)/dbt build --target-path $(SPARK_DIR)/duckdb-target --log-path $(SPARK_DIR)/logs
	@echo "==> Spark: seeds and every model from the raw seed, then compared with DuckDB"
	$(SPARK_VENV)/bin/python -m metrics_tools spark-check --duckdb $(SPARK_DIR)/duckdb.duckdb --duckdb-target $(SPARK_DIR)/duckdb-target --work-dir $(SPARK_DIR)/spark
	@echo "==> the same from Parquet files (var raw_events_path): the seed in two files, and the hostile rows, in Asia/Kolkata time"
	$(BIN)/python tests/hostile_rows.py --csv $(SPARK_DIR)/hostile_rows.csv
	$(TOOLS) seed-to-parquet --output $(SPARK_DIR)/raw --files 2 --extra-csv $(SPARK_DIR)/hostile_rows.csv
	DBT_DUCKDB_PATH=$(SPARK_DIR)/duckdb-parquet.duckdb $(BIN)/dbt build --vars "$(SPARK_RAW_VARS)" --target-path $(SPARK_DIR)/duckdb-parquet-target --log-path $(SPARK_DIR)/logs
	$(SPARK_VENV)/bin/python -m metrics_tools spark-check --duckdb $(SPARK_DIR)/duckdb-parquet.duckdb --duckdb-target $(SPARK_DIR)/duckdb-parquet-target --work-dir $(SPARK_DIR)/spark-parquet --vars "$(SPARK_RAW_VARS)"

clean:
	rm -rf target logs dbt_packages
