"""Reporting time zone and user history (issue 19), proved three ways.

1. Oracle: every public model matches the independent oracle, with the oracle's dates taken in the
   same zone (`oracle.reporting_timezone`), cell by cell under UTC, America/New_York,
   Europe/Berlin and Asia/Kolkata, on the shared generated dataset (`generated_dataset`, whose
   range crosses the autumn and spring daylight-saving changes of the US and the EU). UTC is the
   shared build; each other zone is one more build of the same raw file (module fixture).
2. Hand-worked cases in one tiny crafted file, built once with America/New_York: an event at
   23:30 local on the spring-forward day, sessions across the repeated hour of the fall-back
   day (gaps measured in exact minutes), a week boundary and data end in local time, and one
   person's plan, country and platform history (`dim_user_history`), figures worked out by hand.
3. A bad zone stops the run at start, naming the var, the value and the fix.

Run with `-s` to see the cells compared per zone.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

import oracle
import oracle_funnels
import oracle_retention
from dbt_helpers import SEEDS_DIR, build_project, run_dbt
from test_semantic_layer import MetricFlow

D = date.fromisoformat
ZONES = ("UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata")
CRAFTED_ZONE = "America/New_York"
# zone -> (cells compared, mismatches), filled by the oracle tests, printed by the last test.
CELLS: dict[str, tuple[int, int]] = {}


def read_tables(db_path: Path, relations: list[str], schema: str = "metrics") -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {rel: oracle.read_model(con, oracle.find_relation(con, schema, rel)) for rel in relations}
    finally:
        con.close()


def expected_public_models(raw_path: Path, zone: str) -> dict[str, tuple[pd.DataFrame, list[str]]]:
    """relation -> (oracle table, primary key) for every public model, dates in ``zone``."""
    seeds = oracle.load_seeds(SEEDS_DIR)
    with oracle.reporting_timezone(zone):
        clean, quarantine = oracle.classify(oracle.load_raw_csv(raw_path), seeds)
        v1 = oracle.compute_metrics(clean, quarantine, seeds)
        funnels = oracle_funnels.compute_funnel_metrics(clean, oracle_funnels.load_funnels(SEEDS_DIR))
        retention = oracle_retention.compute_all(clean, SEEDS_DIR)
    expected = {model: (v1[model], keys) for model, keys in oracle.PUBLIC_MODELS.items()}
    expected.update({rel: (funnels[rel], keys) for rel, (keys, _) in oracle_funnels.MODELS.items()})
    expected.update({rel: (retention[rel], keys) for rel, keys in oracle_retention.MODELS.items()})
    return expected


def compare_public_models(raw_path: Path, db_path: Path, zone: str) -> tuple[int, list[str]]:
    expected = expected_public_models(raw_path, zone)
    actual = read_tables(db_path, list(expected))
    cells, problems = 0, []
    for rel, (frame, keys) in expected.items():
        compared, mismatches = oracle.compare_tables(frame, actual[rel], keys, name=rel)
        assert compared > 0 or frame.empty, f"{zone}: no cells compared for {rel}"
        cells += compared
        problems += mismatches
    return cells, problems


# ---------------------------------------------------------------------------------------------
# 1. Oracle under four zones
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zone_builds(generated_dataset: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """zone -> DuckDB file built from the generated raw file with that reporting zone."""
    raw_path, utc_db = generated_dataset
    builds = {"UTC": utc_db}
    for zone in ZONES[1:]:
        db_path = tmp_path_factory.mktemp("zone_" + zone.replace("/", "_")) / "zone.duckdb"
        build_project(db_path, raw_events_path=raw_path, extra_vars={"reporting_timezone": zone})
        builds[zone] = db_path
    return builds


def test_generated_dataset_crosses_both_daylight_saving_changes(generated_dataset: tuple[Path, Path]) -> None:
    """The US and EU change clocks on four different Sundays; the reported days hold all four."""
    _, db_path = generated_dataset
    days = set(read_tables(db_path, ["metrics_active_users_daily"])["metrics_active_users_daily"]["activity_date"])
    changes = [D("2025-10-26"), D("2025-11-02"), D("2026-03-08"), D("2026-03-29")]  # EU, US, US, EU
    assert all(day in days for day in changes), f"reported days {min(days)}..{max(days)} miss one of {changes}"


@pytest.mark.parametrize("zone", ZONES)
def test_every_public_model_matches_oracle_in_zone(
    zone: str, generated_dataset: tuple[Path, Path], zone_builds: dict[str, Path]
) -> None:
    raw_path, _ = generated_dataset
    cells, problems = compare_public_models(raw_path, zone_builds[zone], zone)
    CELLS[zone] = (cells, len(problems))
    assert not problems, f"{zone}: {len(problems)} mismatch(es); first 20:\n" + "\n".join(problems[:20])
    assert cells > 0


def test_zone_changes_the_tables(generated_dataset: tuple[Path, Path], zone_builds: dict[str, Path]) -> None:
    """The comparison can fail: the New York build does not match the oracle's UTC dates."""
    raw_path, _ = generated_dataset
    _, problems = compare_public_models(raw_path, zone_builds["America/New_York"], "UTC")
    assert len(problems) > 100, f"only {len(problems)} cells differ between New York and UTC"


