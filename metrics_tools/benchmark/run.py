"""One benchmark size: generate the data, build, run one incremental day, run the baselines."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from metrics_tools import PROJECT_DIR
from metrics_tools.benchmark.baselines import BASELINE_SQL, PANDAS_BASELINE, RSS_WRAPPER
from metrics_tools.cli import ToolError

PYTHON = Path(sys.executable)
DBT = PYTHON.with_name("dbt")
HISTORY_DAYS = 60
@dataclass
class Measure:
    seconds: float
    peak_rss_mb: float
    error: str = ""


def fail(message: str) -> NoReturn:
    raise ToolError(message)


def measured(command: list[str], env: dict[str, str] | None = None, may_fail: bool = False) -> Measure:
    """Run a command and return its wall time and peak RSS. A failure stops the benchmark, unless
    may_fail: then the measure carries the command's last error line (a run that does not
    complete is a result worth recording, with how far it got)."""
    started = time.perf_counter()
    result = subprocess.run(
        [str(PYTHON), "-c", RSS_WRAPPER, *command],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak_kb = int(result.stderr.strip().splitlines()[-1].split()[-1])
    if result.returncode != 0:
        if not may_fail:
            fail(f"{' '.join(command[:3])} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        # dbt reports errors on stdout; a Python baseline's exception ends up on stderr.
        output = result.stdout.splitlines() + result.stderr.splitlines()
        errors = [line.strip() for line in output if "Error" in line]
        return Measure(seconds, peak_kb / 1024, errors[-1] if errors else f"exit code {result.returncode}")
    return Measure(seconds, peak_kb / 1024)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def generate(size: int, directory: Path) -> None:
    marker = directory / ".complete"
    if marker.exists():
        return
    shutil.rmtree(directory, ignore_errors=True)
    progress(f"generating {size:,} events over {HISTORY_DAYS + 1} days into {directory}")
    subprocess.run(
        [str(PYTHON), "-m", "metrics_tools", "generate", "--events", str(size), "--days", str(HISTORY_DAYS + 1),
         "--output", str(directory), "--format", "parquet", "--seed", "2026"],
        cwd=PROJECT_DIR,
        check=True,
    )
    marker.touch()


def dbt_env(db_path: Path, memory_limit: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "DBT_DUCKDB_PATH": str(db_path),
        "DBT_DUCKDB_MEMORY_LIMIT": memory_limit,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    })
    return env


def dbt_command(args: list[str], work_dir: Path, raw_glob: Path) -> list[str]:
    return [str(DBT), *args, "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
            "--vars", json.dumps({"raw_events_path": str(raw_glob)})]


def count_rows(raw_glob: Path) -> int:
    import duckdb

    with duckdb.connect() as connection:
        row = connection.execute(f"select count(*) from read_parquet('{raw_glob}')").fetchone()
    return int(row[0]) if row else 0


Result = dict[str, float | str]


def run_size(size: int, work_root: Path, memory_limit: str, with_pandas: bool) -> Result:
    all_days = work_root / f"events_{size}"
    generate(size, all_days)
    files = sorted(all_days.glob("events_*.parquet"))
    if len(files) < HISTORY_DAYS + 1:
        fail(f"{all_days} holds {len(files)} daily files, expected {HISTORY_DAYS + 1}")
    run_dir = work_root / f"run_{size}"
    shutil.rmtree(run_dir, ignore_errors=True)
    landing = run_dir / "landing"
    landing.mkdir(parents=True)
    for file in files[:HISTORY_DAYS]:
        (landing / file.name).symlink_to(file)
    raw_glob = landing / "*.parquet"
    history_rows = count_rows(raw_glob)
    env = dbt_env(run_dir / "warehouse.duckdb", memory_limit)
    result: Result = {"raw_rows": float(history_rows)}

    progress(f"{size:,}: dbt seed")
    measured(dbt_command(["seed"], run_dir, raw_glob), env)
    progress(f"{size:,}: full build (dbt run) on {HISTORY_DAYS} days, {history_rows:,} raw rows")
    full = measured(dbt_command(["run"], run_dir, raw_glob), env, may_fail=True)
    result.update(full_seconds=full.seconds, full_peak_rss_mb=full.peak_rss_mb,
                  events_per_second=history_rows / full.seconds)
    if full.error:
        progress(f"{size:,}: full build did not complete: {full.error}")
        result["full_error"] = full.error
    else:
        for file in files[HISTORY_DAYS:]:
            (landing / file.name).symlink_to(file)
        new_rows = count_rows(raw_glob) - history_rows
        progress(f"{size:,}: incremental run of one new day ({new_rows:,} raw rows)")
        incremental = measured(dbt_command(["run"], run_dir, raw_glob), env, may_fail=True)
        result.update(incremental_rows=float(new_rows), incremental_seconds=incremental.seconds,
                      incremental_peak_rss_mb=incremental.peak_rss_mb)
        if incremental.error:
            # The full build's figures and the baselines are still worth recording.
            progress(f"{size:,}: incremental run did not complete: {incremental.error}")
            result["incremental_error"] = incremental.error
    # The warehouse and its spill files are not needed by the baselines; free the disk first (at
    # 100M events they hold tens of GB, and the baselines spill to the same disk).
    shutil.rmtree(run_dir / "warehouse.duckdb.tmp", ignore_errors=True)
    for leftover in (run_dir / "warehouse.duckdb", run_dir / "warehouse.duckdb.wal"):
        leftover.unlink(missing_ok=True)

    history_glob = run_dir / "history" / "*.parquet"
    history_glob.parent.mkdir()
    for file in files[:HISTORY_DAYS]:
        (history_glob.parent / file.name).symlink_to(file)
    sql = BASELINE_SQL.format(glob=history_glob, plan=PROJECT_DIR / "seeds" / "tracking_plan.csv")
    progress(f"{size:,}: hand-written DuckDB SQL baseline")
    duckdb_script = f"import duckdb, sys\nc = duckdb.connect()\nc.execute(\"set memory_limit='{memory_limit}'\")\nprint(c.execute(sys.argv[1]).fetchall())"
    lower_bound = measured([str(PYTHON), "-c", duckdb_script, sql], may_fail=True)
    result.update(duckdb_sql_seconds=lower_bound.seconds, duckdb_sql_peak_rss_mb=lower_bound.peak_rss_mb)
    if lower_bound.error:
        progress(f"{size:,}: DuckDB SQL baseline did not complete: {lower_bound.error}")
        result["duckdb_sql_error"] = lower_bound.error
    if with_pandas:
        progress(f"{size:,}: pandas baseline")
        pandas_run = measured([str(PYTHON), "-c", PANDAS_BASELINE, str(history_glob),
                               str(PROJECT_DIR / "seeds" / "tracking_plan.csv")])
        result.update(pandas_seconds=pandas_run.seconds, pandas_peak_rss_mb=pandas_run.peak_rss_mb)
    return result
