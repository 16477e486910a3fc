"""Shared fixtures: one default build and one build of a second generated dataset per test run.

Each is built once for the whole run, however many pytest-xdist workers there are: the first
worker to need it builds it under a file lock in the run's shared temporary folder, and every
worker then reads its own copy (a DuckDB file open for writing in one process cannot be opened by
another). `make test` builds the default project in its first step and hands that build over in
`PRODUCT_METRICS_BUILT_DIR` (the folder holding `test.duckdb` and its `target/`), so pytest does
not build it again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from filelock import FileLock

import verification
from dbt_helpers import PROJECT_DIR, build_project

# `python -m metrics_tools ...` works from any folder in the tests' subprocesses.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")]))
GENERATOR = [sys.executable, "-m", "metrics_tools", "generate"]
BUILT_DIR_VARIABLE = "PRODUCT_METRICS_BUILT_DIR"


def shared_build(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder of a build made once per test run (``build`` fills it), copied for this worker."""
    # Under pytest-xdist each worker's temporary folder sits in the run's folder, shared by all.
    base = tmp_path_factory.getbasetemp()
    shared_root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    shared = shared_root / f"shared_{name}"
    with FileLock(str(shared_root / f"shared_{name}.lock")):
        if not (shared / "done").exists():
            if shared.exists():
                shutil.rmtree(shared)
            shared.mkdir()
            build(shared)
            (shared / "done").touch()
    own = tmp_path_factory.mktemp(name)
    shutil.copytree(shared, own, dirs_exist_ok=True, ignore=shutil.ignore_patterns("done", "*.wal", "logs"))
    return own


def _default_build(folder: Path) -> None:
    built = os.environ.get(BUILT_DIR_VARIABLE)
    if built and (Path(built) / "test.duckdb").is_file():
        shutil.copyfile(Path(built) / "test.duckdb", folder / "default.duckdb")
        shutil.copytree(Path(built) / "target", folder / "target", ignore=shutil.ignore_patterns("run", "compiled"))
        return
    build_project(folder / "default.duckdb")


@pytest.fixture(scope="session")
def default_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file built by `dbt build` from the committed seeds (its target/ beside it)."""
    return shared_build(tmp_path_factory, "default_build", _default_build) / "default.duckdb"


def _generated_build(folder: Path) -> None:
    raw_path = folder / "raw.csv"
    result = subprocess.run(
        [*GENERATOR, "--seed", "7", "--users", "600", "--start-date", "2025-10-12", "--days", "171",
         "--output", str(raw_path)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"generator failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    build_project(folder / "generated.duckdb", raw_events_path=raw_path)


@pytest.fixture(scope="session")
def generated_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(raw CSV, DuckDB file): `metrics_tools generate --seed 7 --users 600 --start-date 2025-10-12
    --days 171`, built once. The range crosses the autumn 2025 and spring 2026 daylight-saving
    changes of both the US and the EU (tests/test_time_zone.py builds it in other zones)."""
    folder = shared_build(tmp_path_factory, "generated_build", _generated_build)
    return folder / "raw.csv", folder / "generated.duckdb"


# Modules whose tests each do their own long chain of builds: their tests are spread over the
# pytest-xdist workers one by one. Every other module runs on one worker (`--dist loadgroup`),
# so that its module-wide fixtures are built once.
SPREAD_MODULES = frozenset({"test_input_state", "test_incremental_equivalence"})
# Modules that use another module's session fixtures run on that module's worker.
SHARED_FIXTURE_GROUPS = {"test_personal_data": "test_hostile_inputs"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = item.module.__name__ if item.module else item.nodeid.split("::")[0]
        if module not in SPREAD_MODULES:
            item.add_marker(pytest.mark.xdist_group(SHARED_FIXTURE_GROUPS.get(module, module)))


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
