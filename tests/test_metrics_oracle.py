"""Every public metric model, compared cell by cell with the independent Python oracle.

Two datasets: the committed `raw_events` seed (the session-wide `default_db` build) and a second
one made by `python -m metrics_tools generate --seed 7 --users 600 --start-date 2025-10-12 --days 171`
(crossing the US and EU daylight-saving changes), built into a temporary
DuckDB file. Run with `-s` to see how many cells were compared per model.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

import oracle
import verification
from dbt_helpers import SEEDS_DIR

RAW_SEED = SEEDS_DIR / "raw_events.csv"
MODELS = list(oracle.PUBLIC_MODELS)

# (dataset, model) -> cells compared; filled by the comparison tests, printed by the last test.
CELLS_COMPARED: dict[tuple[str, str], int] = {}


class OracleRun:
    """The oracle's result for one raw file, next to the DuckDB file built from the same file."""

    def __init__(self, raw_path: Path, db_path: Path) -> None:
        self.raw_path = raw_path
        self.db_path = db_path
        seeds = oracle.load_seeds(SEEDS_DIR)
        self.clean, self.quarantine = oracle.classify(oracle.load_raw_csv(raw_path), seeds)
        self.metrics = oracle.compute_metrics(self.clean, self.quarantine, seeds)


def read_table(db_path: Path, schema: str, table: str) -> pd.DataFrame:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return oracle.read_model(con, oracle.find_relation(con, schema, table))
    finally:
        con.close()


def query(db_path: Path, schema: str, table: str, sql_template: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql_template.format(relation=oracle.find_relation(con, schema, table))).fetchall()
    finally:
        con.close()


def compare_model(run: OracleRun, dataset: str, model: str) -> None:
    expected = run.metrics[model]
    actual = read_table(run.db_path, "metrics", model)
    cells, mismatches = oracle.compare_tables(expected, actual, oracle.PUBLIC_MODELS[model], name=model)
    CELLS_COMPARED[(dataset, model)] = cells
    verification.record("oracle", model, dataset, cells, len(mismatches))
    shown = "\n".join(mismatches[:20])
    assert not mismatches, (
        f"{dataset}: {len(mismatches)} mismatch(es) in {model} "
        f"({len(expected)} expected rows, {len(actual)} actual rows); first 20:\n{shown}"
    )
    assert cells > 0, f"{dataset}: no cells compared for {model} (oracle gave {len(expected)} rows)"


def check_staging_counts(run: OracleRun, dataset: str) -> None:
    (clean_rows,) = query(run.db_path, "staging", "stg_events", "select count(*) from {relation}")[0]
    reasons = dict(
        query(
            run.db_path,
            "staging",
            "stg_events_quarantine",
            "select reason, count(*) from {relation} group by reason",
        )
    )
    expected_reasons = dict(Counter(run.quarantine["reason"]))
    assert clean_rows == len(run.clean), (
        f"{dataset}: stg_events has {clean_rows} rows, oracle {len(run.clean)}"
    )
    assert reasons == expected_reasons, f"{dataset}: quarantine reasons {reasons}, oracle {expected_reasons}"


def check_event_ids(run: OracleRun, dataset: str) -> None:
    """The clean events' `event_id`s (contract + decision 0001 formula) are the oracle's."""
    actual = {row[0] for row in query(run.db_path, "staging", "stg_events", "select event_id from {relation}")}
    expected = set(run.clean["event_id"])
    by_id = run.clean.set_index("event_id")
    problems = [
        f"event_id {k} (raw row {by_id.at[k, 'raw_row_number']}) missing in stg_events"
        for k in sorted(expected - actual)
    ]
    problems += [f"event_id {k} in stg_events, not expected" for k in sorted(actual - expected)]
    assert not problems, f"{dataset}: {len(problems)} event id mismatch(es); first 20:\n" + "\n".join(problems[:20])


