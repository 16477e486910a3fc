"""A run always equals a full refresh of the current inputs (contract v2, "Input state").

One working database follows a collector's landing folder through the changes a data team
makes, and after each run its models are compared with a clean full build of the same inputs:
a new file (loaded incrementally), the same files under another path spelling, a loaded file
changed, a loaded file removed, the raw source switched to the seed, a changed tracking plan,
and runs killed with SIGKILL at five points. References are clean builds made once and reused
wherever the inputs are the same.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from dbt_helpers import DBT_EXECUTABLE, PROJECT_DIR, dbt_env
from reliability_helpers import WITHOUT_DATA_TESTS, build, copy_project, diff_snapshots, output, snapshot

GENERATOR = [sys.executable, "-m", "metrics_tools", "generate"]
# What the models hold; load stamps (when a row was written) differ between any two builds,
# and references read the same files from a folder of their own.
MODEL_SCHEMAS = ("staging", "intermediate", "marts", "metrics", "semantic")
STAMPS = ("written_at", "processed_at", "affected_at", "owner_changed_at", "source_written_at", "source_file",
          "previous_device_user_id")
# Logs of what each run rebuilt: they differ between any two histories of runs by design.
RUN_LOGS = ("intermediate.int_affected_users",)


def model_snapshot(db_path: Path) -> dict:
    """Fingerprints of every model's rows, load stamps and the raw file paths left out."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        excluded = [
            f"{schema}.{table}.{column}"
            for schema, table, column in con.execute(
                "select table_schema, table_name, column_name from information_schema.columns"
            ).fetchall()
            if column in STAMPS
        ]
    finally:
        con.close()
    tables = snapshot(db_path, MODEL_SCHEMAS, exclude=excluded)
    return {name: fingerprint for name, fingerprint in tables.items() if name not in RUN_LOGS}


class Landing:
    """A landing folder of daily Parquet files and its clean reference builds."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.source = root / "generated"
        self.folder = root / "landing"
        subprocess.run(
            [*GENERATOR, "--seed", "23", "--events", "6000", "--days", "12",
             "--output", str(self.source), "--format", "parquet", "--quiet"],
            check=True,
        )
        self.files = sorted(self.source.glob("*.parquet"))
        assert len(self.files) >= 12
        self.folder.mkdir()

    @property
    def glob(self) -> Path:
        return self.folder / "*.parquet"

    def land(self, files: list[Path]) -> None:
        """Make the landing folder hold exactly these files."""
        for present in self.folder.glob("*.parquet"):
            if present.name not in {file.name for file in files}:
                present.unlink()
        for file in files:
            target = self.folder / file.name
            if not target.exists() or target.read_bytes() != file.read_bytes():
                shutil.copy(file, target)

    def reference(self, name: str, files: list[Path]) -> dict:
        """A clean full build of exactly these files, in a folder of its own."""
        folder = self.root / f"reference_{name}"
        folder.mkdir()
        for file in files:
            shutil.copy(file, folder / file.name)
        db_path = self.root / f"reference_{name}.duckdb"
        build(db_path, folder / "*.parquet", data_tests=False)
        return model_snapshot(db_path)


def halved(file: Path, destination: Path) -> Path:
    """The same day's file with every other row: a loaded file changed in place."""
    con = duckdb.connect()
    try:
        con.execute(
            f"copy (select * from read_parquet('{file}') where hash(insert_id, event_time) % 2 = 0) "
            f"to '{destination}' (format parquet)"
        )
    finally:
        con.close()
    return destination


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    return Landing(tmp_path_factory.mktemp("input_state"))


def assert_same_models(db_path: Path, expected: dict, case: str) -> None:
    problems = diff_snapshots(expected, model_snapshot(db_path))
    assert problems == [], f"{case}: the models differ from a clean full build of the same inputs: {problems}"


def test_every_change_equals_a_clean_full_build(landing: Landing, tmp_path: Path) -> None:
    files = landing.files
    early = files[:-1]
    changed_last = halved(files[-1], tmp_path / files[-1].name)
    reference_all = landing.reference("all", files)
    reference_changed = landing.reference("changed", [*early, changed_last])
    db_path = tmp_path / "working.duckdb"

    # The first build of the early days is itself a clean full build of them.
    landing.land(early)
    build(db_path, landing.glob, data_tests=False)
    reference_early = model_snapshot(db_path)

    # A new day lands: loaded incrementally, nothing rebuilt.
    landing.land(files)
    result = build(db_path, landing.glob, data_tests=False)
    assert "Inputs changed" not in output(result)
    assert_same_models(db_path, reference_all, "a new file")

    # The last day's file is replaced by another version of it.
    landing.land([*early, changed_last])
    result = build(db_path, landing.glob, data_tests=False)
    assert f"raw file {landing.folder / files[-1].name} changed" in output(result)
    assert_same_models(db_path, reference_changed, "a changed file")

    # The same files under a relative path spelling are the same rows, not new ones.
    relative = Path(os.path.relpath(landing.folder, PROJECT_DIR)) / "*.parquet"
    result = build(db_path, relative, data_tests=False)
    assert "Inputs changed" in output(result)
    assert_same_models(db_path, reference_changed, "another path spelling")

    # A loaded file is removed.
    landing.land(early)
    result = build(db_path, landing.glob, data_tests=False)
    assert "is gone" in output(result)
    assert_same_models(db_path, reference_early, "a removed file")


