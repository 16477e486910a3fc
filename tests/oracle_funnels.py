"""Independent oracle for the funnel options of contract v2, in plain Python.

Written from the contract's "Funnel options" section and decision 0007 only, never from the SQL:
per person, events are walked in order (time, then event id) and each funnel is judged entry by
entry. Slow and literal on purpose. Builds on `oracle.classify` (clean events) and the helpers of
`oracle.py`.

Models produced: `metrics_funnel_conversion` v2 (relation `metrics_funnel_conversion_v2`), v1
(relation `metrics_funnel_conversion`, funnels whose settings are all defaults),
`metrics_funnel_time_to_convert` and `metrics_funnel_conversion_by_segment`.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

import oracle

US_PER_HOUR = 3600 * oracle.US_PER_SECOND
ORDER_MODES = ("ordered", "strict", "any")
ENTRY_RULES = ("first_ever", "first_per_day")
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("<1m", 0, 60),
    ("1-5m", 60, 300),
    ("5-30m", 300, 1800),
    ("30m-2h", 1800, 7200),
    ("2-24h", 7200, 86400),
    ("1-3d", 86400, 3 * 86400),
    ("3-7d", 3 * 86400, 7 * 86400),
    (">=7d", 7 * 86400, None),
)
SEGMENTS = ("platform", "country")

V1_COLUMNS = oracle.MODEL_COLUMNS["metrics_funnel_conversion"]
V2_COLUMNS = [*V1_COLUMNS, "p25_seconds_from_start", "p75_seconds_from_start", "p90_seconds_from_start"]
SEGMENT_COLUMNS = [
    "funnel_name",
    "segment",
    "segment_value",
    "entry_date",
    "step_number",
    "step_event_name",
    "users",
    "conversion_from_start",
    "conversion_from_previous",
]
MODELS: dict[str, tuple[list[str], list[str]]] = {
    # relation -> (primary key, columns)
    "metrics_funnel_conversion": (["funnel_name", "entry_date", "step_number"], V1_COLUMNS),
    "metrics_funnel_conversion_v2": (["funnel_name", "entry_date", "step_number"], V2_COLUMNS),
    "metrics_funnel_time_to_convert": (
        ["funnel_name", "step_number", "bucket"],
        ["funnel_name", "step_number", "bucket", "users"],
    ),
    "metrics_funnel_conversion_by_segment": (
        ["funnel_name", "segment", "segment_value", "entry_date", "step_number"],
        SEGMENT_COLUMNS,
    ),
}


# --------------------------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------------------------


@dataclass
class Funnel:
    name: str
    steps: list[str] = field(default_factory=list)  # canonical event of step 1..n
    max_hours: dict[int, int] = field(default_factory=dict)  # step number -> hours from previous
    exclusions: list[tuple[int, str]] = field(default_factory=list)  # (after step k, event)
    window_days: int | None = None
    order_mode: str = "ordered"
    entry_rule: str = "first_ever"
    window_hours_setting: int | None = None
    hold_constant: str | None = None

    @property
    def window_hours(self) -> int:
        if self.window_hours_setting is not None:
            return self.window_hours_setting
        assert self.window_days is not None, f"funnel {self.name}: no window"
        return self.window_days * 24

    @property
    def has_default_settings(self) -> bool:
        return (
            self.order_mode == "ordered"
            and self.entry_rule == "first_ever"
            and self.hold_constant is None
            and not self.exclusions
            and not self.max_hours
            and self.window_days is not None
            and self.window_hours == self.window_days * 24
        )


def _cell(row: dict[str, str | None], column: str) -> str | None:
    value = (row.get(column) or "").strip(oracle.WHITESPACE)
    return value or None


def _read(path: Path) -> list[dict[str, str | None]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_funnels(seeds_dir: str | Path) -> dict[str, Funnel]:
    """Funnels of `funnel_steps` (optional columns may be absent) with `funnels` settings."""
    seeds_dir = Path(seeds_dir)
    funnels: dict[str, Funnel] = {}
    steps: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in _read(seeds_dir / "funnel_steps.csv"):
        name = _cell(row, "funnel_name")
        assert name is not None
        funnel = funnels.setdefault(name, Funnel(name))
        number = int(_cell(row, "step_number") or "0")
        event = oracle.normalize_name(_cell(row, "event_name") or "")
        if (_cell(row, "step_type") or "step") == "exclude":
            funnel.exclusions.append((number, event))
            continue
        steps[name].append((number, event))
        days = _cell(row, "conversion_window_days")
        if days is not None:
            funnel.window_days = int(days)
        hours = _cell(row, "max_hours_from_previous")
        if hours is not None:
            funnel.max_hours[number] = int(hours)
    for name, numbered in steps.items():
        funnels[name].steps = [event for _, event in sorted(numbered)]
    for row in _read(seeds_dir / "funnels.csv"):
        name = _cell(row, "funnel_name")
        if name not in funnels:
            continue  # a settings row without steps is ignored
        funnel = funnels[name]
        funnel.order_mode = _cell(row, "order_mode") or "ordered"
        funnel.entry_rule = _cell(row, "entry_rule") or "first_ever"
        hours = _cell(row, "conversion_window_hours")
        funnel.window_hours_setting = int(hours) if hours is not None else None
        funnel.hold_constant = _cell(row, "hold_constant")
        assert funnel.order_mode in ORDER_MODES and funnel.entry_rule in ENTRY_RULES
    return funnels


def default_funnel_names(seeds_dir: str | Path) -> set[str]:
    """Funnels whose settings are all defaults: the only ones the v1 funnel model shows."""
    return {name for name, funnel in load_funnels(seeds_dir).items() if funnel.has_default_settings}


# --------------------------------------------------------------------------------------------
# Events per person
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    us: int
    event_id: str
    name: str
    session: int
    platform: str | None
    country: str | None
    device_id: str | None
    properties: dict[str, Any]


def events_by_user(clean: pd.DataFrame) -> dict[str, list[Event]]:
    """Each person's clean events in order (time, then event id), numbered into sessions."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in clean.to_dict("records"):
        rows[row["user_key"]].append(row)
    result: dict[str, list[Event]] = {}
    for user, user_rows in rows.items():
        user_rows.sort(key=lambda r: (r["event_us"], r["event_id"]))
        session, previous_us = 0, None
        events: list[Event] = []
        for row in user_rows:
            if previous_us is None or row["event_us"] - previous_us > oracle.SESSION_GAP_US:
                session += 1
            previous_us = row["event_us"]
            events.append(
                Event(
                    us=row["event_us"],
                    event_id=row["event_id"],
                    name=row["event_name"],
                    session=session,
                    platform=row["raw_platform"],
                    country=row["raw_country"],
                    device_id=row["raw_device_id"],
                    properties=row["properties"] or {},
                )
            )
        result[user] = events
    return result


