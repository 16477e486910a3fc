"""Independent oracle for retention definitions, monthly engagement and event transitions.

Written from the contract's "Retention definitions" and "Monthly engagement and transitions"
sections and from decision 0005 (our readings), never from the SQL models. Like `oracle.py` it is
slow and plain on purpose: loops over people, events and periods. It starts from the clean events
that `oracle.classify` gives (user keys resolved, `event_us` in UTC microseconds).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

import oracle

FIRST_SEEN = "first_seen"
ANY_ACTIVE = "any_active"
SESSION_END = "(session end)"
_BRACKET = re.compile(r"(\d{1,4})(?:-(\d{1,4}))?")

RETENTION_KEYS = ["retention_name", "cohort_start_date", "bracket"]
RETENTION_COLUMNS = [
    "retention_name",
    "cohort_start_date",
    "bracket",
    "period",
    "bracket_position",
    "first_period_number",
    "last_period_number",
    "cohort_size",
    "retained_users",
    "retention_rate",
    "unbounded_retained_users",
    "unbounded_retention_rate",
]
MODELS: dict[str, list[str]] = {
    "metrics_retention": RETENTION_KEYS,
    "metrics_stickiness_monthly": ["month_start_date", "days_active"],
    "metrics_lifecycle_monthly": ["month_start_date"],
    "metrics_event_transitions_weekly": ["week_start_date", "event_name", "next_event_name"],
}
"""The new public models -> their primary key."""


@dataclass(frozen=True)
class Bracket:
    label: str
    first: int
    last: int


@dataclass(frozen=True)
class RetentionDefinition:
    name: str
    start_event: str
    return_event: str
    cohort_type: str
    period: str
    window_type: str
    brackets: tuple[Bracket, ...]


def _cell(row: dict[str, str], column: str) -> str:
    return (row.get(column) or "").strip(oracle.WHITESPACE)


def _event_option(text: str, default: str) -> str:
    if not text or text.lower() == default:
        return default
    return oracle.normalize_name(text)


def parse_brackets(text: str) -> list[tuple[str, Bracket | None]]:
    """Each comma-separated item as written (trimmed) and its bracket, or None when malformed."""
    parsed: list[tuple[str, Bracket | None]] = []
    for item in text.split(","):
        item = item.strip(oracle.WHITESPACE)
        match = _BRACKET.fullmatch(item)
        if match is None:
            parsed.append((item, None))
            continue
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        label = str(first) if first == last else f"{first}-{last}"
        parsed.append((item, Bracket(label, first, last)))
    return parsed


def read_definition_rows(seeds_dir: str | Path) -> list[dict[str, str]]:
    with open(Path(seeds_dir) / "retention_definitions.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def definition_problems(seeds_dir: str | Path) -> set[tuple[str, str, str]]:
    """Every broken rule of the seed as (definition, column, value), from the contract's rules."""
    plan = {oracle.normalize_name(name) for name in oracle.load_seeds(seeds_dir).tracking_plan}
    rows = read_definition_rows(seeds_dir)
    names = [_cell(row, "retention_name") for row in rows]
    problems: set[tuple[str, str, str]] = set()
    for row in rows:
        name = _cell(row, "retention_name")
        if not name or names.count(name) > 1:
            problems.add((name, "retention_name", name))
        start = _event_option(_cell(row, "start_event"), FIRST_SEEN)
        if start != FIRST_SEEN and start not in plan:
            problems.add((name, "start_event", _cell(row, "start_event")))
        back = _event_option(_cell(row, "return_event"), ANY_ACTIVE)
        if back != ANY_ACTIVE and back not in plan:
            problems.add((name, "return_event", _cell(row, "return_event")))
        cohort_type = _cell(row, "cohort_type").lower() or "first_time"
        if cohort_type not in ("first_time", "recurring"):
            problems.add((name, "cohort_type", cohort_type))
        if cohort_type == "recurring" and start == FIRST_SEEN:
            problems.add((name, "cohort_type", cohort_type))
        period = _cell(row, "period").lower()
        if period not in ("day", "week", "month"):
            problems.add((name, "period", period))
        window = _cell(row, "window_type").lower() or "calendar"
        if window not in ("calendar", "rolling_24h"):
            problems.add((name, "window_type", window))
        if window == "rolling_24h" and period != "day":
            problems.add((name, "window_type", window))
        text = _cell(row, "brackets")
        if not text:
            problems.add((name, "brackets", ""))
            continue
        if names.count(name) > 1:
            continue  # brackets of a repeated name cannot be told apart; the name is reported
        previous_last: int | None = None
        for item, bracket in parse_brackets(text):
            if bracket is None:
                problems.add((name, "brackets", item))
                previous_last = None  # its bounds are unknown: the next bracket is not compared
                continue
            if bracket.first > bracket.last:
                problems.add((name, "brackets", item))
            if previous_last is not None and bracket.first <= previous_last:
                problems.add((name, "brackets", item))
            previous_last = bracket.last
    return problems


