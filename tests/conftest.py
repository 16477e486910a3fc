"""Shared fixtures: one default build per test session, in a temporary DuckDB file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbt_helpers import build_project


@pytest.fixture(scope="session")
def default_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file built by `dbt build` from the committed seeds."""
    db_path = tmp_path_factory.mktemp("default_build") / "default.duckdb"
    build_project(db_path)
    return db_path