def check_staged_events(run: OracleRun, dataset: str) -> None:
    """Per clean event: the same canonical `event_name` and resolved `user_key` as the oracle.

    Events are matched on the raw row number (decision 0001) when stg_events exposes it as
    `raw_row_number`, else on `event_id`.
    """
    columns = {
        row[0]
        for row in query(
            run.db_path, "staging", "stg_events", "select column_name from (describe {relation})"
        )
    }
    match_on = "raw_row_number" if "raw_row_number" in columns else "event_id"
    actual = {
        row[0]: row[1:]
        for row in query(
            run.db_path,
            "staging",
            "stg_events",
            f"select {match_on}, event_name, user_key from {{relation}}",
        )
    }
    expected = {
        getattr(row, match_on): (row.event_name, row.user_key) for row in run.clean.itertuples()
    }
    problems = [f"{match_on} {k} missing in stg_events, expected {v}" for k, v in expected.items() if k not in actual]
    problems += [f"{match_on} {k} extra in stg_events {v}" for k, v in actual.items() if k not in expected]
    problems += [
        f"{match_on} {k}: (event_name, user_key) expected {v}, actual {actual[k]}"
        for k, v in expected.items()
        if k in actual and actual[k] != v
    ]
    assert not problems, f"{dataset}: {len(problems)} staged event mismatch(es); first 20:\n" + "\n".join(problems[:20])


# ---------------------------------------------------------------------------------------------
# Dataset 1: the committed seed
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seed_run(default_db: Path) -> OracleRun:
    assert RAW_SEED.exists(), f"missing reference raw events {RAW_SEED}"
    return OracleRun(RAW_SEED, default_db)


def test_seed_staging_counts(seed_run: OracleRun) -> None:
    check_staging_counts(seed_run, "seed")


def test_seed_staged_events(seed_run: OracleRun) -> None:
    check_staged_events(seed_run, "seed")


def test_seed_event_ids(seed_run: OracleRun) -> None:
    check_event_ids(seed_run, "seed")


@pytest.mark.parametrize("model", MODELS)
def test_seed_model_matches_oracle(seed_run: OracleRun, model: str) -> None:
    compare_model(seed_run, "seed", model)


# ---------------------------------------------------------------------------------------------
# Dataset 2: generated with another seed and shape
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated_run(generated_dataset: tuple[Path, Path]) -> OracleRun:
    raw_path, db_path = generated_dataset
    return OracleRun(raw_path, db_path)


def test_generated_staging_counts(generated_run: OracleRun) -> None:
    check_staging_counts(generated_run, "generated")


def test_generated_staged_events(generated_run: OracleRun) -> None:
    check_staged_events(generated_run, "generated")


def test_generated_event_ids(generated_run: OracleRun) -> None:
    check_event_ids(generated_run, "generated")


@pytest.mark.parametrize("model", MODELS)
def test_generated_model_matches_oracle(generated_run: OracleRun, model: str) -> None:
    compare_model(generated_run, "generated", model)


# ---------------------------------------------------------------------------------------------
# Summary (last in the file, so it runs after the comparisons)
# ---------------------------------------------------------------------------------------------


def test_oracle_summary(record_property: Any) -> None:
    if not CELLS_COMPARED:
        pytest.skip("no comparison ran in this session")
    lines = ["", "cells compared with the oracle:"]
    for dataset in sorted({d for d, _ in CELLS_COMPARED}):
        total = 0
        for model in MODELS:
            if (dataset, model) in CELLS_COMPARED:
                cells = CELLS_COMPARED[(dataset, model)]
                total += cells
                lines.append(f"  {dataset:<10} {model:<36} {cells:>9}")
        lines.append(f"  {dataset:<10} {'TOTAL':<36} {total:>9}")
        record_property(f"cells_compared_{dataset}", total)
    print("\n".join(lines))
    assert sum(CELLS_COMPARED.values()) > 0
