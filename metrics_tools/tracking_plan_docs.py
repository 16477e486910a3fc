"""Render the tracking plan seed as a dbt doc block (markdown), so the docs never hold a second,
hand-kept copy of the plan.

Reads `seeds/tracking_plan.csv` (and `seeds/event_aliases.csv` for legacy names) and writes
`models/docs/tracking_plan.md`, holding the doc block `tracking_plan_events`: every planned event
grouped by category, with its description, owner team, status, flags and properties (required,
optional, allowed values).
The seed `tracking_plan` shows it on its docs page. The generated file is committed; a pytest test
(`tests/test_docs_up_to_date.py`) fails when it is out of date with the seed.

Examples:
  .venv/bin/python -m metrics_tools tracking-plan-docs           # rewrite the doc block
  .venv/bin/python -m metrics_tools tracking-plan-docs --check   # exit 1 if it is out of date
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import click

from metrics_tools import PROJECT_DIR
from metrics_tools.cli import ToolError

DEFAULT_PLAN = PROJECT_DIR / "seeds" / "tracking_plan.csv"
DEFAULT_ALIASES = PROJECT_DIR / "seeds" / "event_aliases.csv"
DEFAULT_OUTPUT = PROJECT_DIR / "models" / "docs" / "tracking_plan.md"
DOC_NAME = "tracking_plan_events"
REQUIRED_COLUMNS = (
    "event_name",
    "description",
    "owner_team",
    "category",
    "status",
    "is_active",
    "is_revenue",
    "required_properties",
)


class PlanError(Exception):
    """Bad input: reported as one line, exit code 1."""


@dataclass(frozen=True)
class PlannedEvent:
    """One row of the tracking plan."""

    event_name: str
    description: str
    owner_team: str
    category: str
    status: str
    is_active: bool
    is_revenue: bool
    is_shipped: bool
    required_properties: dict[str, str]
    optional_properties: dict[str, str]
    allowed_values: dict[str, list[object]]


def parse_bool(value: str, default: bool, where: str) -> bool:
    """Seed booleans: true/false (any case); empty means ``default``."""
    text = value.strip().lower()
    if text == "":
        return default
    if text in ("true", "t", "1", "yes"):
        return True
    if text in ("false", "f", "0", "no"):
        return False
    raise PlanError(f"{where}: expected true or false, got {value!r}")


def read_plan(path: Path) -> list[PlannedEvent]:
    """Read and check the tracking plan seed."""
    if not path.is_file():
        raise PlanError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise PlanError(f"{path}: missing column(s) {', '.join(missing)}")
        events: list[PlannedEvent] = []
        for line, row in enumerate(reader, start=2):
            where = f"{path.name} line {line}"
            properties = json_object(row, "required_properties", where)
            allowed = json_object(row, "allowed_values", where)
            for key, values in allowed.items():
                if not isinstance(values, list):
                    raise PlanError(f"{where}: allowed_values of {key!r} must be a JSON array")
            events.append(
                PlannedEvent(
                    event_name=row["event_name"].strip(),
                    description=row["description"].strip(),
                    owner_team=row["owner_team"].strip(),
                    category=row["category"].strip(),
                    status=row["status"].strip(),
                    is_active=parse_bool(row["is_active"], False, f"{where} is_active"),
                    is_revenue=parse_bool(row["is_revenue"], False, f"{where} is_revenue"),
                    is_shipped=parse_bool(row.get("is_shipped") or "", True, f"{where} is_shipped"),
                    required_properties={str(k): str(v) for k, v in properties.items()},
                    optional_properties={
                        str(k): str(v) for k, v in json_object(row, "optional_properties", where).items()
                    },
                    allowed_values={str(k): list(v) for k, v in allowed.items()},
                )
            )
    return events


def json_object(row: dict[str, str], column: str, where: str) -> dict[str, object]:
    """A JSON object column of the plan; empty or absent means `{}`."""
    text = (row.get(column) or "").strip() or "{}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"{where}: {column} is not JSON ({exc.msg})") from exc
    if not isinstance(value, dict):
        raise PlanError(f"{where}: {column} must be a JSON object")
    return value


def describe_properties(event: PlannedEvent) -> str:
    """Each planned property in words: `key` (type, required or optional; one of its allowed values)."""
    parts = []
    for key in sorted({*event.required_properties, *event.optional_properties, *event.allowed_values}):
        if key in event.required_properties:
            words = f"{cell(event.required_properties[key])}, required"
        elif key in event.optional_properties:
            words = f"{cell(event.optional_properties[key])}, optional"
        else:
            words = "not declared, checked when present"
        if key in event.allowed_values:
            words += "; one of " + ", ".join(f"`{cell(json.dumps(value))}`" for value in event.allowed_values[key])
        parts.append(f"`{cell(key)}` ({words})")
    return "; ".join(parts) or "none"


def read_aliases(path: Path) -> dict[str, list[str]]:
    """Canonical event name -> its legacy names (sorted); no file means no aliases."""
    aliases: dict[str, list[str]] = defaultdict(list)
    if not path.is_file():
        return aliases
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            aliases[row["event_name"].strip()].append(row["alias_name"].strip())
    return {name: sorted(names) for name, names in aliases.items()}


def cell(text: str) -> str:
    """Text safe inside a markdown table cell and a dbt (Jinja) doc block."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
        .replace("\n", " ")
    )


