"""Freshness (issue 7, item 7): the dbt test `clean_events_are_fresh` (tests/dbt/generic/)
warns, then errors, as the newest clean event falls behind the newest `received_at`.

The test is attached to `int_events__judged` (every raw row with its verdict). Until that
line is in the model's YAML, this test attaches it in a throw-away copy.
Crafted data: clean events up to T, then only quarantined rows (an unplanned event) received
at T + 30 h, i.e. the SDKs still send but nothing clean comes out for 30 hours.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

import oracle
from dbt_helpers import PROJECT_DIR
from reliability_helpers import build, copy_project, output, write_raw_csv

TEST_NAME = "clean_events_are_fresh"
SEVERITY = {"freshness_severity": "error"}


def _attach(project: Path) -> None:
    """Attach the freshness test to int_events__judged unless the project already does."""
    path = next(
        path
        for path in sorted((project / "models").rglob("*.yml"))
        if any(m.get("name") == "int_events__judged" for m in yaml.safe_load(path.read_text()).get("models") or [])
    )
    document = yaml.safe_load(path.read_text())
    model = next(m for m in document["models"] if m["name"] == "int_events__judged")
    tests = model.setdefault("data_tests", [])
    if not any(TEST_NAME in (t if isinstance(t, str) else next(iter(t))) for t in tests):
        tests.append(TEST_NAME)
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))


def _row(name: str, event_time: str, received_at: str, insert_id: str) -> dict[str, str]:
    return {
        "insert_id": insert_id, "event_name": name, "user_id": "u1", "device_id": "d1",
        "event_time": event_time, "received_at": received_at, "platform": "ios",
        "app_version": "5.1.0", "country": "SE", "properties": "{}",
    }


@pytest.fixture(scope="module")
def stale_build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("freshness")
    project = copy_project(work / "project")
    _attach(project)
    rows = [
        _row("app_opened", f"2026-08-{day:02d}T10:00:00Z", f"2026-08-{day:02d}T10:01:00Z", f"c{day}")
        for day in range(10, 16)
    ]
    # The newest clean event: 2026-08-15T10:00; the newest received row, quarantined: 30 h later.
    rows.append(_row("no_such_event", "2026-08-16T16:00:00Z", "2026-08-16T16:00:00Z", "q1"))
    raw_path = write_raw_csv(work / "stale.csv", rows)
    db_path = work / "fresh.duckdb"
    # The default thresholds (warn above 24 h, error above 48 h): 30 h behind warns.
    # Severity "error" explicitly: the helpers may default crafted files to "warn".
    result = build(db_path, raw_path, project_dir=project, check=False, extra_vars=dict(SEVERITY))
    return {"project": project, "raw_path": raw_path, "db_path": db_path, "result": result}


def _status_line(text: str) -> str:
    lines = [line for line in text.splitlines() if TEST_NAME in line and re.search(r"\b(PASS|WARN|ERROR|FAIL)\b", line)]
    assert lines, f"the freshness test did not run:\n{text[-3000:]}"
    return lines[-1]


def test_warns_past_the_warn_threshold(stale_build: dict) -> None:
    text = output(stale_build["result"])
    assert stale_build["result"].returncode == 0, text[-4000:]
    assert re.search(r"WARN 30\b", _status_line(text)), _status_line(text)


@pytest.mark.parametrize(
    ("warn_hours", "error_hours", "expected"),
    [(12, 24, r"FAIL 30\b"), (36, 48, r"PASS\b")],
)
def test_errors_past_the_error_threshold_and_passes_below(
    stale_build: dict, warn_hours: int, error_hours: int, expected: str
) -> None:
    result = build(
        stale_build["db_path"], stale_build["raw_path"], project_dir=stale_build["project"], check=False,
        extra_vars={**SEVERITY, "freshness_warn_hours": warn_hours, "freshness_error_hours": error_hours},
        command=("test", "--select", f"test_name:{TEST_NAME}"),
    )
    line = _status_line(output(result))
    assert re.search(expected, line), line
    assert (result.returncode != 0) == expected.startswith("FAIL")


def test_the_sample_seed_is_fresh_under_the_default_thresholds() -> None:
    """The defaults must not fire on the committed sample (`make build` stays green)."""
    raw_seed = PROJECT_DIR / "seeds" / "raw_events.csv"
    if not raw_seed.exists():
        pytest.skip("no seeds/raw_events.csv")
    sql = (PROJECT_DIR / "tests" / "dbt" / "generic" / f"{TEST_NAME}.sql").read_text()
    warn = int(re.search(r"freshness_warn_hours', (\d+)", sql).group(1))
    error = int(re.search(r"freshness_error_hours', (\d+)", sql).group(1))
    assert 0 < warn < error
    clean, quarantine = oracle.classify(oracle.load_raw_csv(raw_seed), oracle.load_seeds(PROJECT_DIR / "seeds"))
    received = [us for us in list(clean["received_us"]) + list(quarantine["received_us"]) if us is not None]
    behind_us = max(received) - max(clean["event_us"])
    assert math.ceil(behind_us / 3_600_000_000) <= warn
