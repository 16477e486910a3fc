"""Independent test oracle: every public metric, recomputed in plain Python from the contract.

Written from `docs/metrics-contract.md` (the contract) and
`docs/decisions/0001-contract-interpretations.md` (our readings) only, never from the SQL models,
so that the two implementations can be compared cell by cell. Straightforward and slow on
purpose: loops over days and users, no clever joins.

Timestamps are kept internally as integer microseconds since 1970-01-01 UTC (so any parsed
value, however far from today, is representable) and days as `datetime.date`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import statistics
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import pandas as pd

RAW_COLUMNS: tuple[str, ...] = (
    "insert_id",
    "event_name",
    "user_id",
    "device_id",
    "event_time",
    "received_at",
    "platform",
    "app_version",
    "country",
    "properties",
)

# Contract order: each raw row gets the first reason that applies.
REASONS: tuple[str, ...] = (
    "malformed_row",
    "missing_identity",
    "invalid_timestamp",
    "future_timestamp",
    "unplanned_event",
    "invalid_properties",
    "duplicate_event",
)

WHITESPACE = " \t\n\r\f\v"
US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
FUTURE_TOLERANCE_US = US_PER_DAY  # event_time > received_at + 24 h is future
SESSION_GAP_US = 30 * 60 * US_PER_SECOND  # a gap of more than 30 minutes starts a new session
RETENTION_DAYS: tuple[int, ...] = (0, 1, 2, 3, 7, 14, 30)
RETENTION_WEEKS: tuple[int, ...] = tuple(range(13))
EPOCH_DATE = date(1970, 1, 1)
PLACEHOLDER_IDS = frozenset({"null", "none", "nil", "nan", "undefined", "(null)"})
# Plausible time (contract v2): 1990-01-01T00:00:00Z .. 2100-01-01T00:00:00Z, bounds included.
EARLIEST_VALID_US = (date(1990, 1, 1) - EPOCH_DATE).days * 86_400 * 1_000_000
LATEST_VALID_US = (date(2100, 1, 1) - EPOCH_DATE).days * 86_400 * 1_000_000

PUBLIC_MODELS: dict[str, list[str]] = {
    "metrics_active_users_daily": ["activity_date"],
    "metrics_new_users_daily": ["activity_date"],
    "metrics_stickiness_weekly": ["week_start_date", "days_active"],
    "metrics_retention_daily_cohorts": ["cohort_date", "day_number"],
    "metrics_retention_weekly_cohorts": ["cohort_week_start_date", "week_number"],
    "metrics_lifecycle_weekly": ["week_start_date"],
    "metrics_funnel_conversion": ["funnel_name", "entry_date", "step_number"],
    "metrics_sessions_daily": ["activity_date"],
    "metrics_revenue_daily": ["activity_date"],
    "metrics_event_volume_daily": ["activity_date", "event_name"],
    "metrics_data_quality_daily": ["received_date", "owner_team", "reason"],
    "metrics_unplanned_properties_daily": ["received_date", "owner_team", "event_name", "property_key"],
}
"""Public model name -> its primary key columns."""

MODEL_COLUMNS: dict[str, list[str]] = {
    "metrics_active_users_daily": ["activity_date", "dau", "wau", "mau", "dau_mau_ratio"],
    "metrics_new_users_daily": ["activity_date", "new_users", "cumulative_users"],
    "metrics_stickiness_weekly": ["week_start_date", "days_active", "users", "share_of_weekly_active"],
    "metrics_retention_daily_cohorts": [
        "cohort_date",
        "day_number",
        "cohort_size",
        "retained_users",
        "retention_rate",
        "unbounded_retained_users",
        "unbounded_retention_rate",
    ],
    "metrics_retention_weekly_cohorts": [
        "cohort_week_start_date",
        "week_number",
        "cohort_size",
        "retained_users",
        "retention_rate",
    ],
    "metrics_lifecycle_weekly": [
        "week_start_date",
        "new_users",
        "returning_users",
        "resurrecting_users",
        "dormant_users",
        "quick_ratio",
    ],
    "metrics_funnel_conversion": [
        "funnel_name",
        "entry_date",
        "step_number",
        "step_event_name",
        "users",
        "conversion_from_start",
        "conversion_from_previous",
        "median_seconds_from_start",
    ],
    "metrics_sessions_daily": [
        "activity_date",
        "sessions",
        "users_with_sessions",
        "sessions_per_user",
        "avg_session_seconds",
        "median_session_seconds",
    ],
    "metrics_revenue_daily": [
        "activity_date",
        "revenue_usd",
        "paying_users",
        "arpu_usd",
        "arppu_usd",
        "paying_user_ratio",
    ],
    "metrics_event_volume_daily": ["activity_date", "event_name", "events", "users"],
    "metrics_data_quality_daily": ["received_date", "owner_team", "reason", "rows"],
    "metrics_unplanned_properties_daily": ["received_date", "owner_team", "event_name", "property_key", "rows"],
}
"""Public model name -> the contract's columns, in contract order."""


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