def kind(event: PlannedEvent) -> str:
    """The event's flags in words: activity or passive, revenue, status, shipped."""
    words = ["activity" if event.is_active else "passive"]
    if event.is_revenue:
        words.append("revenue")
    if event.status != "active":
        words.append(cell(event.status))
    if not event.is_shipped:
        words.append("not shipped")
    return ", ".join(words)


def render(events: list[PlannedEvent], aliases: dict[str, list[str]]) -> str:
    """The doc block file's full text."""
    by_category: dict[str, list[PlannedEvent]] = defaultdict(list)
    for event in events:
        by_category[event.category].append(event)
    active = sum(1 for e in events if e.status == "active")
    deprecated = sum(1 for e in events if e.status == "deprecated")
    passive = sum(1 for e in events if not e.is_active)
    unshipped = sum(1 for e in events if not e.is_shipped)
    lines = [
        "{#- GENERATED by `python -m metrics_tools tracking-plan-docs` from seeds/tracking_plan.csv and",
        "    seeds/event_aliases.csv. Do not edit: change the seeds, then run that command. -#}",
        f"{{% docs {DOC_NAME} %}}",
        "### The tracking plan: every planned event",
        "",
        f"{len(events)} planned events in {len(by_category)} categories: {active} active, "
        f"{deprecated} deprecated; {passive} passive (not a user action, never counts as activity); "
        f"{unshipped} planned but not shipped yet. Generated from the `tracking_plan` and "
        "`event_aliases` seeds: to change it, change the seeds (see *How to propose a new event* on "
        "the overview page).",
        "",
        "How to read it: **kind** says whether the event is a user action that makes its user "
        "active (*activity*, counted in DAU and retention) or *passive* (never counts), whether it "
        "carries money (*revenue*: `revenue` and `currency`), and whether it is *deprecated* "
        "(still counted) or *not shipped* yet. **Properties**: a *required* one must be present "
        "with its type; an *optional* one, when present, must have its type; a property with "
        "allowed values must take *one of* them (text compares exactly, numbers by value). A row "
        "that breaks any of these is rejected as `invalid_properties`. A property not listed here "
        "does not reject the row: it is reported to the owner team in "
        "`metrics_unplanned_properties_daily`. **Legacy names** are old names that still arrive "
        "and count as this event.",
        "",
    ]
    for category in sorted(by_category):
        lines += [
            f"#### {cell(category)}",
            "",
            "| event | what it means | owner team | kind | properties | legacy names |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for event in sorted(by_category[category], key=lambda e: e.event_name):
            properties = describe_properties(event)
            legacy = ", ".join(f"`{cell(name)}`" for name in aliases.get(event.event_name, [])) or "-"
            lines.append(
                f"| `{cell(event.event_name)}` | {cell(event.description)} | {cell(event.owner_team)} | "
                f"{kind(event)} | {properties} | {legacy} |"
            )
        lines.append("")
    lines.append("{% enddocs %}")
    return "\n".join(lines) + "\n"


@click.command()
@click.option("--plan", type=click.Path(path_type=Path), default=DEFAULT_PLAN, show_default=True,
              help="tracking plan seed CSV")
@click.option("--aliases", type=click.Path(path_type=Path), default=DEFAULT_ALIASES, show_default=True,
              help="event aliases seed CSV")
@click.option("--output", type=click.Path(path_type=Path), default=DEFAULT_OUTPUT, show_default=True,
              help="doc block file to write")
@click.option("--check", is_flag=True, help="write nothing; exit 1 if the file is out of date")
def tracking_plan_docs(plan: Path, aliases: Path, output: Path, check: bool) -> int:
    """Render the tracking plan seed as a dbt doc block (models/docs/tracking_plan.md)."""
    try:
        text = render(read_plan(plan), read_aliases(aliases))
    except PlanError as exc:
        raise ToolError(str(exc)) from exc
    current = output.read_text(encoding="utf-8") if output.is_file() else None
    if check:
        if current != text:
            raise ToolError(f"{output} is out of date with {plan.name}; "
                            "run .venv/bin/python -m metrics_tools tracking-plan-docs")
        return 0
    if current != text:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(f"{output} is up to date")
    return 0
