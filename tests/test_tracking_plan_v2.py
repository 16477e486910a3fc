"""Tracking plan v2 (contract v2, "Tracking plan v2 and quality thresholds"): optional properties,
allowed values and unplanned properties, on hand-worked rows with the verdicts worked out by hand.

One build on a project copy whose tracking plan adds numeric, boolean and allowed-only rules to
the committed plan; each raw row's expected reason and the expected unplanned-property counts are
written below by hand, and checked against both the SQL models and the Python oracle. Then every
public model is compared whole between the two.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

import oracle
from dbt_helpers import PROJECT_DIR
from reliability_helpers import build, copy_project

RECEIVED_AT = "2026-04-30T08:00:00Z"
EVENT_TIME = "2026-04-29T12:00:00Z"

# Added to the committed plan in the project copy: numbers, booleans and a key with allowed
# values that the plan does not declare (checked when present, still reported as unplanned).
EXTRA_RULES: dict[str, dict[str, dict[str, Any]]] = {
    "song_played": {
        "optional_properties": {"screen": "string"},
        "allowed_values": {"source": ["album", "library", "radio", "search"]},
    },
    "settings_changed": {
        "optional_properties": {"volume": "number", "level": "integer"},
        "allowed_values": {"level": [1, 2, 3], "volume": [0.5, 1], "is_enabled": [True]},
    },
    "search_performed": {
        "optional_properties": {},
        "allowed_values": {"query_language": ["en", "sv"], "rank": [1]},
    },
}

SETTINGS = {"setting_name": "crossfade", "is_enabled": True}
SEARCH = {"results_count": 4}
SONG = {"song_id": "s1", "source": "radio"}


@dataclass(frozen=True)
class HandRow:
    insert_id: str
    event_name: str
    properties: dict[str, Any] | str
    reason: str | None  # None: clean
    why: str


HAND_ROWS: tuple[HandRow, ...] = (
    # Optional properties (committed plan: app_opened may carry screen and tier; tier in free/premium).
    HandRow("o1", "app_opened", {}, None, "optional properties may be absent"),
    HandRow("o2", "app_opened", {"screen": "home", "tier": "free"}, None, "optional, typed and allowed"),
    HandRow("o3", "app_opened", {"screen": 5}, "invalid_properties", "optional property of the wrong type"),
    HandRow("o4", "app_opened", {"tier": "gold"}, "invalid_properties", "optional property outside its allowed values"),
    HandRow("o5", "app_opened", {"tier": None}, None, "a JSON null counts as absent"),
    HandRow("o6", "app_opened", {"Tier": "premium", "buttonColor": "red"}, None, "keys normalized: tier planned, button_color not"),
    # Required properties with allowed values (song_played, EXTRA_RULES: source in a list, case-sensitive).
    HandRow("s1", "song_played", {**SONG, "campaign": "x", "email": "a@example.com"}, None, "campaign unplanned; email is personal data"),
    HandRow("s2", "song_played", {"song_id": "s1", "source": "Radio"}, "invalid_properties", "strings compare exactly"),
    HandRow("s3", "song_played", {**SONG, "screenName": "x", "screen_name": "y"}, None, "two spellings of one key: counted once"),
    HandRow("s4", "song_played", {"source": "radio", "foo": 1}, "invalid_properties", "required missing: its unplanned key is not counted"),
    HandRow("s5", "songPlayed", {**SONG, "campaign": "y"}, None, "an event name variant is the same event"),
    HandRow("s1", "song_played", {**SONG, "campaign": "x"}, "duplicate_event", "a duplicate is not counted"),
    HandRow("u1", "song_hummed", {"foo": 1}, "unplanned_event", "an unplanned event's properties are not counted"),
    # Numbers compare by value, booleans as booleans (settings_changed, EXTRA_RULES).
    HandRow("n1", "settings_changed", {**SETTINGS, "level": 2}, None, "integer in its allowed values"),
    HandRow("n2", "settings_changed", {**SETTINGS, "level": 2.0}, "invalid_properties", "2.0 is not an integer"),
    HandRow("n3", "settings_changed", {**SETTINGS, "level": 4}, "invalid_properties", "integer outside its allowed values"),
    HandRow("n4", "settings_changed", {**SETTINGS, "volume": 1.0}, None, "1.0 equals the allowed 1"),
    HandRow("n5", "settings_changed", {**SETTINGS, "volume": 1}, None, "an integer is a number; 1 is allowed"),
    HandRow("n6", "settings_changed", {**SETTINGS, "volume": "1"}, "invalid_properties", "the text '1' is not a number"),
    HandRow("n7", "settings_changed", {**SETTINGS, "volume": 0.25}, "invalid_properties", "number outside its allowed values"),
    HandRow("b1", "settings_changed", {"setting_name": "crossfade", "is_enabled": False}, "invalid_properties", "false is not allowed"),
    # Allowed values on a key the plan does not declare (search_performed): checked, and unplanned.
    HandRow("a1", "search_performed", {**SEARCH, "query_language": "sv"}, None, "allowed; still an unplanned key"),
    HandRow("a2", "search_performed", {**SEARCH, "query_language": "de"}, "invalid_properties", "outside the allowed values"),
    HandRow("a3", "search_performed", {**SEARCH, "rank": "1"}, "invalid_properties", "the string '1' is not the number 1"),
    HandRow("a4", "search_performed", {**SEARCH, "rank": 1, "rank_bucket": "top"}, None, "rank allowed; both keys unplanned"),
)

# (owner_team, event_name, property_key) -> clean events carrying it, worked out from HAND_ROWS.
EXPECTED_UNPLANNED: dict[tuple[str, str, str], int] = {
    ("growth", "app_opened", "button_color"): 1,  # o6
    ("playback", "song_played", "campaign"): 2,  # s1, s5 (not the duplicate, not s4)
    ("playback", "song_played", "screen_name"): 1,  # s3 (screen is optional for song_played)
    ("discovery", "search_performed", "query_language"): 1,  # a1
    ("discovery", "search_performed", "rank"): 1,  # a4
    ("discovery", "search_performed", "rank_bucket"): 1,  # a4
}


def rewrite_plan(
    project: Path, rules: dict[str, dict[str, Any]], drop_columns: tuple[str, ...] = ()
) -> None:
    """The project copy's tracking plan with ``rules`` (event -> column -> JSON value) applied and
    ``drop_columns`` left out."""
    plan_path = project / "seeds" / "tracking_plan.csv"
    with open(plan_path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for column, value in rules.get(row["event_name"], {}).items():
            row[column] = json.dumps(value)
    columns = [column for column in rows[0] if column not in drop_columns]
    with open(plan_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_raw(raw_path: Path) -> None:
    with open(raw_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(oracle.RAW_COLUMNS))
        writer.writeheader()
        for row in HAND_ROWS:
            properties = row.properties if isinstance(row.properties, str) else json.dumps(row.properties)
            writer.writerow({
                "insert_id": row.insert_id, "event_name": row.event_name, "user_id": "u", "device_id": "",
                "event_time": EVENT_TIME, "received_at": RECEIVED_AT, "platform": "ios",
                "app_version": "5.1.0", "country": "SE", "properties": properties,
            })
        # One event a day later so that the hand-worked day is before data end.
        writer.writerow({
            "insert_id": "end", "event_name": "app_opened", "user_id": "u", "device_id": "",
            "event_time": "2026-04-30T07:00:00Z", "received_at": RECEIVED_AT, "platform": "ios",
            "app_version": "5.1.0", "country": "SE", "properties": "{}",
        })


@dataclass
class PlanCase:
    db_path: Path
    clean: pd.DataFrame
    quarantine: pd.DataFrame
    metrics: dict[str, pd.DataFrame]

    def read(self, schema: str, table: str) -> pd.DataFrame:
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return oracle.read_model(con, oracle.find_relation(con, schema, table))
        finally:
            con.close()


@pytest.fixture(scope="module")
def plan_case(tmp_path_factory: pytest.TempPathFactory) -> PlanCase:
    work = tmp_path_factory.mktemp("tracking_plan_v2")
    project = copy_project(work / "project")
    rewrite_plan(project, EXTRA_RULES)
    raw_path = work / "raw.csv"
    write_raw(raw_path)
    db_path = work / "plan_v2.duckdb"
    build(db_path, raw_path, project_dir=project)
    seeds = oracle.load_seeds(project / "seeds")
    clean, quarantine = oracle.classify(oracle.load_raw_csv(raw_path), seeds)
    return PlanCase(db_path, clean, quarantine, oracle.compute_metrics(clean, quarantine, seeds))


def hand_reasons() -> dict[int, str | None]:
    return {number: row.reason for number, row in enumerate(HAND_ROWS, start=1)}


def test_each_row_gets_the_hand_worked_verdict(plan_case: PlanCase) -> None:
    quarantined = plan_case.read("staging", "stg_events_quarantine")
    sql_reasons = dict(zip(quarantined["raw_row_number"].astype(int), quarantined["reason"]))
    oracle_reasons = dict(zip(plan_case.quarantine["raw_row_number"].astype(int), plan_case.quarantine["reason"]))
    for number, row in enumerate(HAND_ROWS, start=1):
        for side, reasons in (("sql", sql_reasons), ("oracle", oracle_reasons)):
            assert reasons.get(number) == row.reason, (
                f"{side}: raw row {number} ({row.insert_id}, {row.why}): want {row.reason}, got {reasons.get(number)}"
            )


def test_unplanned_properties_are_the_hand_worked_ones(plan_case: PlanCase) -> None:
    for side, frame in (
        ("sql", plan_case.read("metrics", "metrics_unplanned_properties_daily")),
        ("oracle", plan_case.metrics["metrics_unplanned_properties_daily"]),
    ):
        got = {
            (record["owner_team"], record["event_name"], record["property_key"]): int(record["rows"])
            for record in frame.to_dict("records")
        }
        assert got == EXPECTED_UNPLANNED, f"{side}: {got}"
        assert set(frame["received_date"].astype(str)) == {"2026-04-30"}, f"{side}: received dates"


def test_every_public_model_matches_the_oracle(plan_case: PlanCase) -> None:
    problems: list[str] = []
    for model, keys in oracle.PUBLIC_MODELS.items():
        cells, mismatches = oracle.compare_tables(plan_case.metrics[model], plan_case.read("metrics", model), keys, name=model)
        problems += mismatches
    assert not problems, "SQL and oracle differ:\n" + "\n".join(problems[:20])


def test_plan_without_v2_columns_builds_as_before(tmp_path: Path) -> None:
    """A team's v1 tracking plan (no optional_properties, no allowed_values) still builds:
    the columns are optional, nothing is optional or restricted, every extra key is unplanned."""
    project = copy_project(tmp_path / "project")
    rewrite_plan(project, {}, drop_columns=("optional_properties", "allowed_values"))
    raw_path = tmp_path / "raw.csv"
    write_raw(raw_path)
    db_path = tmp_path / "plan_v1.duckdb"
    build(db_path, raw_path, project_dir=project, data_tests=False)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tier = con.execute(
            "select sum(rows) from metrics.metrics_unplanned_properties_daily"
            " where event_name = 'app_opened' and property_key = 'tier'"
        ).fetchone()
        reasons = dict(con.execute("select raw_row_number, reason from staging.stg_events_quarantine").fetchall())
    finally:
        con.close()
    # o2, o4 ("gold" is now allowed), o5 (a null value still sends the key) and o6 carry a tier.
    assert tier == (4,)
    assert reasons.get(4) is None and reasons.get(3) is None  # o3, o4 are clean without v2 rules


def test_generator_follows_allowed_values(tmp_path: Path) -> None:
    """`metrics_tools generate` draws a string property with allowed values from that list."""
    project = copy_project(tmp_path / "project")
    seeds = project / "seeds"
    rewrite_plan(project, {"account_created": {"allowed_values": {"signup_method": ["sso", "passkey"]}}})
    raw_path = tmp_path / "raw.csv"
    subprocess.run(
        [sys.executable, "-m", "metrics_tools", "generate", "--seed", "3", "--users", "150", "--days", "10",
         "--seeds-dir", str(seeds), "--output", str(raw_path), "--quiet", "--bad-rate", "0"],
        cwd=PROJECT_DIR, check=True,
    )
    seen = {
        json.loads(row["properties"]).get("signup_method")
        for row in oracle.load_raw_csv(raw_path)
        if row["event_name"] == "account_created"
    }
    assert seen == {"sso", "passkey"}, seen