def held_value(event: Event, hold_constant: str | None) -> Any:
    """The event's value of the held setting (None: the event has none)."""
    if hold_constant is None:
        return None
    if hold_constant == "session":
        return event.session
    if hold_constant == "platform":
        return event.platform
    if hold_constant == "device_id":
        return event.device_id
    assert hold_constant.startswith("property:"), hold_constant
    value = event.properties.get(oracle.normalize_name(hold_constant[len("property:"):]))
    return None if value is None else json.dumps(value, sort_keys=True)


# --------------------------------------------------------------------------------------------
# One funnel, one person
# --------------------------------------------------------------------------------------------


@dataclass
class Entry:
    user: str
    entry_us: int
    window_end_us: int
    reached_us: list[int]  # instant of step 1..k reached
    platform: str | None
    country: str | None


def _entry_indexes(events: list[Event], candidates: set[str], entry_rule: str) -> list[int]:
    indexes: list[int] = []
    days_seen: set[date] = set()
    for index, event in enumerate(events):
        if event.name not in candidates:
            continue
        if entry_rule == "first_ever":
            return [index]
        day = oracle.us_to_date(event.us)
        if day not in days_seen:
            days_seen.add(day)
            indexes.append(index)
    return indexes


def _progress_in_order(funnel: Funnel, events: list[Event], entry_index: int, end_us: int) -> list[int]:
    """ordered / strict: the instants steps 1..k were reached from the entry at entry_index."""
    entry = events[entry_index]
    hold = held_value(entry, funnel.hold_constant)
    reached = [entry.us]
    current = entry_index
    for number, step_event in enumerate(funnel.steps[1:], start=2):
        previous_us = reached[-1]
        limit_us = end_us
        if number in funnel.max_hours:
            limit_us = min(limit_us, previous_us + funnel.max_hours[number] * US_PER_HOUR)

        def counts(event: Event) -> bool:
            return (
                event.name == step_event
                and previous_us <= event.us <= limit_us
                and (hold is None or held_value(event, funnel.hold_constant) == hold)
            )

        if funnel.order_mode == "strict":
            following = current + 1
            if following >= len(events) or not counts(events[following]):
                break
            current = following
        else:
            found = next((i for i, event in enumerate(events) if counts(event)), None)
            if found is None:
                break
            current = found
        reached.append(events[current].us)
    return reached


