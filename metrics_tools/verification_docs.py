"""Render "How we know these numbers are right" (a dbt doc block) from what the test run measured.

pytest writes its comparisons to `target/verification/pytest-*.json` (tests/verification.py,
collected by tests/conftest.py): the oracle's cells compared and mismatches per public model and
dataset, the hand-worked cases and their outcome, incremental runs against a full refresh, and
the quality-threshold checks. This command turns them into `models/docs/verification.md`, the
project's page in the docs site (doc block `__product_metrics__`). Only figures from the run are
shown; what the run did not measure says so. `make test` runs it with `--check` after pytest: the
committed page must equal the page of that run.

Examples:
  .venv/bin/python -m metrics_tools verification-docs           # rewrite the page from target/verification
  .venv/bin/python -m metrics_tools verification-docs --check   # exit 1 when it is out of date
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import click

from metrics_tools import PROJECT_DIR
from metrics_tools.cli import ToolError

DEFAULT_RECORDS = PROJECT_DIR / "target" / "verification"
DEFAULT_OUTPUT = PROJECT_DIR / "models" / "docs" / "verification.md"
DOC_NAME = "__product_metrics__"
DATASETS = {
    "seed": "sample seed",
    "generated": "generated dataset",
    "crafted": "crafted cases",
}


class RecordsError(Exception):
    """Bad or missing input: reported as one line, exit code 1."""


def read_records(directory: Path) -> list[dict[str, Any]]:
    files = sorted(directory.glob("pytest-*.json"))
    if not files:
        raise RecordsError(f"no test records in {directory}: run pytest first")
    records: list[dict[str, Any]] = []
    for path in files:
        try:
            records += json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise RecordsError(f"{path}: not a record file ({error})") from error
    return records


def cell(text: object) -> str:
    """Markdown-table- and Jinja-safe text."""
    return str(text).replace("|", "\\|").replace("{", "&#123;").replace("}", "&#125;")


def oracle_section(records: list[dict[str, Any]]) -> list[str]:
    rows: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for r in records:
        if r["kind"] == "oracle":
            dataset = "seed" if r["dataset"] == "sample" else r["dataset"]
            rows[r["subject"]][dataset] = (r["compared"], r["mismatches"])
    lines = [
        "## Every public model against an independent oracle",
        "",
        "A second implementation of the metrics contract in plain Python (`tests/oracle*.py`, written",
        "from the contract, never from the SQL) computes every public table from the raw events; the",
        "built table is compared with it cell by cell (floats to a relative 1e-9).",
        "",
    ]
    if not rows:
        return lines + ["Not measured in this run.", ""]
    seen = {dataset for by in rows.values() for dataset in by}
    datasets = [d for d in DATASETS if d in seen] + sorted(seen - set(DATASETS))
    lines.append("| model | " + " | ".join(f"{DATASETS.get(d, d)}: cells (mismatches)" for d in datasets) + " |")
    lines.append("| --- |" + " ---: |" * len(datasets))
    totals = {d: [0, 0] for d in datasets}
    for subject in sorted(rows):
        cells = []
        for dataset in datasets:
            if dataset in rows[subject]:
                compared, mismatches = rows[subject][dataset]
                totals[dataset][0] += compared
                totals[dataset][1] += mismatches
                cells.append(f"{compared:,} ({mismatches})")
            else:
                cells.append("-")
        lines.append(f"| `{cell(subject)}` | " + " | ".join(cells) + " |")
    lines.append("| **total** | " + " | ".join(f"**{c:,} ({m})**" for c, m in totals.values()) + " |")
    return lines + [""]


def hand_worked_section(records: list[dict[str, Any]]) -> list[str]:
    cases = sorted(
        {(r["subject"], r["outcome"]) for r in records if r["kind"] == "test" and r.get("hand_worked")}
    )
    lines = [
        "## Hand-worked cases",
        "",
        "Tiny crafted inputs whose expected values are worked out by hand in the test (edges of",
        "windows, ties, time zones, sessions, funnels, retention brackets, thresholds).",
        "",
    ]
    if not cases:
        return lines + ["Not measured in this run.", ""]
    by_file: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for nodeid, outcome in cases:
        path, _, name = nodeid.partition("::")
        by_file[path].append((name, outcome))
    passed = sum(outcome == "passed" for _, outcome in cases)
    lines += [f"{passed} of {len(cases)} hand-worked cases passed.", "", "| test file | case | result |", "| --- | --- | --- |"]
    for path in sorted(by_file):
        for name, outcome in by_file[path]:
            lines.append(f"| `{cell(path)}` | `{cell(name)}` | {outcome} |")
    return lines + [""]


def incremental_section(records: list[dict[str, Any]]) -> list[str]:
    rows = sorted((r["subject"], r["compared"], r["mismatches"]) for r in records if r["kind"] == "incremental")
    lines = [
        "## Incremental runs equal a full refresh",
        "",
        "History lands as daily Parquet files in three incremental runs (new days, late events,",
        "re-sent duplicates, earlier events of known users, a sign-up claiming a device); every public",
        "table is then compared with a full-refresh build of the same files.",
        "",
    ]
    if not rows:
        return lines + ["Not measured in this run.", ""]
    lines += ["| model | cells compared | result |", "| --- | ---: | --- |"]
    lines += [f"| `{cell(s)}` | {c:,} | {'equal' if m == 0 else 'DIFFERS'} |" for s, c, m in rows]
    return lines + [""]


def thresholds_section(records: list[dict[str, Any]]) -> list[str]:
    rows = sorted(
        (r["subject"], r["dataset"], r["compared"], r["unit"], r["mismatches"]) for r in records if r["kind"] == "thresholds"
    )
    lines = [
        "## Quality thresholds per team",
        "",
        "Each team's rejected share per received day, computed in Python from the contract, against",
        "the rows the dbt test returns (the seed's thresholds, and strict ones that many days break).",
        "",
    ]
    if not rows:
        return lines + ["Not measured in this run.", ""]
    lines += ["| check | dataset | compared | result |", "| --- | --- | ---: | --- |"]
    lines += [
        f"| {cell(s)} | {DATASETS.get(d, d)} | {c:,} {u} | {'equal' if m == 0 else 'DIFFERS'} |" for s, d, c, u, m in rows
    ]
    return lines + [""]


def spark_section() -> list[str]:
    return [
        "## Spark equals DuckDB",
        "",
        "Not measured in this run: `make test` does not start Spark. `make spark-test` builds every",
        "model on Apache Spark from the sample seed and from Parquet files (hostile rows included) and",
        "compares every public table cell by cell with DuckDB, failing on the first difference.",
        "",
    ]


def render(records: list[dict[str, Any]]) -> str:
    lines = [
        f"{{% docs {DOC_NAME} %}}",
        "# How we know these numbers are right",
        "",
        "Generated from the last full test run (`make test`) by `python -m metrics_tools verification-docs`;",
        "`make test` fails when this page differs from what its run measured. Every figure below was",
        "measured by that run.",
        "",
        *oracle_section(records),
        *hand_worked_section(records),
        *incremental_section(records),
        *thresholds_section(records),
        *spark_section(),
        "{% enddocs %}",
        "",
    ]
    return "\n".join(lines)


@click.command()
@click.option("--records", type=click.Path(path_type=Path), default=DEFAULT_RECORDS, show_default=True,
              help="directory of pytest-*.json records")
@click.option("--output", type=click.Path(path_type=Path), default=DEFAULT_OUTPUT, show_default=True,
              help="the doc block file to write or check")
@click.option("--check", is_flag=True, help="write nothing; exit 1 when the file differs from the records")
def verification_docs(records: Path, output: Path, check: bool) -> int:
    """Render (or --check) the "How we know these numbers are right" page from the test run."""
    try:
        text = render(read_records(records))
    except RecordsError as error:
        raise ToolError(str(error)) from error
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            raise ToolError(f"{output} is out of date with the test run: "
                            "run .venv/bin/python -m metrics_tools verification-docs")
        return 0
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")
    return 0
