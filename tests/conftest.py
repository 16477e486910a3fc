"""Shared fixtures: one default build per test session, in a temporary DuckDB file, and one
build of a second generated dataset."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import verification
from dbt_helpers import PROJECT_DIR, build_project

GENERATOR = PROJECT_DIR / "scripts" / "generate_events.py"


@pytest.fixture(scope="session")
def default_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file built by `dbt build` from the committed seeds."""
    db_path = tmp_path_factory.mktemp("default_build") / "default.duckdb"
    build_project(db_path)
    return db_path


@pytest.fixture(scope="session")
def generated_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(raw CSV, DuckDB file): `generate_events.py --seed 7 --users 600 --days 45`, built once."""
    work = tmp_path_factory.mktemp("generated_build")
    raw_path = work / "raw.csv"
    assert GENERATOR.exists(), f"missing generator {GENERATOR}"
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--seed", "7", "--users", "600", "--days", "45", "--output", str(raw_path)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"generator failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    db_path = work / "generated.duckdb"
    build_project(db_path, raw_events_path=raw_path)
    return raw_path, db_path


# ------------------------------------------------------------------ what the run measured (docs page)
# Hand-worked cases: tiny crafted inputs whose expected values are worked out in the test itself.
HAND_WORKED_FILES = ("test_metrics_edge_cases.py",)
HAND_WORKED_FIXTURES = ("crafted", "crafted_with_new_models")


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without xdist)
        verification.clear()


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker = getattr(session.config, "workerinput", {}).get("workerid", "main")
    verification.write(worker)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        hand_worked = item.path.name in HAND_WORKED_FILES or any(
            name in HAND_WORKED_FIXTURES for name in getattr(item, "fixturenames", ())
        ) or "by_hand" in item.name or "hand_worked" in item.name
        verification.record_test(item.nodeid, report.outcome, hand_worked)