# ---------------------------------------------------------------------------------------------
# 2. Hand-worked cases (America/New_York: EST -5 h, EDT -4 h; clocks go forward on 2026-03-08 at
#    02:00 EST = 07:00Z and back on 2026-11-01 at 02:00 EDT = 06:00Z)
# ---------------------------------------------------------------------------------------------

RECEIVED_AT = "2026-11-05T02:00:00Z"  # 2026-11-04 21:00 EST: after every event below
CRAFTED_MODELS = [
    "metrics_active_users_daily",
    "metrics_new_users_daily",
    "metrics_sessions_daily",
    "metrics_lifecycle_weekly",
    "metrics_data_quality_daily",
]
SONG = {"song_id": "s1", "source": "library"}


def crafted_event(
    insert_id: str, name: str, user_id: str, event_time: str, properties: dict[str, Any], **extra: str
) -> dict[str, str]:
    row = {
        "insert_id": insert_id,
        "event_name": name,
        "user_id": user_id,
        "device_id": "",
        "event_time": event_time,
        "received_at": RECEIVED_AT,
        "platform": "ios",
        "app_version": "5.1.0",
        "country": "SE",
        "properties": json.dumps(properties),
    }
    row.update(extra)
    return row


CRAFTED_ROWS = [
    # Spring forward: local 2026-03-08 is 23 hours long, 05:00Z .. 04:00Z next day.
    crafted_event("tz-01", "song_played", "spring_1", "2026-03-08T05:00:00Z", SONG),  # 00:00 EST, Mar 8
    crafted_event("tz-02", "song_played", "spring_2", "2026-03-09T03:30:00Z", SONG),  # 23:30 EDT, Mar 8
    crafted_event("tz-03", "song_played", "spring_3", "2026-03-09T04:00:00Z", SONG),  # 00:00 EDT, Mar 9
    # Week boundary: Sunday 23:30 EDT and Monday 00:30 EDT are both Monday in UTC.
    crafted_event("tz-04", "song_played", "week_1", "2026-03-16T03:30:00Z", SONG),  # Sun Mar 15 23:30
    crafted_event("tz-05", "song_played", "week_1", "2026-03-16T04:30:00Z", SONG),  # Mon Mar 16 00:30
    # Fall back: local 2026-11-01 is 25 hours long, 04:00Z .. 05:00Z next day; 01:00-02:00 twice.
    crafted_event("tz-06", "song_played", "fall_1", "2026-11-01T05:20:00Z", SONG),  # 01:20 EDT
    crafted_event("tz-07", "song_played", "fall_1", "2026-11-01T06:25:00Z", SONG),  # 01:25 EST: 65 min later
    crafted_event("tz-08", "song_played", "fall_2", "2026-11-01T05:50:00Z", SONG),  # 01:50 EDT
    crafted_event("tz-09", "song_played", "fall_2", "2026-11-01T06:10:00Z", SONG),  # 01:10 EST: 20 min later
    crafted_event("tz-10", "song_played", "fall_3", "2026-11-02T04:30:00Z", SONG),  # 23:30 EST, Nov 1
    # Data end: the latest event is 23:30 EST on Nov 2 (Nov 3 in UTC), so data end is Nov 1.
    crafted_event("tz-11", "song_played", "end_1", "2026-11-03T04:30:00Z", SONG),
    # One person's history (April: EDT, no ambiguity). Same instant: tz-p4a then tz-p4b.
    crafted_event("tz-p1", "song_purchased", "plan_1", "2026-04-01T10:00:00Z",
                  {"song_id": "s1", "revenue": 1.0, "currency": "USD"}),
    crafted_event("tz-p2", "trial_started", "plan_1", "2026-04-02T10:00:00Z", {"plan": "premium_family"}),
    crafted_event("tz-p3", "song_played", "plan_1", "2026-04-03T10:00:00Z", SONG, platform="web", country=""),
    crafted_event("tz-p4a", "subscription_started", "plan_1", "2026-04-04T10:00:00Z",
                  {"plan": "premium_individual", "revenue": 10.0, "currency": "USD"}),
    crafted_event("tz-p4b", "song_played", "plan_1", "2026-04-04T10:00:00Z", SONG, platform="web"),
    crafted_event("tz-p5", "song_played", "plan_1", "2026-04-05T10:00:00Z", {**SONG, "plan": " "}),
    crafted_event("tz-p6", "song_played", "plan_1", "2026-04-06T10:00:00Z", SONG),
]