MALFORMED = "__malformed__"
"""Key set (to True) on a raw row whose CSV line could not be read into the ten columns."""
MAX_LINE_BYTES = 2_000_000  # the CSV reader's line size limit (contract: beyond it, malformed)


def _is_readable(fields: list[str], width: int) -> bool:
    """A CSV record is readable when it has exactly the header's fields, all valid UTF-8
    (undecodable bytes survive decoding as lone surrogates) and within the line size limit."""
    if len(fields) != width:
        return False
    if any("\udc80" <= char <= "\udcff" for field in fields for char in field):
        return False
    return len(",".join(fields).encode("utf-8", "surrogateescape")) <= MAX_LINE_BYTES


def load_raw_csv(path: str | Path) -> list[dict[str, str | None]]:
    """Raw rows in file order (list index + 1 = raw row number), all text, empty field -> None.

    Only the ten contract columns are kept; a missing one raises (the build fails too).
    Whitespace trimming is a staging rule and happens in `classify`. A record that cannot be
    read (contract v2, "Malformed rows": wrong field count, an unclosed quote, which runs to the
    end of the file, bytes that are not UTF-8, a line over the size limit) is kept as a row with
    only `MALFORMED` set, so that raw = clean + quarantined still counts it.
    """
    text = Path(path).read_bytes().decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = [name.strip() for name in next(reader, [])]
    missing = [column for column in RAW_COLUMNS if column not in header]
    if missing:
        raise ValueError(f"raw events file {path} lacks column(s): {', '.join(missing)}")
    positions = {column: header.index(column) for column in RAW_COLUMNS}
    rows: list[dict[str, str | None]] = []
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error:  # an unclosed quote: nothing after it can be read
            rows.append({MALFORMED: True})  # type: ignore[dict-item]
            break
        if not _is_readable(fields, len(header)):
            rows.append({MALFORMED: True})  # type: ignore[dict-item]
            continue
        rows.append({column: (fields[index] or None) for column, index in positions.items()})
    return rows


def _parse_bool(text: str) -> bool:
    value = text.strip(WHITESPACE).lower()
    if value in ("true", "t", "1", "yes", "y"):
        return True
    if value in ("false", "f", "0", "no", "n", ""):
        return False
    raise ValueError(f"not a boolean: {text!r}")


@dataclass(frozen=True)
class PlannedEvent:
    event_name: str
    owner_team: str
    status: str
    is_active: bool
    is_revenue: bool
    required_properties: dict[str, str]
    # Tracking plan v2 (optional seed columns): keys as written in the plan.
    optional_properties: dict[str, str] = field(default_factory=dict)
    allowed_values: dict[str, list[Any]] = field(default_factory=dict)

    def declared_keys(self) -> set[str]:
        """Normalized keys the plan requires or makes optional."""
        return {normalize_name(key) for key in [*self.required_properties, *self.optional_properties]}


@dataclass(frozen=True)
class FunnelStep:
    step_number: int
    event_name: str
    conversion_window_days: int


@dataclass
class Seeds:
    tracking_plan: dict[str, PlannedEvent]
    aliases: dict[str, str]
    currency_rates: dict[str, float]
    funnels: dict[str, list[FunnelStep]] = field(default_factory=dict)


