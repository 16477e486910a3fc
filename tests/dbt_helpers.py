"""Run dbt against a throw-away DuckDB file, never the user's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_DIR / "seeds"
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


def dbt_env(db_path: Path) -> dict[str, str]:
    """Environment for a dbt subprocess that writes only to ``db_path``."""
    env = dict(os.environ)
    env.update(
        {
            "DBT_DUCKDB_PATH": str(db_path),
            "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    return env


def run_dbt(
    args: list[str],
    db_path: Path,
    raw_events_path: Path | None = None,
    extra_vars: dict[str, object] | None = None,
    project_dir: Path = PROJECT_DIR,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run one dbt command; its target/ and logs/ go beside ``db_path``."""
    dbt_vars: dict[str, object] = dict(extra_vars or {})
    if raw_events_path is not None:
        dbt_vars["raw_events_path"] = str(raw_events_path)
        # A small crafted file cannot exercise every planned event: report, do not fail.
        dbt_vars.setdefault("plan_coverage_severity", "warn")
        # Crafted files describe old days: staleness is reported, not fatal.
        dbt_vars.setdefault("freshness_severity", "warn")
        # Crafted files reject many rows on purpose: quality thresholds are reported, not fatal.
        dbt_vars.setdefault("data_quality_threshold_severity", "warn")
    work_dir = db_path.parent
    command = [
        str(DBT_EXECUTABLE),
        *args,
        "--project-dir",
        str(project_dir),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    return run_command(command, project_dir, dbt_env(db_path), f"dbt {' '.join(args)}", check)


def run_command(
    command: list[str], cwd: Path, env: dict[str, str], label: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a tool; when ``check``, fail with its name, exit code and the tail of its output."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{label} failed ({result.returncode}):\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        )
    return result


def build_project(
    db_path: Path,
    raw_events_path: Path | None = None,
    extra_vars: dict[str, object] | None = None,
    select: str | None = None,
    data_tests: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Seed and build (models, and data tests unless ``data_tests=False``) into ``db_path``."""
    args = ["build"]
    if select:
        args += ["--select", select]
    if not data_tests:
        args += ["--exclude", "resource_type:test", "resource_type:unit_test"]
    return run_dbt(args, db_path, raw_events_path, extra_vars)
