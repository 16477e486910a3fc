"""Run every check of `make test`, numbered and timed, and end with an honest summary.

Steps (each one must pass; the run stops at the first failure):
  1. dbt build + all dbt tests on a temporary DuckDB file (never yours)
  2. mf validate-configs (MetricFlow semantic layer) on that file
  3. dbt-score lint (everything described, layer prefixes)
  4. the tracking plan docs are up to date with the seed
  5. sqlfluff lint (dbt templater, duckdb dialect)
  6. pytest (every test file; progress per file)
  7. the structure check (layer rules, from the build's manifest.json: python -m metrics_tools structure)
  8. the "How we know these numbers are right" page equals what that pytest run measured

The summary lists every step with its time, and every pytest test that was skipped with the
reason. A skipped test makes the run fail ("NOT OK") unless skips were asked for with
`--allow-skips` (`make test ALLOW_SKIPS=1`), since a skipped check has proved nothing.

Example:
  .venv/bin/python -m metrics_tools checks --work-dir /tmp/product-metrics-test
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from metrics_tools import PROJECT_DIR

BIN = Path(sys.executable).parent


@dataclass
class Step:
    """One check: a title, a command, where it runs and extra environment."""

    title: str
    command: list[str]
    cwd: Path = PROJECT_DIR
    env: dict[str, str] = field(default_factory=dict)
    status: str = "not run"
    seconds: float = 0.0


@dataclass(frozen=True)
class Skipped:
    """A pytest test that did not run, and why."""

    test: str
    reason: str


def steps(work: Path) -> list[Step]:
    """The checks, in order, writing only under ``work``."""
    db = str(work / "test.duckdb")
    target = work / "target"
    mf_dir = work / "mf"
    return [
        Step(
            f"dbt build + all dbt tests on a temporary DuckDB ({db})",
            [str(BIN / "dbt"), "build", "--target-path", str(target), "--log-path", str(work / "logs")],
            env={"DBT_DUCKDB_PATH": db},
        ),
        Step(
            "mf validate-configs (MetricFlow semantic layer, on the temporary DuckDB)",
            [str(BIN / "mf"), "validate-configs"],
            cwd=mf_dir,
            env={"DBT_DUCKDB_PATH": db, "DBT_PROJECT_DIR": str(mf_dir)},
        ),
        Step(
            "documentation lint (dbt-score: everything described, layer prefixes)",
            [str(BIN / "dbt-score"), "lint", "--manifest", str(target / "manifest.json")],
        ),
        Step(
            "tracking plan docs up to date with the seed",
            [str(BIN / "python"), "-m", "metrics_tools", "tracking-plan-docs", "--check"],
        ),
        Step(
            "sqlfluff lint (dbt templater, duckdb dialect)",
            [str(BIN / "sqlfluff"), "lint", "models", "tests/dbt"],
            env={"DBT_DUCKDB_PATH": db},
        ),
        Step(
            "pytest (each file's tests, then the skipped ones listed)",
            # `legacy` keeps record_property (the oracle's cells-compared summary) in the report.
            [str(BIN / "python"), "-m", "pytest", f"--junitxml={work / 'pytest.xml'}", "-o", "junit_family=legacy"],
            # The session's default build is step 1's (tests/conftest.py copies it, never rebuilds).
            env={"PRODUCT_METRICS_BUILT_DIR": str(work)},
        ),
        # Last, so that every other check has run when it fails (docs/decisions/0008).
        Step(
            "structure check (layer rules from the build's manifest.json)",
            [str(BIN / "python"), "-m", "metrics_tools", "structure", "--manifest", str(target / "manifest.json")],
        ),
        Step(
            '"How we know these numbers are right" page up to date with this pytest run',
            [str(BIN / "python"), "-m", "metrics_tools", "verification-docs", "--check"],
        ),
    ]


def prepare_mf_dir(work: Path) -> None:
    """`mf` reads the project and target/ from its working folder: point it at the test build."""
    mf_dir = work / "mf"
    mf_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_DIR / "dbt_project.yml", mf_dir / "dbt_project.yml")
    link = mf_dir / "target"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(work / "target")


def skipped_tests(junit_xml: Path) -> list[Skipped]:
    """Tests pytest reported as skipped, from its JUnit XML report."""
    if not junit_xml.is_file():
        return []
    found: list[Skipped] = []
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        skip = case.find("skipped")
        if skip is not None:
            found.append(Skipped(f"{case.get('classname', '')}::{case.get('name', '')}", skip.get("message", "").strip()))
    return found


def minutes(seconds: float) -> str:
    """72.4 -> '1 min 12 s'."""
    return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {int(seconds % 60)} s"


def run(plan: list[Step], work: Path, allow_skips: bool, console: Console) -> int:
    """Run the steps, print the summary; 0 only when everything ran and passed."""
    started = time.monotonic()
    for number, step in enumerate(plan, start=1):
        console.rule(f"[bold][{number}/{len(plan)}] {step.title}", align="left")
        step_start = time.monotonic()
        result = subprocess.run(step.command, cwd=step.cwd, env={**os.environ, **step.env}, check=False)
        step.seconds = time.monotonic() - step_start
        step.status = "passed" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
        console.print(f"[{number}/{len(plan)}] {step.status} in {minutes(step.seconds)}")
        if result.returncode != 0:
            break
    skipped = skipped_tests(work / "pytest.xml")
    total = time.monotonic() - started

    table = Table(title="make test summary", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("check")
    table.add_column("result")
    table.add_column("time", justify="right")
    for number, step in enumerate(plan, start=1):
        table.add_row(str(number), step.title, step.status, minutes(step.seconds) if step.seconds else "-")
    console.print(table)
    for skip in skipped:
        console.print(f"SKIPPED {skip.test}: {skip.reason}")

    failed = [step for step in plan if step.status != "passed"]
    if failed:
        console.print(f"make test: FAILED at step {plan.index(failed[0]) + 1} ({failed[0].title}) after {minutes(total)}")
        return 1
    if skipped and not allow_skips:
        console.print(
            f"make test: NOT OK - every check passed but {len(skipped)} test(s) were skipped (listed above) "
            f"after {minutes(total)}; fix what they need, or accept with `make test ALLOW_SKIPS=1`"
        )
        return 1
    note = f", {len(skipped)} skipped as asked (ALLOW_SKIPS=1)" if skipped else ", nothing skipped"
    console.print(f"make test: OK - all {len(plan)} checks passed{note}, in {minutes(total)}")
    return 0


@click.command()
@click.option("--work-dir", type=click.Path(path_type=Path), required=True,
              help="temporary folder for the test database and target/")
@click.option("--allow-skips", is_flag=True, help="a skipped pytest test does not fail the run (still listed)")
def checks(work_dir: Path, allow_skips: bool) -> int:
    """Run every check of `make test`, numbered and timed, and end with an honest summary (every
    skipped test listed; a skip fails the run unless --allow-skips)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / "pytest.xml").unlink(missing_ok=True)
    prepare_mf_dir(work_dir)
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=120)  # a CI log: do not cut the step titles at 80
    return run(steps(work_dir), work_dir, allow_skips, console)