def load_seeds(seeds_dir: str | Path) -> Seeds:
    """The four reference seeds, read with the csv module."""
    seeds_dir = Path(seeds_dir)

    def read(name: str) -> list[dict[str, str]]:
        with open(seeds_dir / f"{name}.csv", newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    plan: dict[str, PlannedEvent] = {}

    def json_column(row: dict[str, str], column: str) -> dict[str, Any]:
        return dict(json.loads((row.get(column) or "").strip(WHITESPACE) or "{}"))

    for row in read("tracking_plan"):
        required = json_column(row, "required_properties")
        plan[row["event_name"].strip(WHITESPACE)] = PlannedEvent(
            event_name=row["event_name"].strip(WHITESPACE),
            owner_team=(row.get("owner_team") or "").strip(WHITESPACE),
            status=(row.get("status") or "").strip(WHITESPACE),
            is_active=_parse_bool(row.get("is_active") or ""),
            is_revenue=_parse_bool(row.get("is_revenue") or ""),
            required_properties={str(k): str(v) for k, v in required.items()},
            optional_properties={str(k): str(v) for k, v in json_column(row, "optional_properties").items()},
            allowed_values={str(k): list(v) for k, v in json_column(row, "allowed_values").items()},
        )
    aliases = {
        row["alias_name"].strip(WHITESPACE): row["event_name"].strip(WHITESPACE)
        for row in read("event_aliases")
    }
    rates = {
        row["currency"].strip(WHITESPACE).upper(): float(row["usd_rate"])
        for row in read("currency_rates")
    }
    funnels: dict[str, list[FunnelStep]] = defaultdict(list)
    # Contract v2: the v1 funnel model shows only the funnels whose settings are all defaults
    # (read by oracle_funnels, which imports this module: hence the import here).
    from oracle_funnels import default_funnel_names

    v1_funnels = default_funnel_names(seeds_dir)
    for row in read("funnel_steps"):
        if row["funnel_name"].strip(WHITESPACE) not in v1_funnels:
            continue
        funnels[row["funnel_name"].strip(WHITESPACE)].append(
            FunnelStep(
                step_number=int(row["step_number"]),
                event_name=row["event_name"].strip(WHITESPACE),
                conversion_window_days=int(row["conversion_window_days"]),
            )
        )
    for steps in funnels.values():
        steps.sort(key=lambda step: step.step_number)
    return Seeds(tracking_plan=plan, aliases=aliases, currency_rates=rates, funnels=dict(funnels))


# --------------------------------------------------------------------------------------------
# Staging rules
# --------------------------------------------------------------------------------------------

_UPPER_RUN = re.compile(r"([A-Z]+)([A-Z][a-z])")
_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_SEPARATORS = re.compile(r"[ \t\n\r\f\v\-._]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def normalize_name(s: str) -> str:
    """Event-name / property-key normalization, step by step as in decision 0001."""
    s = s.strip(WHITESPACE)
    s = _UPPER_RUN.sub(r"\1_\2", s)
    s = _LOWER_UPPER.sub(r"\1_\2", s)
    s = _SEPARATORS.sub("_", s)
    s = s.strip("_")
    return s.translate(_ASCII_LOWER)


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip(WHITESPACE)
    return value or None


def _clean_id(value: str | None) -> str | None:
    """insert_id / user_id / device_id: control characters removed, trimmed; empty text or a
    placeholder (any case) is missing."""
    if value is None:
        return None
    value = "".join(char for char in value if unicodedata.category(char) != "Cc").strip(WHITESPACE)
    if not value or value.lower() in PLACEHOLDER_IDS:
        return None
    return value


def _is_plausible(us: int | None) -> bool:
    return us is not None and EARLIEST_VALID_US <= us <= LATEST_VALID_US


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (any year)."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_EPOCH_MS = re.compile(r"-?\d{1,15}")


def parse_timestamp_us(text: str | None) -> int | None:
    """UTC microseconds since the epoch, or None when not one of the accepted shapes."""
    if text is None:
        return None
    text = text.strip(WHITESPACE)
    if not text:
        return None
    if _EPOCH_MS.fullmatch(text):
        return int(text) * 1000
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    fraction = match.group(7) or ""
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    micros = int((fraction + "000000")[:6]) if fraction else 0  # beyond microseconds: truncated
    offset_us = 0
    offset = match.group(8)
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        off_h = int(digits[:2])
        off_m = int(digits[2:4]) if len(digits) > 2 else 0
        if off_m > 59 or off_h * 60 + off_m > 18 * 60:  # time zone offsets stay within +-18:00
            return None
        offset_us = sign * (off_h * 3600 + off_m * 60) * US_PER_SECOND
    local_us = (
        _days_from_civil(year, month, day) * US_PER_DAY
        + (hour * 3600 + minute * 60 + second) * US_PER_SECOND
        + micros
    )
    return local_us - offset_us


# Reporting time zone (contract v2): every date is the calendar day of the instant in this zone.
# None is UTC, the v1 path. Set it with `reporting_timezone(name)` around classify/compute.
REPORTING_ZONE: ZoneInfo | None = None


@contextmanager
def reporting_timezone(name: str) -> Iterator[None]:
    """Within the block, `us_to_date` (hence every date the oracles derive) is local to `name`."""
    global REPORTING_ZONE
    previous = REPORTING_ZONE
    REPORTING_ZONE = None if name == "UTC" else ZoneInfo(name)
    try:
        yield
    finally:
        REPORTING_ZONE = previous


def us_to_date(us: int) -> date:
    if REPORTING_ZONE is None:
        return EPOCH_DATE + timedelta(days=us // US_PER_DAY)
    try:
        instant = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)
        return instant.astimezone(REPORTING_ZONE).date()
    except OverflowError:  # beyond year 9999: no zone rules there, read it as UTC
        return EPOCH_DATE + timedelta(days=us // US_PER_DAY)


def us_to_datetime(us: int) -> datetime | None:
    try:
        return datetime(1970, 1, 1) + timedelta(microseconds=us)
    except OverflowError:
        return None


class _InvalidJson(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _InvalidJson(f"not JSON: {name}")


def _first_key_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Nested objects keep their own keys; only the top level is normalized (below).
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key not in result:
            result[key] = value
    return result


def parse_properties(text: str | None) -> dict[str, Any] | None:
    """Properties as a dict with normalized keys (first key in the text wins), or None if invalid."""
    if text is None or not text.strip(WHITESPACE):
        return {}
    try:
        pairs_holder: list[list[tuple[str, Any]]] = []

        def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            pairs_holder.append(pairs)
            return _first_key_wins(pairs)

        value = json.loads(text, object_pairs_hook=hook, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    top_pairs = pairs_holder[-1]  # the outermost object is completed last
    normalized: dict[str, Any] = {}
    for key, item in top_pairs:
        norm = normalize_name(key)
        if norm not in normalized:
            normalized[norm] = item
    return normalized


def _has_type(value: Any, expected: str) -> bool:
    if value is None:  # JSON null counts as missing
        return False
    if expected == "string":
        return isinstance(value, str)
    if expected == "number":
        return type(value) in (int, float)
    if expected == "integer":
        # A JSON number written without fraction or exponent that fits in 64 bits.
        return type(value) is int and -(2**63) <= value <= 2**64 - 1
    if expected == "boolean":
        return type(value) is bool
    return False


def personal_data_keys() -> frozenset[str]:
    """The property keys the project declares personal data (var personal_data_property_keys)."""
    import yaml  # the project's settings file is YAML

    settings = yaml.safe_load((Path(__file__).resolve().parents[1] / "dbt_project.yml").read_text(encoding="utf-8"))
    return frozenset(settings["vars"]["personal_data_property_keys"])


def _json_kind(value: Any) -> str | None:
    """string, number or boolean for a JSON scalar (bool before int: True is an int in Python)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def is_allowed(value: Any, allowed: list[Any]) -> bool:
    """A value is allowed when it equals a listed value of the same kind (numbers by value)."""
    kind = _json_kind(value)
    if kind is None:
        return False
    for candidate in allowed:
        if _json_kind(candidate) != kind:
            continue
        if kind == "number" and float(candidate) == float(value):
            return True
        if kind != "number" and candidate == value:
            return True
    return False


def planned_properties_valid(props: dict[str, Any], planned: PlannedEvent) -> bool:
    """Required properties present with their type; optional ones typed when present (a JSON null
    is absent); a present property with allowed values takes one of them."""
    for key, expected in planned.required_properties.items():
        if not _has_type(props.get(normalize_name(key)), expected):
            return False
    for key, expected in planned.optional_properties.items():
        value = props.get(normalize_name(key))
        if value is not None and not _has_type(value, expected):
            return False
    for key, allowed in planned.allowed_values.items():
        value = props.get(normalize_name(key))
        if value is not None and not is_allowed(value, allowed):
            return False
    return True


def resolve_name(raw_name: str | None, seeds: Seeds) -> str | None:
    """Canonical event name, or None when neither planned nor a known alias."""
    name = normalize_name(raw_name or "")
    if name in seeds.tracking_plan:
        return name
    alias = seeds.aliases.get(name)
    if alias is not None and alias in seeds.tracking_plan:
        return alias
    return None


def _event_id_hash(raw: dict[str, str | None], occurrence: int) -> str:
    """md5 of 'raw:' + md5(the ten raw columns joined by |), then | and the occurrence number."""
    joined = "|".join(raw.get(column) or "" for column in RAW_COLUMNS)
    raw_key = "raw:" + hashlib.md5(joined.encode("utf-8")).hexdigest()
    return hashlib.md5(f"{raw_key}|{occurrence}".encode("utf-8")).hexdigest()


def classify(
    raw_rows: list[dict[str, str | None]], seeds: Seeds
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the staging rules in contract order: (clean events, quarantined rows)."""
    staged: list[dict[str, Any]] = []
    occurrences: dict[tuple[str, ...], int] = defaultdict(int)
    personal_keys = personal_data_keys()
    for number, original in enumerate(raw_rows, start=1):
        raw = {column: _clean_text(original.get(column)) for column in RAW_COLUMNS}
        for id_column in ("insert_id", "user_id", "device_id"):
            raw[id_column] = _clean_id(original.get(id_column))
        event_name = resolve_name(raw["event_name"], seeds)
        planned = seeds.tracking_plan.get(event_name) if event_name else None
        event_us = parse_timestamp_us(raw["event_time"])
        received_us = parse_timestamp_us(raw["received_at"])
        row: dict[str, Any] = {
            "raw_row_number": number,
            **{f"raw_{column}": raw[column] for column in RAW_COLUMNS},
            "event_name": event_name,
            "owner_team": planned.owner_team if planned else "unassigned",
            "event_us": event_us,
            "received_us": received_us,
            "received_date": us_to_date(received_us) if received_us is not None else None,
            "reason": None,
            "properties": None,
            "unplanned_keys": [],
            "revenue_usd": None,
        }
        if raw["insert_id"] is None:
            # Hashed from the raw text as received (untrimmed; null as empty text).
            key = tuple(original.get(column) or "" for column in RAW_COLUMNS)
            occurrences[key] += 1
            row["event_id"] = _event_id_hash(original, occurrences[key])
        else:
            row["event_id"] = raw["insert_id"]

        if original.get(MALFORMED):
            row["reason"] = "malformed_row"
        elif raw["user_id"] is None and raw["device_id"] is None:
            row["reason"] = "missing_identity"
        elif not _is_plausible(event_us) or not _is_plausible(received_us):
            row["reason"] = "invalid_timestamp"
        elif event_us > received_us + FUTURE_TOLERANCE_US:
            row["reason"] = "future_timestamp"
        elif planned is None:
            row["reason"] = "unplanned_event"
        else:
            props = parse_properties(raw["properties"])
            valid = props is not None and planned_properties_valid(props, planned)
            if valid and planned.is_revenue:
                assert props is not None
                currency = props.get("currency")
                if not isinstance(currency, str):
                    valid = False
                else:
                    code = currency.strip(WHITESPACE).upper()
                    rate = seeds.currency_rates.get(code)
                    if rate is None:
                        valid = False
                    else:
                        amount = props.get("revenue")
                        if type(amount) in (int, float):
                            row["revenue_usd"] = float(amount) * rate
            if not valid:
                row["reason"] = "invalid_properties"
            else:
                assert props is not None
                row["properties"] = props
                declared = planned.declared_keys()
                row["unplanned_keys"] = [
                    key for key in props if key and key not in declared and key not in personal_keys
                ]
        staged.append(row)

    # duplicate_event: among rows that passed every other rule, by received_at then row number.
    by_insert_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in staged:
        if row["reason"] is None and row["raw_insert_id"] is not None:
            by_insert_id[row["raw_insert_id"]].append(row)
    for rows in by_insert_id.values():
        rows.sort(key=lambda r: (r["received_us"], r["raw_row_number"]))
        for later in rows[1:]:
            later["reason"] = "duplicate_event"

    clean_rows = [row for row in staged if row["reason"] is None]
    quarantine_rows = [row for row in staged if row["reason"] is not None]

    # user_key: device -> user_id of the earliest clean event carrying both.
    device_owner: dict[str, tuple[int, str, str]] = {}
    for row in clean_rows:
        device, user = row["raw_device_id"], row["raw_user_id"]
        if device is not None and user is not None:
            candidate = (row["event_us"], row["event_id"], user)
            if device not in device_owner or candidate[:2] < device_owner[device][:2]:
                device_owner[device] = candidate
    for row in clean_rows:
        plan = seeds.tracking_plan[row["event_name"]]
        if row["raw_user_id"] is not None:
            row["user_key"] = row["raw_user_id"]
        elif row["raw_device_id"] in device_owner:
            row["user_key"] = device_owner[row["raw_device_id"]][2]
        else:
            row["user_key"] = "device:" + row["raw_device_id"]
        row["event_date"] = us_to_date(row["event_us"])
        row["event_time"] = us_to_datetime(row["event_us"])
        row["is_active"] = plan.is_active
        row["is_revenue"] = plan.is_revenue
    for row in staged:
        row["received_at"] = (
            us_to_datetime(row["received_us"]) if row["received_us"] is not None else None
        )

    clean_columns = [
        "raw_row_number",
        "event_id",
        "event_name",
        "user_key",
        "raw_user_id",
        "raw_device_id",
        "event_us",
        "event_time",
        "event_date",
        "received_us",
        "received_at",
        "received_date",
        "is_active",
        "is_revenue",
        "revenue_usd",
        "owner_team",
        "properties",
        "unplanned_keys",
        "raw_platform",
        "raw_app_version",
        "raw_country",
    ]
    quarantine_columns = [
        "raw_row_number",
        "event_id",
        "reason",
        "event_name",
        "owner_team",
        "event_us",
        "received_us",
        "received_at",
        "received_date",
        *[f"raw_{column}" for column in RAW_COLUMNS],
    ]
    clean = pd.DataFrame(clean_rows, columns=clean_columns, dtype=object)
    quarantine = pd.DataFrame(quarantine_rows, columns=quarantine_columns, dtype=object)
    return clean, quarantine


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------


def _div(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _frame(model: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=MODEL_COLUMNS[model], dtype=object)


def compute_metrics(
    clean: pd.DataFrame, quarantine: pd.DataFrame, seeds: Seeds
) -> dict[str, pd.DataFrame]:
    """Every public metric model as a DataFrame with exactly the contract's columns."""
    events: list[dict[str, Any]] = clean.to_dict("records")
    out: dict[str, list[dict[str, Any]]] = {model: [] for model in MODEL_COLUMNS}

    # ---- data quality (operational: every received_date, not cut by data end)
    dq: dict[tuple[Any, str, str], int] = defaultdict(int)
    for row in events:
        dq[(row["received_date"], row["owner_team"], "accepted")] += 1
    for row in quarantine.to_dict("records"):
        dq[(row["received_date"], row["owner_team"], row["reason"])] += 1
    for (received_date, team, reason), count in sorted(
        dq.items(), key=lambda item: (item[0][0] is None, item[0][0] or date.min, item[0][1], item[0][2])
    ):
        out["metrics_data_quality_daily"].append(
            {"received_date": received_date, "owner_team": team, "reason": reason, "rows": count}
        )

    # ---- unplanned properties (operational like data quality): clean events only
    unplanned: dict[tuple[Any, str, str, str], int] = defaultdict(int)
    for row in events:
        for key in row["unplanned_keys"]:
            unplanned[(row["received_date"], row["owner_team"], row["event_name"], key)] += 1
    for (received_date, team, event_name, key), count in sorted(unplanned.items()):
        out["metrics_unplanned_properties_daily"].append(
            {"received_date": received_date, "owner_team": team, "event_name": event_name, "property_key": key, "rows": count}
        )

    if not events:
        return {model: _frame(model, rows) for model, rows in out.items()}

    first_day: date = min(row["event_date"] for row in events)
    data_end: date = max(row["event_date"] for row in events) - timedelta(days=1)
    days = _day_range(first_day, data_end) if data_end >= first_day else []

    # active days per user, users per day
    active_users_by_day: dict[date, set[str]] = defaultdict(set)
    active_days_by_user: dict[str, set[date]] = defaultdict(set)
    for row in events:
        if row["is_active"]:
            active_users_by_day[row["event_date"]].add(row["user_key"])
            active_days_by_user[row["user_key"]].add(row["event_date"])
    first_seen: dict[str, date] = {user: min(ds) for user, ds in active_days_by_user.items()}

    def active_between(start: date, end: date) -> set[str]:
        users: set[str] = set()
        for day in _day_range(start, end):
            users |= active_users_by_day.get(day, set())
        return users

    # ---- active users
    dau_by_day: dict[date, int] = {}
    for day in days:
        dau = len(active_users_by_day.get(day, set()))
        wau = len(active_between(day - timedelta(days=6), day))
        mau = len(active_between(day - timedelta(days=29), day))
        dau_by_day[day] = dau
        out["metrics_active_users_daily"].append(
            {"activity_date": day, "dau": dau, "wau": wau, "mau": mau, "dau_mau_ratio": _div(dau, mau)}
        )

    # ---- new users
    new_by_day: dict[date, set[str]] = defaultdict(set)
    for user, day in first_seen.items():
        new_by_day[day].add(user)
    cumulative = 0
    for day in days:
        new = len(new_by_day.get(day, set()))
        cumulative += new
        out["metrics_new_users_daily"].append(
            {"activity_date": day, "new_users": new, "cumulative_users": cumulative}
        )

    # ---- complete weeks: from the week of the first day to the last week ending by data end
    weeks: list[date] = []
    week = _monday(first_day)
    while week + timedelta(days=6) <= data_end:
        weeks.append(week)
        week += timedelta(days=7)

    def active_in_week(week_start: date) -> set[str]:
        return active_between(week_start, week_start + timedelta(days=6))

    # ---- stickiness
    for week_start in weeks:
        counts = {n: 0 for n in range(1, 8)}
        weekly_active = active_in_week(week_start)
        week_end = week_start + timedelta(days=6)
        for user in weekly_active:
            n_days = sum(1 for d in active_days_by_user[user] if week_start <= d <= week_end)
            counts[n_days] += 1
        for n in range(1, 8):
            out["metrics_stickiness_weekly"].append(
                {
                    "week_start_date": week_start,
                    "days_active": n,
                    "users": counts[n],
                    "share_of_weekly_active": _div(counts[n], len(weekly_active)),
                }
            )

    # ---- daily retention
    for cohort_date in sorted(new_by_day):
        cohort = new_by_day[cohort_date]
        for n in RETENTION_DAYS:
            target = cohort_date + timedelta(days=n)
            if target > data_end:
                continue
            retained = sum(1 for u in cohort if target in active_days_by_user[u])
            unbounded = sum(
                1 for u in cohort if any(target <= d <= data_end for d in active_days_by_user[u])
            )
            out["metrics_retention_daily_cohorts"].append(
                {
                    "cohort_date": cohort_date,
                    "day_number": n,
                    "cohort_size": len(cohort),
                    "retained_users": retained,
                    "retention_rate": _div(retained, len(cohort)),
                    "unbounded_retained_users": unbounded,
                    "unbounded_retention_rate": _div(unbounded, len(cohort)),
                }
            )

    # ---- weekly retention
    weekly_cohorts: dict[date, set[str]] = defaultdict(set)
    for user, day in first_seen.items():
        weekly_cohorts[_monday(day)].add(user)
    for cohort_week in sorted(weekly_cohorts):
        cohort = weekly_cohorts[cohort_week]
        for w in RETENTION_WEEKS:
            target_week = cohort_week + timedelta(days=7 * w)
            if target_week + timedelta(days=6) > data_end:
                continue
            active = active_in_week(target_week)
            retained = len(cohort & active)
            out["metrics_retention_weekly_cohorts"].append(
                {
                    "cohort_week_start_date": cohort_week,
                    "week_number": w,
                    "cohort_size": len(cohort),
                    "retained_users": retained,
                    "retention_rate": _div(retained, len(cohort)),
                }
            )

    # ---- lifecycle
    for week_start in weeks:
        previous_start = week_start - timedelta(days=7)
        current = active_in_week(week_start)
        previous = active_in_week(previous_start)
        new = {u for u in current if _monday(first_seen[u]) == week_start}
        returning = {u for u in current if u in previous and u not in new}
        resurrecting = {
            u for u in current if u not in previous and first_seen[u] < previous_start
        }
        dormant = previous - current
        out["metrics_lifecycle_weekly"].append(
            {
                "week_start_date": week_start,
                "new_users": len(new),
                "returning_users": len(returning),
                "resurrecting_users": len(resurrecting),
                "dormant_users": len(dormant),
                "quick_ratio": _div(len(new) + len(resurrecting), len(dormant)),
            }
        )

    # ---- funnels
    times_by_user_event: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in events:
        times_by_user_event[(row["user_key"], row["event_name"])].append(row["event_us"])
    for times in times_by_user_event.values():
        times.sort()
    users_by_event: dict[str, set[str]] = defaultdict(set)
    for user, name in times_by_user_event:
        users_by_event[name].add(user)
    for funnel_name in sorted(seeds.funnels):
        steps = seeds.funnels[funnel_name]
        window_us = steps[0].conversion_window_days * US_PER_DAY
        # entry_date -> step index -> list of seconds from start for users reaching it
        reached: dict[date, list[list[float]]] = {}
        for user in sorted(users_by_event.get(steps[0].event_name, set())):
            entry_us = times_by_user_event[(user, steps[0].event_name)][0]
            if us_to_date(entry_us + window_us) > data_end:
                continue
            entry_date = us_to_date(entry_us)
            per_step = reached.setdefault(entry_date, [[] for _ in steps])
            per_step[0].append(0.0)
            previous_us = entry_us
            for index, step in enumerate(steps[1:], start=1):
                candidates = [
                    t
                    for t in times_by_user_event.get((user, step.event_name), [])
                    if previous_us <= t <= entry_us + window_us
                ]
                if not candidates:
                    break
                previous_us = candidates[0]
                per_step[index].append((previous_us - entry_us) / US_PER_SECOND)
        for entry_date in sorted(reached):
            per_step = reached[entry_date]
            for index, step in enumerate(steps):
                users = len(per_step[index])
                out["metrics_funnel_conversion"].append(
                    {
                        "funnel_name": funnel_name,
                        "entry_date": entry_date,
                        "step_number": step.step_number,
                        "step_event_name": step.event_name,
                        "users": users,
                        "conversion_from_start": _div(users, len(per_step[0])),
                        "conversion_from_previous": _div(
                            users, len(per_step[index - 1]) if index else users
                        ),
                        "median_seconds_from_start": _median(per_step[index]),
                    }
                )

    # ---- sessions (every clean event, active and passive)
    times_by_user: dict[str, list[int]] = defaultdict(list)
    for row in events:
        times_by_user[row["user_key"]].append(row["event_us"])
    sessions_by_day: dict[date, list[tuple[str, float]]] = defaultdict(list)
    for user, times in times_by_user.items():
        times.sort()
        start = last = times[0]
        for t in times[1:]:
            if t - last > SESSION_GAP_US:
                sessions_by_day[us_to_date(start)].append((user, (last - start) / US_PER_SECOND))
                start = t
            last = t
        sessions_by_day[us_to_date(start)].append((user, (last - start) / US_PER_SECOND))
    for day in days:
        sessions = sessions_by_day.get(day, [])
        lengths = [length for _, length in sessions]
        users = len({user for user, _ in sessions})
        out["metrics_sessions_daily"].append(
            {
                "activity_date": day,
                "sessions": len(sessions),
                "users_with_sessions": users,
                "sessions_per_user": _div(len(sessions), users),
                "avg_session_seconds": _div(math.fsum(lengths), len(lengths)),
                "median_session_seconds": _median(lengths),
            }
        )

    # ---- revenue
    revenue_by_day: dict[date, list[float]] = defaultdict(list)
    payers_by_day: dict[date, set[str]] = defaultdict(set)
    for row in events:
        if row["is_revenue"]:
            payers_by_day[row["event_date"]].add(row["user_key"])
            if row["revenue_usd"] is not None:
                revenue_by_day[row["event_date"]].append(row["revenue_usd"])
    for day in days:
        revenue = math.fsum(revenue_by_day.get(day, []))
        payers = len(payers_by_day.get(day, set()))
        dau = dau_by_day[day]
        out["metrics_revenue_daily"].append(
            {
                "activity_date": day,
                "revenue_usd": revenue,
                "paying_users": payers,
                "arpu_usd": _div(revenue, dau),
                "arppu_usd": _div(revenue, payers),
                "paying_user_ratio": _div(payers, dau),
            }
        )

    # ---- event volume (every clean event, per event_time day, up to data end)
    volume: dict[tuple[date, str], list[str]] = defaultdict(list)
    for row in events:
        if first_day <= row["event_date"] <= data_end:
            volume[(row["event_date"], row["event_name"])].append(row["user_key"])
    for (day, name), users_list in sorted(volume.items()):
        out["metrics_event_volume_daily"].append(
            {"activity_date": day, "event_name": name, "events": len(users_list), "users": len(set(users_list))}
        )

    return {model: _frame(model, rows) for model, rows in out.items()}


def run_oracle(raw_path: str | Path, seeds_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Convenience: load, classify and compute every model for one raw file."""
    seeds = load_seeds(seeds_dir)
    clean, quarantine = classify(load_raw_csv(raw_path), seeds)
    return clean, quarantine, compute_metrics(clean, quarantine, seeds)


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


def normalize_cell(value: Any) -> Any:
    """Python scalar for comparison: None for every null, date for dates, int/float/str otherwise."""
    if value is None:
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        if value.hour == value.minute == value.second == value.microsecond == value.nanosecond == 0:
            return value.date()
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar
        try:
            return normalize_cell(value.item())
        except (AttributeError, ValueError, TypeError):
            return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return value
    if type(value).__name__ == "Decimal":
        return float(value)
    return value


def cells_equal(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    numeric = (int, float)
    if isinstance(expected, numeric) and isinstance(actual, numeric) and not isinstance(expected, bool):
        if isinstance(expected, int) and isinstance(actual, int):
            return expected == actual
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(expected, datetime) != isinstance(actual, datetime):
        return False
    return bool(expected == actual)


def compare_tables(
    expected: pd.DataFrame, actual: pd.DataFrame, keys: list[str], name: str = ""
) -> tuple[int, list[str]]:
    """(cells compared, mismatch descriptions). Compares every column of ``expected``.

    Floats: 1e-9 relative tolerance; null equals null only; a missing or extra row, a duplicate
    key, or a column absent from ``actual`` is a mismatch.
    """
    label = name or "table"
    mismatches: list[str] = []
    columns = list(expected.columns)
    missing_columns = [c for c in columns if c not in actual.columns]
    if missing_columns:
        mismatches.append(f"{label}: actual lacks column(s) {missing_columns}")
        columns = [c for c in columns if c not in missing_columns]
    if any(k not in columns for k in keys):
        return 0, mismatches

    def index(frame: pd.DataFrame, side: str) -> dict[tuple[Any, ...], dict[str, Any]]:
        result: dict[tuple[Any, ...], dict[str, Any]] = {}
        for record in frame[columns].to_dict("records"):
            row = {c: normalize_cell(v) for c, v in record.items()}
            key = tuple(row[k] for k in keys)
            if key in result:
                mismatches.append(f"{label}: duplicate key in {side} {dict(zip(keys, key))}")
            result[key] = row
        return result

    expected_rows = index(expected, "expected")
    actual_rows = index(actual, "actual")
    cells = 0

    def sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple((v is None, str(type(v)), v if v is not None else 0) for v in key)

    for key in sorted(expected_rows.keys() | actual_rows.keys(), key=sort_key):
        key_text = ", ".join(f"{k}={v}" for k, v in zip(keys, key))
        if key not in actual_rows:
            mismatches.append(f"{label} [{key_text}]: row missing in actual; expected {expected_rows[key]}")
            continue
        if key not in expected_rows:
            mismatches.append(f"{label} [{key_text}]: extra row in actual {actual_rows[key]}")
            continue
        for column in columns:
            cells += 1
            want, got = expected_rows[key][column], actual_rows[key][column]
            if not cells_equal(want, got):
                mismatches.append(
                    f"{label} [{key_text}] {column}: expected {want!r}, actual {got!r}"
                )
    return cells, mismatches


def find_relation(con: Any, schema: str, table: str) -> str:
    """`"schema"."table"`, or the one schema holding ``table`` when dbt prefixed the schema name."""
    found = con.execute(
        "select table_schema from information_schema.tables where table_name = ? order by table_schema",
        [table],
    ).fetchall()
    schemas = [row[0] for row in found]
    if schema in schemas:
        return f'"{schema}"."{table}"'
    suffixed = [s for s in schemas if s.endswith(schema)]
    if len(suffixed) == 1:
        return f'"{suffixed[0]}"."{table}"'
    raise AssertionError(f"table {table} not found in schema {schema} (schemas holding it: {schemas})")


def read_model(con: Any, relation: str) -> pd.DataFrame:
    """A table as an all-object DataFrame of plain Python values (dates as `datetime.date`)."""
    cursor = con.execute(f"select * from {relation}")
    names = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=names, dtype=object)
