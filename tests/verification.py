"""What the test run measured, for the docs page "How we know these numbers are right".

Tests report their comparisons here (`record`); conftest.py writes each pytest process's records
to `target/verification/pytest-<worker>.json` at the end of the session, and
`python -m metrics_tools verification-docs` turns them into `models/docs/verification.md`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from dbt_helpers import PROJECT_DIR

# Where the records go: target/verification (VERIFICATION_DIR overrides it).
DIRECTORY = Path(os.environ.get("VERIFICATION_DIR", PROJECT_DIR / "target" / "verification"))

RECORDS: list[dict[str, Any]] = []


def record(kind: str, subject: str, dataset: str, compared: int, mismatches: int, unit: str = "cells") -> None:
    """One comparison: `kind` is oracle, incremental or thresholds; `subject` a model or check."""
    RECORDS.append(
        {"kind": kind, "subject": subject, "dataset": dataset, "compared": compared, "mismatches": mismatches, "unit": unit}
    )


def record_test(nodeid: str, outcome: str, hand_worked: bool) -> None:
    """The outcome of one test (hand-worked cases are listed on the page)."""
    RECORDS.append({"kind": "test", "subject": nodeid, "outcome": outcome, "hand_worked": hand_worked})


def clear() -> None:
    """Drop the fragments of an earlier pytest run (called once, before the tests start)."""
    for path in DIRECTORY.glob("pytest-*.json"):
        path.unlink()


def write(worker: str) -> Path | None:
    if not RECORDS:
        return None
    DIRECTORY.mkdir(parents=True, exist_ok=True)
    path = DIRECTORY / f"pytest-{worker}.json"
    path.write_text(json.dumps(RECORDS, indent=1, default=str), encoding="utf-8")
    return path