def load_definitions(seeds_dir: str | Path) -> list[RetentionDefinition]:
    """The seed's definitions (assumed valid), empty option cells read as the v1 defaults."""
    definitions: list[RetentionDefinition] = []
    for row in read_definition_rows(seeds_dir):
        brackets = tuple(bracket for _, bracket in parse_brackets(_cell(row, "brackets")) if bracket)
        definitions.append(
            RetentionDefinition(
                name=_cell(row, "retention_name"),
                start_event=_event_option(_cell(row, "start_event"), FIRST_SEEN),
                return_event=_event_option(_cell(row, "return_event"), ANY_ACTIVE),
                cohort_type=_cell(row, "cohort_type").lower() or "first_time",
                period=_cell(row, "period").lower(),
                window_type=_cell(row, "window_type").lower() or "calendar",
                brackets=brackets,
            )
        )
    return definitions


# --------------------------------------------------------------------------------------------
# Calendar periods
# --------------------------------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(month_start: date, months: int) -> date:
    index = month_start.year * 12 + month_start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(period: str, day: date) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return _month_start(day)
    return day


def period_last_day(period: str, start: date, periods: int) -> date:
    """Last day of the period `periods` periods after the one starting on `start`."""
    if period == "week":
        return start + timedelta(days=7 * periods + 6)
    if period == "month":
        return _add_months(start, periods + 1) - timedelta(days=1)
    return start + timedelta(days=periods)


def calendar_periods_between(period: str, start: date, later: date) -> int:
    """Calendar periods from the period holding `start` to the one holding `later`."""
    if period == "month":
        return (later.year - start.year) * 12 + later.month - start.month
    if period == "week":
        return (period_start("week", later) - period_start("week", start)).days // 7
    return (later - start).days


# --------------------------------------------------------------------------------------------
# Shared inputs
# --------------------------------------------------------------------------------------------


@dataclass
class Event:
    event_id: str
    event_name: str
    us: int
    day: date
    is_active: bool


def events_by_user(clean: pd.DataFrame) -> dict[str, list[Event]]:
    """Each person's clean events in order (time, then event id)."""
    by_user: dict[str, list[Event]] = defaultdict(list)
    for row in clean.to_dict("records"):
        by_user[row["user_key"]].append(
            Event(row["event_id"], row["event_name"], row["event_us"], row["event_date"], bool(row["is_active"]))
        )
    for events in by_user.values():
        events.sort(key=lambda e: (e.us, e.event_id))
    return by_user


def data_bounds(clean: pd.DataFrame) -> tuple[date, date] | None:
    """(first day with a clean event, data end), or None without clean events."""
    if clean.empty:
        return None
    days = list(clean["event_date"])
    return min(days), max(days) - timedelta(days=1)