def test_switching_to_the_seed_gives_the_sample(landing: Landing, default_db: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "switch.duckdb"
    landing.land(landing.files[:3])
    build(db_path, landing.glob, data_tests=False)
    result = build(db_path, None, data_tests=False)
    assert "raw source switched from raw files to the raw_events seed" in output(result)
    assert_same_models(db_path, model_snapshot(default_db), "raw source switched to the seed")


def test_a_changed_tracking_plan_rebuilds_or_stops(landing: Landing, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    landing.land(landing.files[:4])
    db_path = tmp_path / "plan.duckdb"
    build(db_path, landing.glob, project_dir=project, data_tests=False)

    plan = project / "seeds" / "tracking_plan.csv"
    lines = plan.read_text().splitlines(keepends=True)
    # A planned event that no other seed names (funnels, aliases, ...) is no longer planned: its
    # rows become unplanned events.
    other_seeds = "".join(
        path.read_text() for path in (project / "seeds").glob("*.csv") if path.stem not in ("tracking_plan", "raw_events")
    )
    dropped_line = next(line for line in lines[1:] if line.split(",", 1)[0] not in other_seeds)
    dropped_event = dropped_line.split(",", 1)[0]
    plan.write_text("".join(line for line in lines if line != dropped_line))

    stopped = build(db_path, landing.glob, {"on_input_change": "fail"}, project_dir=project, check=False,
                    data_tests=False)
    text = output(stopped)
    assert stopped.returncode != 0
    assert "seed tracking_plan changed" in text and "dbt build --full-refresh" in text, text[-2000:]
    assert " OK created " not in text, "a run that stops on changed inputs must write nothing"

    result = build(db_path, landing.glob, project_dir=project, data_tests=False)
    assert "seed tracking_plan changed" in output(result)
    reference_path = tmp_path / "plan_reference.duckdb"
    build(reference_path, landing.glob, project_dir=project, data_tests=False)
    assert_same_models(db_path, model_snapshot(reference_path), "a changed tracking plan")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        seen = con.execute("select count(*) from staging.stg_events where event_name = ?", [dropped_event]).fetchone()
    finally:
        con.close()
    assert seen == (0,)


def _build_process(db_path: Path, glob: Path, work_dir: Path) -> subprocess.Popen[str]:
    command = [
        str(DBT_EXECUTABLE), "build", "--project-dir", str(PROJECT_DIR),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
        "--vars", ('{"raw_events_path": "%s", "freshness_severity": "warn", '
                   '"data_quality_threshold_severity": "warn"}') % glob,
        "--exclude", "raw_events", *WITHOUT_DATA_TESTS,
    ]
    return subprocess.Popen(
        command, cwd=PROJECT_DIR, env=dbt_env(db_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )


def _kill_when(process: subprocess.Popen[str], needle: str, timeout: float = 300) -> bool:
    """SIGKILL the run (and its children) as soon as its output shows ``needle``; False when
    the run ended first."""
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    for line in process.stdout:
        if needle in line:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return True
        if time.monotonic() > deadline:
            break
    process.wait()
    return False


# Where a run is killed: while it checks its inputs, while staging loads a file, half-way
# through the per-person models, while the metric tables are written, and in its last hook.
KILL_POINTS = (
    "START hook: product_metrics.on-run-start",
    "START sql incremental model intermediate.int_events__judged",
    "START sql incremental model marts.fct_sessions",
    "START sql table model metrics.metrics_active_users_daily",
    "START hook: product_metrics.on-run-end",
)


def test_runs_killed_at_five_points_then_run_again(landing: Landing, tmp_path: Path) -> None:
    files = landing.files
    db_path = tmp_path / "killed.duckdb"
    landing.land(files[:-2])
    build(db_path, landing.glob, data_tests=False)
    # New days land and each run is killed at one more point; then a run completes.
    landing.land(files[:-1])
    killed = []
    for point in KILL_POINTS:
        process = _build_process(db_path, landing.glob, tmp_path / "killed")
        killed.append(_kill_when(process, point))
        if point == KILL_POINTS[2]:
            landing.land(files)  # and a file arrives between two killed runs
    assert all(killed), f"runs that ended before their kill point: {killed}"
    build(db_path, landing.glob, data_tests=False)
    reference_path = tmp_path / "killed_reference.duckdb"
    build(reference_path, landing.glob, data_tests=False)
    assert_same_models(db_path, model_snapshot(reference_path), "runs killed at five points")


STEERING_VARS = {"raw_events_path", "on_input_change", "plan_coverage_severity", "freshness_warn_hours",
                 "freshness_error_hours", "freshness_severity", "data_quality_threshold_severity"}
"""Vars that steer a run (what it checks, how loud) without changing what a model holds."""


def test_every_var_that_shapes_results_is_an_input() -> None:
    """A var added to dbt_project.yml is either listed in input_state_vars() (a change to it
    rebuilds) or is a run-steering var: never silently left out of the input state."""
    project_vars = set(yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"])
    macro = (PROJECT_DIR / "macros" / "incremental" / "input_state.sql").read_text()
    listed = set(re.findall(r"'([a-z_]+)'", macro[macro.index("macro input_state_vars"):macro.index("endmacro")]))
    assert project_vars - STEERING_VARS == listed, (
        f"not in input_state_vars(): {sorted(project_vars - STEERING_VARS - listed)}; "
        f"listed but not a project var: {sorted(listed - project_vars)}"
    )
