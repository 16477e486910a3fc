"""The "How we know these numbers are right" page: rendered from the run's records only, checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dbt_helpers import PROJECT_DIR

from metrics_tools import verification_docs as page


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "metrics_tools", "verification-docs", *args],
                          cwd=PROJECT_DIR, capture_output=True, text=True, check=False)


def test_page_shows_only_what_was_recorded(tmp_path: Path) -> None:
    records = [
        {"kind": "oracle", "subject": "metrics_a", "dataset": "seed", "compared": 1200, "mismatches": 0, "unit": "cells"},
        {"kind": "oracle", "subject": "metrics_a", "dataset": "generated", "compared": 30, "mismatches": 2, "unit": "cells"},
        {"kind": "test", "subject": "tests/test_x.py::test_y_by_hand", "outcome": "passed", "hand_worked": True},
        {"kind": "test", "subject": "tests/test_x.py::test_other", "outcome": "passed", "hand_worked": False},
    ]
    text = page.render(records)
    assert "| `metrics_a` | 1,200 (0) | 30 (2) |" in text
    assert "| **total** | **1,200 (0)** | **30 (2)** |" in text
    assert "1 of 1 hand-worked cases passed" in text and "test_other" not in text
    assert text.count("Not measured in this run") == 3  # incremental, thresholds and Spark
    assert text.startswith("{% docs __product_metrics__ %}") and text.rstrip().endswith("{% enddocs %}")


def test_check_and_missing_records_fail_in_one_line(tmp_path: Path) -> None:
    result = run("--records", str(tmp_path), "--output", str(tmp_path / "page.md"))
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1 and "run pytest" in result.stderr
    (tmp_path / "pytest-gw0.json").write_text(json.dumps([]), encoding="utf-8")
    assert run("--records", str(tmp_path), "--output", str(tmp_path / "page.md")).returncode == 0
    assert run("--records", str(tmp_path), "--output", str(tmp_path / "page.md"), "--check").returncode == 0
    (tmp_path / "page.md").write_text("stale", encoding="utf-8")
    stale = run("--records", str(tmp_path), "--output", str(tmp_path / "page.md"), "--check")
    assert stale.returncode == 1 and "out of date" in stale.stderr


def test_committed_page_is_a_rendered_page() -> None:
    text = page.DEFAULT_OUTPUT.read_text(encoding="utf-8")
    assert text.startswith("{% docs __product_metrics__ %}")
    assert "# How we know these numbers are right" in text