def _div(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


# --------------------------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------------------------


def _starts(definition: RetentionDefinition, events: list[Event]) -> list[Event]:
    """The person's cohort-starting events under one definition."""
    if definition.start_event == FIRST_SEEN:
        candidates = [e for e in events if e.is_active]
    else:
        candidates = [e for e in events if e.event_name == definition.start_event]
    if definition.cohort_type == "first_time":
        return candidates[:1]
    firsts: dict[date, Event] = {}
    for event in candidates:  # in time order: the first of each period wins
        firsts.setdefault(period_start(definition.period, event.day), event)
    return list(firsts.values())


def _period_number(definition: RetentionDefinition, start: Event, event: Event) -> int:
    if definition.window_type == "rolling_24h":
        return (event.us - start.us) // oracle.US_PER_DAY
    return calendar_periods_between(definition.period, start.day, event.day)


def compute_retention(clean: pd.DataFrame, definitions: list[RetentionDefinition]) -> pd.DataFrame:
    """`metrics_retention`, one definition at a time, one person at a time."""
    rows: list[dict[str, Any]] = []
    bounds = data_bounds(clean)
    if bounds is None:
        return pd.DataFrame(rows, columns=RETENTION_COLUMNS, dtype=object)
    _, data_end = bounds
    by_user = events_by_user(clean)
    for definition in definitions:
        # cohort start date -> person -> the set of period numbers with a return up to data end
        cohorts: dict[date, dict[str, set[int]]] = defaultdict(dict)
        for user, events in by_user.items():
            for start in _starts(definition, events):
                periods: set[int] = set()
                for event in events:
                    wanted = event.is_active if definition.return_event == ANY_ACTIVE else (
                        event.event_name == definition.return_event
                    )
                    if wanted and event.us >= start.us and event.day <= data_end:
                        periods.add(_period_number(definition, start, event))
                cohorts[period_start(definition.period, start.day)][user] = periods
        for cohort_start in sorted(cohorts):
            members = cohorts[cohort_start]
            for position, bracket in enumerate(definition.brackets, start=1):
                if period_last_day(definition.period, cohort_start, bracket.last) > data_end:
                    continue
                retained = sum(
                    1 for periods in members.values() if any(bracket.first <= n <= bracket.last for n in periods)
                )
                unbounded = sum(1 for periods in members.values() if any(n >= bracket.first for n in periods))
                rows.append(
                    {
                        "retention_name": definition.name,
                        "cohort_start_date": cohort_start,
                        "bracket": bracket.label,
                        "period": definition.period,
                        "bracket_position": position,
                        "first_period_number": bracket.first,
                        "last_period_number": bracket.last,
                        "cohort_size": len(members),
                        "retained_users": retained,
                        "retention_rate": _div(retained, len(members)),
                        "unbounded_retained_users": unbounded,
                        "unbounded_retention_rate": _div(unbounded, len(members)),
                    }
                )
    return pd.DataFrame(rows, columns=RETENTION_COLUMNS, dtype=object)


# --------------------------------------------------------------------------------------------
# Monthly stickiness and lifecycle
# --------------------------------------------------------------------------------------------


def complete_months(first_day: date, data_end: date) -> list[date]:
    months: list[date] = []
    month = _month_start(first_day)
    while period_last_day("month", month, 0) <= data_end:
        months.append(month)
        month = _add_months(month, 1)
    return months


def compute_monthly(clean: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """`metrics_stickiness_monthly` and `metrics_lifecycle_monthly`: v1's weekly rules with months."""
    sticky: list[dict[str, Any]] = []
    lifecycle: list[dict[str, Any]] = []
    bounds = data_bounds(clean)
    active_days: dict[str, set[date]] = defaultdict(set)
    for row in clean.to_dict("records"):
        if row["is_active"]:
            active_days[row["user_key"]].add(row["event_date"])
    first_seen = {user: min(days) for user, days in active_days.items()}
    months = complete_months(*bounds) if bounds else []

    def active_in(month: date) -> dict[str, int]:
        """Person -> distinct active days in the month."""
        counts: dict[str, int] = {}
        for user, days in active_days.items():
            n = sum(1 for d in days if _month_start(d) == month)
            if n:
                counts[user] = n
        return counts

    for month in months:
        current = active_in(month)
        length = (period_last_day("month", month, 0) - month).days + 1
        for n in range(1, length + 1):
            users = sum(1 for days in current.values() if days == n)
            sticky.append(
                {
                    "month_start_date": month,
                    "days_active": n,
                    "users": users,
                    "share_of_monthly_active": _div(users, len(current)),
                }
            )
        previous_month = _add_months(month, -1)
        previous = set(active_in(previous_month))
        new = {u for u in current if _month_start(first_seen[u]) == month}
        returning = {u for u in current if u in previous and u not in new}
        resurrecting = {u for u in current if u not in previous and first_seen[u] < previous_month}
        dormant = previous - set(current)
        lifecycle.append(
            {
                "month_start_date": month,
                "new_users": len(new),
                "returning_users": len(returning),
                "resurrecting_users": len(resurrecting),
                "dormant_users": len(dormant),
                "quick_ratio": _div(len(new) + len(resurrecting), len(dormant)),
            }
        )
    return {
        "metrics_stickiness_monthly": pd.DataFrame(
            sticky, columns=["month_start_date", "days_active", "users", "share_of_monthly_active"], dtype=object
        ),
        "metrics_lifecycle_monthly": pd.DataFrame(
            lifecycle,
            columns=[
                "month_start_date",
                "new_users",
                "returning_users",
                "resurrecting_users",
                "dormant_users",
                "quick_ratio",
            ],
            dtype=object,
        ),
    }


# --------------------------------------------------------------------------------------------
# Event transitions
# --------------------------------------------------------------------------------------------


def compute_transitions(clean: pd.DataFrame) -> pd.DataFrame:
    """`metrics_event_transitions_weekly`: next active event of the same session, per week."""
    columns = ["week_start_date", "event_name", "next_event_name", "transitions", "users"]
    bounds = data_bounds(clean)
    if bounds is None:
        return pd.DataFrame([], columns=columns, dtype=object)
    first_day, data_end = bounds
    first_week = period_start("week", first_day)
    counts: dict[tuple[date, str, str], int] = defaultdict(int)
    people: dict[tuple[date, str, str], set[str]] = defaultdict(set)
    for user, events in events_by_user(clean).items():
        # Sessions over every clean event (a gap of more than 30 minutes starts a new one).
        sessions: list[list[Event]] = []
        previous: Event | None = None
        for event in events:
            if previous is None or event.us - previous.us > oracle.SESSION_GAP_US:
                sessions.append([])
            sessions[-1].append(event)
            previous = event
        for session in sessions:
            active = [e for e in session if e.is_active]
            for index, event in enumerate(active):
                following = active[index + 1].event_name if index + 1 < len(active) else SESSION_END
                week = period_start("week", event.day)
                if week < first_week or week + timedelta(days=6) > data_end:
                    continue
                key = (week, event.event_name, following)
                counts[key] += 1
                people[key].add(user)
    rows = [
        {"week_start_date": k[0], "event_name": k[1], "next_event_name": k[2], "transitions": n, "users": len(people[k])}
        for k, n in sorted(counts.items())
    ]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def compute_all(clean: pd.DataFrame, seeds_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Every new public model, from the clean events and the seeds."""
    return {
        "metrics_retention": compute_retention(clean, load_definitions(seeds_dir)),
        **compute_monthly(clean),
        "metrics_event_transitions_weekly": compute_transitions(clean),
    }
