"""Shared fixtures: one default build per test session, in a temporary DuckDB file, and one
build of a second generated dataset."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
    """(raw CSV, DuckDB file): `generate_events.py --seed 7 --users 600 --start-date 2025-10-12
    --days 171`, built once. The range crosses the autumn 2025 and spring 2026 daylight-saving
    changes of both the US and the EU (tests/test_time_zone.py builds it in other zones)."""
    work = tmp_path_factory.mktemp("generated_build")
    raw_path = work / "raw.csv"
    assert GENERATOR.exists(), f"missing generator {GENERATOR}"
    result = subprocess.run(
        [
            sys.executable, str(GENERATOR), "--seed", "7", "--users", "600",
            "--start-date", "2025-10-12", "--days", "171", "--output", str(raw_path),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"generator failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    db_path = work / "generated.duckdb"
    build_project(db_path, raw_events_path=raw_path)
    return raw_path, db_path
