"""`make test`'s runner: numbered, timed steps, and no "OK" when a check was skipped or failed.

Hand-made runs: steps that are tiny Python commands, and a JUnit report written by hand with
one skipped test, so every outcome of the summary is known in advance.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rich.console import Console

from metrics_tools import checks as run_checks

JUNIT_ONE_SKIP = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2" skipped="1">
<testcase classname="test_docs_browser" name="test_static_docs_in_a_real_browser">
<skipped type="pytest.skip" message="no Chromium (apt-get install -y chromium)">skip</skipped></testcase>
<testcase classname="test_access" name="test_public_models"/>
</testsuite></testsuites>
"""


def python_step(title: str, code: str) -> run_checks.Step:
    return run_checks.Step(title, [sys.executable, "-c", code])


def run_plan(tmp_path: Path, plan: list[run_checks.Step], allow_skips: bool, junit: str | None) -> tuple[int, str]:
    if junit is not None:
        (tmp_path / "pytest.xml").write_text(junit, encoding="utf-8")
    console = Console(record=True, width=200, force_terminal=False)
    code = run_checks.run(plan, tmp_path, allow_skips, console)
    return code, console.export_text()


def test_all_passed_and_nothing_skipped_is_ok(tmp_path: Path) -> None:
    plan = [python_step("first", "pass"), python_step("second", "pass")]
    code, out = run_plan(tmp_path, plan, allow_skips=False, junit=None)
    assert code == 0
    assert "[1/2] first" in out and "[2/2] second" in out
    assert "make test: OK - all 2 checks passed, nothing skipped" in out


@pytest.mark.parametrize(("allow_skips", "expected_code", "verdict"), [(False, 1, "make test: NOT OK"), (True, 0, "make test: OK")])
def test_a_skipped_test_is_listed_and_not_ok_unless_allowed(
    tmp_path: Path, allow_skips: bool, expected_code: int, verdict: str
) -> None:
    code, out = run_plan(tmp_path, [python_step("only", "pass")], allow_skips, JUNIT_ONE_SKIP)
    assert code == expected_code
    assert "SKIPPED test_docs_browser::test_static_docs_in_a_real_browser: no Chromium" in out
    assert verdict in out
    assert "test_public_models" not in out  # a test that ran is not listed


def test_a_failed_step_stops_the_run_and_later_steps_show_not_run(tmp_path: Path) -> None:
    plan = [python_step("breaks", "raise SystemExit(3)"), python_step("never", "pass")]
    code, out = run_plan(tmp_path, plan, allow_skips=True, junit=None)
    assert code == 1
    assert plan[0].status == "FAILED (exit 3)" and plan[1].status == "not run"
    assert "make test: FAILED at step 1 (breaks)" in out
    assert "OK" not in out.replace("NOT OK", "")


def test_the_real_plan_keeps_every_check() -> None:
    titles = " ".join(step.title for step in run_checks.steps(Path("/tmp/x")))
    for check in ("dbt build", "mf validate-configs", "dbt-score", "tracking plan docs", "sqlfluff", "pytest",
                  "structure check"):
        assert check in titles