def _progress_any_order(funnel: Funnel, events: list[Event], entry_index: int, end_us: int) -> list[int]:
    """any: the instant the k-th distinct step was first done, for k = 1, 2, ..."""
    entry = events[entry_index]
    hold = held_value(entry, funnel.hold_constant)
    first_done: dict[str, int] = {}
    for event in events[entry_index:]:
        if event.us > end_us:
            break
        if event.name in funnel.steps and event.name not in first_done:
            if hold is None or held_value(event, funnel.hold_constant) == hold:
                first_done[event.name] = event.us
    reached: list[int] = []
    for instant in sorted(first_done.values()):
        number = len(reached) + 1
        if reached and number in funnel.max_hours and instant > reached[-1] + funnel.max_hours[number] * US_PER_HOUR:
            break
        reached.append(instant)
    return reached


def _excluded(funnel: Funnel, events: list[Event], reached: list[int], end_us: int) -> bool:
    for after_step, excluded_event in funnel.exclusions:
        if len(reached) < after_step:
            continue
        start_us = reached[after_step - 1]
        closing_step = len(funnel.steps) if funnel.order_mode == "any" else after_step + 1
        for event in events:
            if event.name != excluded_event or event.us <= start_us:
                continue
            if len(reached) >= closing_step:
                if event.us < reached[closing_step - 1]:
                    return True
            elif event.us <= end_us:
                return True
    return False