class Crafted:
    def __init__(self, raw_path: Path, db_path: Path) -> None:
        self.raw_path = raw_path
        self.db_path = db_path
        self.sql = read_tables(db_path, CRAFTED_MODELS)
        seeds = oracle.load_seeds(SEEDS_DIR)
        with oracle.reporting_timezone(CRAFTED_ZONE):
            clean, quarantine = oracle.classify(oracle.load_raw_csv(raw_path), seeds)
            self.oracle = oracle.compute_metrics(clean, quarantine, seeds)

    def row(self, model: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """The row ``key`` of ``model``, the same in SQL and in the oracle (None when absent)."""
        found = []
        for frame in (self.sql[model], self.oracle[model]):
            rows = [
                {c: oracle.normalize_cell(v) for c, v in record.items()}
                for record in frame.to_dict("records")
                if all(oracle.normalize_cell(record[k]) == v for k, v in key.items())
            ]
            assert len(rows) <= 1, f"{model}: several rows for {key}"
            found.append(rows[0] if rows else None)
        sql_row, oracle_row = found
        assert (sql_row is None) == (oracle_row is None), f"{model} {key}: sql {sql_row}, oracle {oracle_row}"
        if sql_row is not None and oracle_row is not None:
            for column, value in oracle_row.items():
                assert oracle.cells_equal(value, sql_row[column]), f"{model} {key} {column}: {sql_row} vs {oracle_row}"
        return sql_row


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Crafted:
    work = tmp_path_factory.mktemp("time_zone_crafted")
    raw_path = work / "raw.csv"
    with open(raw_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(oracle.RAW_COLUMNS))
        writer.writeheader()
        writer.writerows(CRAFTED_ROWS)
    db_path = work / "crafted.duckdb"
    build_project(db_path, raw_events_path=raw_path, extra_vars={"reporting_timezone": CRAFTED_ZONE})
    return Crafted(raw_path, db_path)


def test_event_at_2330_on_the_spring_forward_day(crafted: Crafted) -> None:
    # Local Mar 8 (23 hours): spring_1 at 00:00 EST and spring_2 at 23:30 EDT (03:30Z on Mar 9).
    # Local Mar 9: spring_3 at 00:00 EDT. In UTC it would be 1 on Mar 8 and 2 on Mar 9.
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2026-03-08")})["dau"] == 2
    assert crafted.row("metrics_new_users_daily", {"activity_date": D("2026-03-08")})["new_users"] == 2
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2026-03-09")})["dau"] == 1
    days = crafted.sql["metrics_active_users_daily"]["activity_date"].map(oracle.normalize_cell)
    assert min(days) == D("2026-03-08")


def test_sessions_across_the_fall_back_hour(crafted: Crafted) -> None:
    # Local Nov 1 (25 hours). fall_1: 01:20 EDT then 01:25 EST, 65 exact minutes apart (the wall
    # clock says 5): two sessions of 0 s. fall_2: 01:50 EDT then 01:10 EST, 20 exact minutes
    # apart (the wall clock says -40): one session of 1200 s. fall_3: 23:30 EST, the day's 25th
    # hour (04:30Z on Nov 2): one session of 0 s. Sessions 4, users 3, mean (0+0+1200+0)/4 = 300.
    row = crafted.row("metrics_sessions_daily", {"activity_date": D("2026-11-01")})
    assert row is not None
    assert (row["sessions"], row["users_with_sessions"]) == (4, 3)
    assert row["sessions_per_user"] == pytest.approx(4 / 3)
    assert row["avg_session_seconds"] == pytest.approx(300.0)
    assert row["median_session_seconds"] == pytest.approx(0.0)
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2026-11-01")})["dau"] == 3


def test_week_boundary_in_local_time(crafted: Crafted) -> None:
    # week_1 at Sunday Mar 15 23:30 EDT and Monday Mar 16 00:30 EDT (both Monday in UTC).
    # Week of Mar 9: active spring_3 (Mar 9) and week_1 (Mar 15), both new; week of Mar 2 had
    # spring_1 and spring_2: dormant 2. Week of Mar 16: week_1 returning, spring_3 dormant.
    # (In UTC week_1 would be new in the week of Mar 16 and spring_2 active in the week of Mar 9.)
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2026-03-15")})["dau"] == 1
    week_9 = crafted.row("metrics_lifecycle_weekly", {"week_start_date": D("2026-03-09")})
    assert (week_9["new_users"], week_9["returning_users"], week_9["dormant_users"]) == (2, 0, 2)
    week_16 = crafted.row("metrics_lifecycle_weekly", {"week_start_date": D("2026-03-16")})
    assert (week_16["new_users"], week_16["returning_users"], week_16["resurrecting_users"]) == (0, 1, 0)
    assert week_16["dormant_users"] == 1


def test_data_end_and_received_date_in_local_time(crafted: Crafted) -> None:
    # The latest event is Nov 2 23:30 EST (Nov 3 in UTC): data end is Nov 1 (UTC would say Nov 2).
    days = crafted.sql["metrics_active_users_daily"]["activity_date"].map(oracle.normalize_cell)
    assert max(days) == D("2026-11-01")
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2026-11-02")}) is None
    # Every row was received at 02:00Z on Nov 5, that is Nov 4 21:00 EST.
    quality = crafted.sql["metrics_data_quality_daily"]
    assert set(quality["received_date"].map(oracle.normalize_cell)) == {D("2026-11-04")}
    assert quality.loc[quality["reason"] == "accepted", "rows"].sum() == len(CRAFTED_ROWS)


def test_crafted_case_matches_oracle_everywhere(crafted: Crafted) -> None:
    problems: list[str] = []
    for model in CRAFTED_MODELS:
        _, mismatches = oracle.compare_tables(
            crafted.oracle[model], crafted.sql[model], oracle.PUBLIC_MODELS[model], name=model
        )
        problems += mismatches
    assert not problems, "\n".join(problems[:20])


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_user_history_by_hand(crafted: Crafted) -> None:
    # plan_1: p1 no plan yet -> free (the default), ios, SE. p2 trial premium_family -> new row.
    # p3 platform web, country empty (no value: SE stays) -> new row. p4a subscription
    # premium_individual (ios) and p4b web at the same instant: in event_id order the state
    # after the instant is premium_individual / web -> one new row. p5 ios (plan " " is empty)
    # -> new row. p6 changes nothing.
    history = read_tables(crafted.db_path, ["dim_user_history"], schema="marts")["dim_user_history"]
    rows = history[history["user_key"] == "plan_1"].sort_values("valid_from")
    got = [
        (r.plan, r.country, r.platform, r.valid_from, None if pd.isna(r.valid_to) else r.valid_to)
        for r in rows.itertuples()
    ]
    expected = [
        ("free", "SE", "ios", utc("2026-04-01 10:00:00"), utc("2026-04-02 10:00:00")),
        ("premium_family", "SE", "ios", utc("2026-04-02 10:00:00"), utc("2026-04-03 10:00:00")),
        ("premium_family", "SE", "web", utc("2026-04-03 10:00:00"), utc("2026-04-04 10:00:00")),
        ("premium_individual", "SE", "web", utc("2026-04-04 10:00:00"), utc("2026-04-05 10:00:00")),
        ("premium_individual", "SE", "ios", utc("2026-04-05 10:00:00"), None),
    ]
    assert got == expected
    # Every other person of the file kept one attribute set: one open row each.
    others = history[history["user_key"] != "plan_1"]
    assert others["valid_to"].isna().all() and others["user_key"].is_unique


def test_revenue_by_plan_at_the_time_and_latest_in_metricflow(
    crafted: Crafted, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The $1 song was bought on the free plan, the $10 subscription on premium_individual (its
    # row starts at that very instant, inclusive). Now plan_1 is premium_individual: $11.
    mf = MetricFlow(crafted.db_path, crafted.db_path.parent / "target", tmp_path_factory.mktemp("mf_crafted"))
    at_the_time = mf.query(["revenue_usd"], ["user__plan_at_the_time"])
    latest = mf.query(["revenue_usd"], ["user__latest_plan"])
    paid = at_the_time[at_the_time["revenue_usd"] > 0]
    assert dict(zip(paid["user__plan_at_the_time"], paid["revenue_usd"])) == pytest.approx(
        {"free": 1.0, "premium_individual": 10.0}
    )
    paid = latest[latest["revenue_usd"] > 0]
    assert dict(zip(paid["user__latest_plan"], paid["revenue_usd"])) == pytest.approx({"premium_individual": 11.0})


# ---------------------------------------------------------------------------------------------
# 3. A bad zone
# ---------------------------------------------------------------------------------------------


def test_unknown_zone_stops_the_run_naming_var_value_and_fix(tmp_path: Path) -> None:
    result = run_dbt(
        ["run", "--select", "stg_tracking_plan"],
        tmp_path / "bad.duckdb",
        extra_vars={"reporting_timezone": "America/Nowhere"},
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "var reporting_timezone is 'America/Nowhere'" in output, output[-2000:]
    assert "--vars '{reporting_timezone: Europe/Berlin}'" in output
    assert "OK created" not in output, "a model was built before the zone was checked"


# ---------------------------------------------------------------------------------------------
# Summary (last in the file)
# ---------------------------------------------------------------------------------------------


def test_zz_cells_compared_per_zone(capsys: pytest.CaptureFixture[str]) -> None:
    if not CELLS:
        pytest.skip("no zone comparison ran in this session")
    with capsys.disabled():
        print("\ncells compared with the oracle per reporting time zone (cells, mismatches):")
        for zone in ZONES:
            if zone in CELLS:
                print(f"  {zone:<18} {CELLS[zone][0]:>8} {CELLS[zone][1]:>4}")
