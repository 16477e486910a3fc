"""The reference seeds the generator reads (tracking plan, aliases, currencies, funnel windows),
and the event-name normalization that the staging models apply (docs/decisions/0001)."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


class InputError(Exception):
    """Bad user input or reference seeds: reported as one line, exit status 2."""



# ----------------------------------------------------------------------------- names
def normalize_name(text: str) -> str:
    """Normalize an event name or property key (docs/decisions/0001)."""
    value = text.strip()
    value = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", value)
    value = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", value)
    value = re.sub(r"[\s\-._]+", "_", value)
    return value.strip("_").lower()


def raw_forms(name: str) -> list[str]:
    """Messy spellings of a snake_case name that still normalize to it (itself excluded)."""
    words = name.split("_")
    forms = [
        " ".join(w.capitalize() for w in words),
        words[0] + "".join(w.capitalize() for w in words[1:]),
        "-".join(words),
        name.upper(),
        "".join(w.capitalize() for w in words),
        ".".join(words),
        f"  {name} ",
    ]
    unique = list(dict.fromkeys(f for f in forms if f != name))
    return [f for f in unique if normalize_name(f) == name]


# ----------------------------------------------------------------------------- seeds
@dataclass(frozen=True)
class PlannedEvent:
    name: str
    is_active: bool
    is_revenue: bool
    is_shipped: bool
    required: tuple[tuple[str, str], ...]
    # Tracking plan v2: the text values a string property may take (empty: any value).
    allowed_text: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def allowed_values_of(self, key: str) -> tuple[str, ...]:
        return dict(self.allowed_text).get(key, ())


@dataclass(frozen=True)
class Reference:
    events: tuple[PlannedEvent, ...]  # shipped events only: the ones we may emit
    plan_names: frozenset[str]
    aliases: dict[str, str]
    currencies: dict[str, float]
    funnel_windows: dict[str, int]  # funnel step-1 event -> conversion window (days)


def read_csv(path: Path, needed: Sequence[str]) -> list[dict[str, str]]:
    """Read a seed CSV, checking its columns."""
    if not path.is_file():
        raise InputError(f"seed file not found: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        return list(reader)


def parse_bool(text: str, where: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "t", "1", "yes"):
        return True
    if value in ("false", "f", "0", "no", ""):
        return False
    raise InputError(f"{where}: not a boolean: {text!r}")


def load_reference(seeds_dir: Path) -> Reference:
    """Read the four reference seeds."""
    plan_rows = read_csv(seeds_dir / "tracking_plan.csv",
                         ("event_name", "is_active", "is_revenue", "required_properties"))
    events: list[PlannedEvent] = []
    plan_names: set[str] = set()
    for row in plan_rows:
        name = row["event_name"].strip()
        where = f"tracking_plan.csv ({name})"
        try:
            required = json.loads(row["required_properties"] or "{}")
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: required_properties is not JSON: {exc}") from exc
        if not isinstance(required, dict) or any(
                t not in ("string", "number", "integer", "boolean") for t in required.values()):
            raise InputError(f"{where}: required_properties must map keys to "
                             "string/number/integer/boolean")
        try:
            allowed = json.loads(row.get("allowed_values") or "{}")
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: allowed_values is not JSON: {exc}") from exc
        if not isinstance(allowed, dict) or any(not isinstance(v, list) for v in allowed.values()):
            raise InputError(f"{where}: allowed_values must map keys to JSON arrays")
        event = PlannedEvent(name, parse_bool(row["is_active"], where),
                             parse_bool(row["is_revenue"], where),
                             parse_bool(row.get("is_shipped") or "true", where),
                             tuple((k, str(v)) for k, v in required.items()),
                             tuple((k, tuple(v for v in values if isinstance(v, str)))
                                   for k, values in allowed.items()))
        plan_names.add(name)
        if event.is_shipped:
            events.append(event)
    if not events:
        raise InputError("tracking_plan.csv has no shipped events")
    aliases = {r["alias_name"].strip(): r["event_name"].strip()
               for r in read_csv(seeds_dir / "event_aliases.csv", ("alias_name", "event_name"))}
    currencies: dict[str, float] = {}
    for row in read_csv(seeds_dir / "currency_rates.csv", ("currency", "usd_rate")):
        try:
            currencies[row["currency"].strip().upper()] = float(row["usd_rate"])
        except ValueError as exc:
            raise InputError(f"currency_rates.csv: bad usd_rate {row['usd_rate']!r}") from exc
    if not currencies:
        raise InputError("currency_rates.csv has no currencies")
    windows: dict[str, int] = {}
    for row in read_csv(seeds_dir / "funnel_steps.csv",
                        ("funnel_name", "step_number", "event_name", "conversion_window_days")):
        # Funnels with their window in the `funnels` seed (hours) leave the days empty: skipped.
        if row["step_number"].strip() == "1" and row["conversion_window_days"].strip():
            windows[row["event_name"].strip()] = int(row["conversion_window_days"])
    return Reference(tuple(events), frozenset(plan_names), aliases, currencies, windows)