def funnel_entries(funnel: Funnel, users: dict[str, list[Event]]) -> list[Entry]:
    """Every entry of every person (exclusions applied), reported or not."""
    entries: list[Entry] = []
    candidates = set(funnel.steps) if funnel.order_mode == "any" else {funnel.steps[0]}
    for user in sorted(users):
        events = users[user]
        for index in _entry_indexes(events, candidates, funnel.entry_rule):
            entry_us = events[index].us
            end_us = entry_us + funnel.window_hours * US_PER_HOUR
            if funnel.order_mode == "any":
                reached = _progress_any_order(funnel, events, index, end_us)
            else:
                reached = _progress_in_order(funnel, events, index, end_us)
            if _excluded(funnel, events, reached, end_us):
                continue
            entries.append(
                Entry(user, entry_us, end_us, reached, events[index].platform, events[index].country)
            )
    return entries


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """Continuous percentile: linear interpolation between the two nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _conversion_rows(funnel: Funnel, entries: list[Entry]) -> list[dict[str, Any]]:
    """Rows (every step) for each entry date with at least one of ``entries``."""
    by_date: dict[date, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_date[oracle.us_to_date(entry.entry_us)].append(entry)
    rows: list[dict[str, Any]] = []
    for entry_date in sorted(by_date):
        day_entries = by_date[entry_date]
        seconds = [
            [(e.reached_us[k] - e.entry_us) / oracle.US_PER_SECOND for e in day_entries if len(e.reached_us) > k]
            for k in range(len(funnel.steps))
        ]
        for k, step_event in enumerate(funnel.steps):
            users = len(seconds[k])
            rows.append(
                {
                    "funnel_name": funnel.name,
                    "entry_date": entry_date,
                    "step_number": k + 1,
                    "step_event_name": step_event,
                    "users": users,
                    "conversion_from_start": oracle._div(users, len(seconds[0])),
                    "conversion_from_previous": oracle._div(users, len(seconds[k - 1]) if k else users),
                    "median_seconds_from_start": percentile(seconds[k], 0.5),
                    "p25_seconds_from_start": percentile(seconds[k], 0.25),
                    "p75_seconds_from_start": percentile(seconds[k], 0.75),
                    "p90_seconds_from_start": percentile(seconds[k], 0.9),
                }
            )
    return rows


def compute_funnel_metrics(clean: pd.DataFrame, funnels: dict[str, Funnel]) -> dict[str, pd.DataFrame]:
    """The four funnel tables, keyed by relation name, with the contract's columns."""
    out: dict[str, list[dict[str, Any]]] = {relation: [] for relation in MODELS}
    users = events_by_user(clean)
    data_end: date | None = None
    if len(clean):
        data_end = max(clean["event_date"]) - timedelta(days=1)
    for name in sorted(funnels):
        funnel = funnels[name]
        reported = [
            entry
            for entry in funnel_entries(funnel, users)
            if data_end is not None and oracle.us_to_date(entry.window_end_us) <= data_end
        ]
        rows = _conversion_rows(funnel, reported)
        out["metrics_funnel_conversion_v2"] += rows
        if funnel.has_default_settings:
            out["metrics_funnel_conversion"] += [{c: row[c] for c in V1_COLUMNS} for row in rows]
        for k in range(2, len(funnel.steps) + 1):
            times = [
                (e.reached_us[k - 1] - e.entry_us) / oracle.US_PER_SECOND for e in reported if len(e.reached_us) >= k
            ]
            for label, low, high in BUCKETS:
                users_in_bucket = sum(1 for t in times if t >= low and (high is None or t < high))
                out["metrics_funnel_time_to_convert"].append(
                    {"funnel_name": name, "step_number": k, "bucket": label, "users": users_in_bucket}
                )
        for segment in SEGMENTS:
            by_value: dict[str, list[Entry]] = defaultdict(list)
            for entry in reported:
                value = entry.platform if segment == "platform" else entry.country
                by_value[value or "unknown"].append(entry)
            for value in sorted(by_value):
                for row in _conversion_rows(funnel, by_value[value]):
                    out["metrics_funnel_conversion_by_segment"].append(
                        {**{c: row[c] for c in SEGMENT_COLUMNS if c in row}, "segment": segment, "segment_value": value}
                    )
    return {
        relation: pd.DataFrame(rows, columns=MODELS[relation][1], dtype=object) for relation, rows in out.items()
    }


def compare_funnel_tables(
    expected: dict[str, pd.DataFrame], read_relation: Any
) -> tuple[dict[str, int], list[str]]:
    """Cells compared per relation and every mismatch; ``read_relation(name)`` reads a table."""
    cells: dict[str, int] = {}
    mismatches: list[str] = []
    for relation, (keys, _) in MODELS.items():
        compared, problems = oracle.compare_tables(expected[relation], read_relation(relation), keys, name=relation)
        cells[relation] = compared
        mismatches += problems
    return cells, mismatches
