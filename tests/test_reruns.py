"""Re-runs and concurrency (issue 7, items 2 and 3).

One raw input (a glob of daily Parquet files, as a collector lands them) is built into a
temporary DuckDB file once. Then:
- a second `dbt build` with no new raw rows must leave every table and view identical;
- a fresh build of the same input into another file is started, and while it runs a second
  `dbt build` on that file must fail fast with a message saying the database is locked / in use;
  the wrapped form (`python -m metrics_tools exclusive`) must say "in use" in one line, before any work;
  the first build must complete and give exactly the tables of the first database.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from dbt_helpers import DBT_EXECUTABLE, PROJECT_DIR, dbt_env
from reliability_helpers import (
    build,
    changed_columns,
    connect,
    count,
    diff_snapshots,
    load_stamp_columns,
    snapshot,
)

GENERATOR = [sys.executable, "-m", "metrics_tools", "generate"]
WRAPPER = [sys.executable, "-m", "metrics_tools", "exclusive"]


@pytest.fixture(scope="module")
def raw_glob(tmp_path_factory: pytest.TempPathFactory) -> str:
    raw_dir = tmp_path_factory.mktemp("rerun_raw")
    subprocess.run(
        [*GENERATOR, "--seed", "11", "--events", "15000", "--days", "21",
         "--output", str(raw_dir), "--format", "parquet", "--quiet"],
        check=True,
    )
    assert len(list(raw_dir.glob("*.parquet"))) >= 21
    return str(raw_dir / "*.parquet")


@pytest.fixture(scope="module")
def first_db(tmp_path_factory: pytest.TempPathFactory, raw_glob: str) -> tuple[Path, dict]:
    db_path = tmp_path_factory.mktemp("rerun_a") / "rerun.duckdb"
    FIRST_BUILD_STARTED.append(datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=5))
    build(db_path, Path(raw_glob))
    return db_path, snapshot(db_path)


FIRST_BUILD_STARTED: list[datetime] = []


def test_first_build_holds_data(first_db: tuple[Path, dict]) -> None:
    db_path, tables = first_db
    con = connect(db_path)
    try:
        raw = count(con, "stg_raw_events") + count(con, "stg_raw_events_malformed")
        assert raw > 10_000
        assert raw == count(con, "stg_events") + count(con, "stg_events_quarantine")
        assert count(con, "metrics_active_users_daily") > 0
    finally:
        con.close()
    assert {"metrics", "marts", "intermediate", "staging"} <= {name.split(".")[0] for name in tables}


def _explain(problems: list[str], db_a: Path, db_b: Path) -> list[str]:
    """Each difference with the columns that changed, to point at the non-deterministic SQL."""
    explained = []
    for problem in problems:
        relation = problem.split(":", 1)[0]
        try:
            explained.append(f"{problem}; changed columns: {changed_columns(db_a, db_b, relation)}")
        except duckdb.Error:
            explained.append(problem)
    return explained


def test_rebuild_without_new_raw_rows_changes_nothing(
    tmp_path: Path, first_db: tuple[Path, dict], raw_glob: str
) -> None:
    db_path, before = first_db
    kept = shutil.copy(db_path, tmp_path / "before.duckdb")
    build(db_path, Path(raw_glob), data_tests=False)
    problems = diff_snapshots(before, snapshot(db_path))
    assert _explain(problems, Path(kept), db_path) == []


def _dbt_command(args: list[str], work_dir: Path, raw_glob: str) -> list[str]:
    return [
        str(DBT_EXECUTABLE), *args,
        "--project-dir", str(PROJECT_DIR),
        "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"),
        "--vars", ('{"raw_events_path": "%s", "plan_coverage_severity": "warn", '
                   '"data_quality_threshold_severity": "warn"}') % raw_glob,
        "--exclude", "raw_events",
    ]


def _wait_for_log_line(log_file: Path, needle: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log_file.exists() and needle in log_file.read_text(errors="replace"):
            return
        assert process.poll() is None, "the first build ended before it took the database"
        time.sleep(0.2)
    raise AssertionError(f"no '{needle}' in {log_file} after {timeout}s")


def test_concurrent_build_fails_fast_and_first_completes(
    tmp_path: Path, first_db: tuple[Path, dict], raw_glob: str
) -> None:
    first_path, _ = first_db
    db_path = tmp_path / "concurrent.duckdb"
    env = dbt_env(db_path)
    # The intruder parses beforehand (dbt parse does not open the database), so that with
    # partial parsing it reaches the database in seconds, well inside the first build's run.
    parse = subprocess.run(
        _dbt_command(["parse"], tmp_path / "second", raw_glob)[:-2], cwd=PROJECT_DIR, env=env,
        capture_output=True, text=True,
    )
    assert parse.returncode == 0, parse.stdout[-3000:]
    assert not db_path.exists()

    first = subprocess.Popen(
        [*WRAPPER, *_dbt_command(["build"], tmp_path / "first", raw_glob)[1:]],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        # dbt prints "Concurrency:" as it opens its connection (and so takes the file lock).
        _wait_for_log_line(tmp_path / "first" / "logs" / "dbt.log", "Concurrency:", first, 120)
        started = time.monotonic()
        plain_process = subprocess.Popen(
            _dbt_command(["build"], tmp_path / "second", raw_glob), cwd=PROJECT_DIR, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        wrapped = subprocess.run(
            [*WRAPPER, "build"], cwd=PROJECT_DIR, env=env,
            capture_output=True, text=True, timeout=60,
        )
        wrapped_seconds = time.monotonic() - started
        plain_text, _ = plain_process.communicate(timeout=300)
        plain_seconds = time.monotonic() - started
        first_still_running = first.poll() is None
    finally:
        first_output, _ = first.communicate(timeout=600)

    # The wrapper: one line, says "in use", exit code 75, no dbt started.
    assert wrapped.returncode == 75, wrapped.stdout + wrapped.stderr
    assert wrapped_seconds < 10
    assert f"database {db_path} is in use by another run" in wrapped.stderr
    assert len(wrapped.stderr.strip().splitlines()) == 1

    # Plain dbt: fails before doing any work, and its message names the file and the lock.
    assert plain_process.returncode != 0, (
        f"a second dbt build succeeded beside the first ({plain_seconds:.1f}s):\n{plain_text[-2000:]}"
    )
    assert first_still_running, f"the first build ended before the second failed ({plain_seconds:.1f}s)"
    assert "Could not set lock on file" in plain_text and "Conflicting lock" in plain_text, plain_text[-3000:]
    assert str(db_path) in plain_text
    assert " OK created " not in plain_text and " OK loaded seed " not in plain_text

    # The first build completes, and its tables equal those of the first database, apart from
    # the columns that stamp when a build wrote a row (processed_at, ...).
    assert first.returncode == 0, first_output[-4000:]
    since = FIRST_BUILD_STARTED[0]
    stamps = load_stamp_columns(first_path, since) | load_stamp_columns(db_path, since)
    problems = diff_snapshots(snapshot(first_path, exclude=stamps), snapshot(db_path, exclude=stamps))
    assert _explain(problems, first_path, db_path) == []


def test_wrapper_reports_a_database_held_by_another_process(tmp_path: Path, first_db: tuple[Path, dict]) -> None:
    db_path = tmp_path / "held.duckdb"
    shutil.copy(first_db[0], db_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
         str(db_path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = subprocess.run(
            [*WRAPPER, "build"], cwd=PROJECT_DIR, env=dbt_env(db_path),
            capture_output=True, text=True, timeout=60,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 75, result.stdout + result.stderr
    assert f"database {db_path} is in use by another process" in result.stderr
    assert "Conflicting lock" in result.stderr
    # Once the holder is gone the database opens normally: nothing was damaged.
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert con.execute("select count(*) from information_schema.tables").fetchone()[0] > 10
    finally:
        con.close()


def test_table_from_an_older_model_version_asks_for_a_full_refresh(
    tmp_path: Path, first_db: tuple[Path, dict], raw_glob: str
) -> None:
    """A stored staging table without a column the model now reads back (as a table built by an
    older version would be) stops the incremental run with a message naming the model, the
    column and the fix, instead of a bare binder error."""
    db_path = tmp_path / "older.duckdb"
    shutil.copy(first_db[0], db_path)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("alter table intermediate.int_events__judged drop column raw_values_key")
    finally:
        con.close()
    result = build(db_path, Path(raw_glob), check=False, command=("run", "--select", "int_events__judged"))
    text = (result.stdout or "") + (result.stderr or "")
    assert result.returncode != 0, text[-3000:]
    assert "model int_events__judged" in text and "lacks column(s) raw_values_key" in text, text[-3000:]
    assert "--full-refresh" in text
    # The fix it names works.
    rebuilt = build(db_path, Path(raw_glob), check=False,
                    command=("run", "--full-refresh", "--select", "int_events__judged"))
    assert rebuilt.returncode == 0, ((rebuilt.stdout or "") + (rebuilt.stderr or ""))[-3000:]


def test_the_whole_main_job_holds_one_lock(tmp_path: Path) -> None:
    """`make build` runs its seeds, build and docs steps under one lock (the wrapper's `--`
    form): a second run fails at once in one line naming the way to wait; `--wait` waits."""
    env = dbt_env(tmp_path / "job.duckdb")
    holder = subprocess.Popen(
        [*WRAPPER, "--", sys.executable, "-c",
         "import time; print('held', flush=True); time.sleep(6)"],
        cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        second = subprocess.run(
            [*WRAPPER, "--", "true"], cwd=PROJECT_DIR, env=env,
            capture_output=True, text=True, timeout=30,
        )
        assert second.returncode == 75, second.stderr
        assert len(second.stderr.strip().splitlines()) == 1, second.stderr
        assert "is in use by another run" in second.stderr and "WAIT=1" in second.stderr
        waited = subprocess.run(
            [*WRAPPER, "--wait", "--", sys.executable, "-c", "print('ran')"],
            cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60,
        )
        assert holder.poll() is not None, "--wait ran beside the holder instead of after it"
        assert waited.returncode == 0 and waited.stdout.strip() == "ran", waited.stderr
    finally:
        holder.kill()
        holder.wait()
