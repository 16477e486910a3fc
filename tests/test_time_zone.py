"""Reporting time zone and user history (issue 19), proved three ways.

1. Oracle: every public model matches the independent oracle, with the oracle's dates taken in the
   same zone (`oracle.reporting_timezone`), cell by cell under UTC, America/New_York,
   Europe/Berlin and Asia/Kolkata, on the shared generated dataset (`generated_dataset`, whose
   range, 2025-10-12 to 2026-03-31, crosses the autumn and spring daylight-saving changes of the
   US and the EU). UTC is the shared build; each other zone is one more build (module fixture).
2. Hand-worked cases: a few crafted people, appended to the New York build's raw file on days
   after the generated range (so no generated person shares their days, and no extra build is
   needed): an event at 23:30 local on the spring-forward day, sessions across the repeated
   hour of the fall-back day (gaps in exact minutes), a week boundary and data end in local
   time, and one person's plan, country and platform history (`dim_user_history`, and revenue
   by plan at the time and now in MetricFlow), figures worked out by hand.
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
# Hand-worked rows (America/New_York: EST -5 h, EDT -4 h). Clocks go back on 2026-11-01 at 02:00
# EDT = 06:00Z and forward on 2027-03-14 at 02:00 EST = 07:00Z. All after the generated range.
# ---------------------------------------------------------------------------------------------

RECEIVED_AT = "2027-04-08T02:00:00Z"  # 2027-04-07 22:00 EDT: after every crafted event
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
    # One person's history (April 2026, EDT). Same instant: tz-p4a then tz-p4b (event_id order).
    crafted_event("tz-p1", "song_purchased", "tz_plan", "2026-04-01T10:00:00Z",
                  {"song_id": "s1", "revenue": 1.0, "currency": "USD"}),
    crafted_event("tz-p2", "trial_started", "tz_plan", "2026-04-02T10:00:00Z", {"plan": "premium_family"}),
    crafted_event("tz-p3", "song_played", "tz_plan", "2026-04-03T10:00:00Z", SONG, platform="web", country=""),
    crafted_event("tz-p4a", "subscription_started", "tz_plan", "2026-04-04T10:00:00Z",
                  {"plan": "premium_individual", "revenue": 10.0, "currency": "USD"}),
    crafted_event("tz-p4b", "song_played", "tz_plan", "2026-04-04T10:00:00Z", SONG, platform="web"),
    crafted_event("tz-p5", "song_played", "tz_plan", "2026-04-05T10:00:00Z", {**SONG, "plan": " "}),
    crafted_event("tz-p6", "song_played", "tz_plan", "2026-04-06T10:00:00Z", SONG),
    # Fall back: local 2026-11-01 lasts 25 hours, 04:00Z .. 05:00Z next day; 01:00-02:00 twice.
    crafted_event("tz-06", "song_played", "tz_fall_1", "2026-11-01T05:20:00Z", SONG),  # 01:20 EDT
    crafted_event("tz-07", "song_played", "tz_fall_1", "2026-11-01T06:25:00Z", SONG),  # 01:25 EST, 65 min on
    crafted_event("tz-08", "song_played", "tz_fall_2", "2026-11-01T05:50:00Z", SONG),  # 01:50 EDT
    crafted_event("tz-09", "song_played", "tz_fall_2", "2026-11-01T06:10:00Z", SONG),  # 01:10 EST, 20 min on
    crafted_event("tz-10", "song_played", "tz_fall_3", "2026-11-02T04:30:00Z", SONG),  # 23:30 EST, Nov 1
    # Spring forward: local 2027-03-14 (a Sunday) lasts 23 hours, 05:00Z .. 04:00Z next day.
    crafted_event("tz-01", "song_played", "tz_spring_1", "2027-03-14T05:00:00Z", SONG),  # 00:00 EST, Mar 14
    crafted_event("tz-02", "song_played", "tz_spring_2", "2027-03-15T03:30:00Z", SONG),  # 23:30 EDT, Mar 14
    crafted_event("tz-03", "song_played", "tz_spring_3", "2027-03-15T04:00:00Z", SONG),  # 00:00 EDT, Mar 15
    # Week boundary: Sunday 23:30 EDT and Monday 00:30 EDT are both Monday in UTC.
    crafted_event("tz-04", "song_played", "tz_week_1", "2027-03-22T03:30:00Z", SONG),  # Sun Mar 21 23:30
    crafted_event("tz-05", "song_played", "tz_week_1", "2027-03-22T04:30:00Z", SONG),  # Mon Mar 22 00:30
    # Data end: the latest event is Mon 2027-04-05 23:30 EDT (Apr 6 in UTC): data end is Apr 4.
    crafted_event("tz-11", "song_played", "tz_end_1", "2027-04-06T03:30:00Z", SONG),
]
CRAFTED_USERS = {row["user_id"] for row in CRAFTED_ROWS}


def write_with_crafted_rows(raw_path: Path, out_path: Path) -> Path:
    """The generated raw file with the crafted rows appended (same ten columns)."""
    text = raw_path.read_text(encoding="utf-8")
    with open(out_path, "w", newline="", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")
        csv.DictWriter(handle, fieldnames=list(oracle.RAW_COLUMNS), lineterminator="\n").writerows(CRAFTED_ROWS)
    return out_path


# ---------------------------------------------------------------------------------------------
# 1. Oracle under four zones
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zone_builds(
    generated_dataset: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, Path]]:
    """zone -> (raw file, DuckDB file built from it with that reporting zone). New York's raw
    file also holds the crafted rows."""
    raw_path, utc_db = generated_dataset
    builds = {"UTC": (raw_path, utc_db)}
    for zone in ZONES[1:]:
        work = tmp_path_factory.mktemp("zone_" + zone.replace("/", "_"))
        zone_raw = write_with_crafted_rows(raw_path, work / "raw.csv") if zone == CRAFTED_ZONE else raw_path
        db_path = work / "zone.duckdb"
        build_project(db_path, raw_events_path=zone_raw, extra_vars={"reporting_timezone": zone})
        builds[zone] = (zone_raw, db_path)
    return builds


def test_generated_dataset_crosses_both_daylight_saving_changes(generated_dataset: tuple[Path, Path]) -> None:
    """The US and EU change clocks on four different Sundays; the reported days hold all four."""
    _, db_path = generated_dataset
    days = set(read_tables(db_path, ["metrics_active_users_daily"])["metrics_active_users_daily"]["activity_date"])
    changes = [D("2025-10-26"), D("2025-11-02"), D("2026-03-08"), D("2026-03-29")]  # EU, US, US, EU
    assert all(day in days for day in changes), f"reported days {min(days)}..{max(days)} miss one of {changes}"


@pytest.mark.parametrize("zone", ZONES)
def test_every_public_model_matches_oracle_in_zone(zone: str, zone_builds: dict[str, tuple[Path, Path]]) -> None:
    raw_path, db_path = zone_builds[zone]
    cells, problems = compare_public_models(raw_path, db_path, zone)
    CELLS[zone] = (cells, len(problems))
    assert not problems, f"{zone}: {len(problems)} mismatch(es); first 20:\n" + "\n".join(problems[:20])
    assert cells > 0


def test_zone_changes_the_tables(zone_builds: dict[str, tuple[Path, Path]]) -> None:
    """The comparison can fail: the Berlin build does not match the oracle's UTC dates."""
    raw_path, db_path = zone_builds["Europe/Berlin"]
    _, problems = compare_public_models(raw_path, db_path, "UTC")
    assert len(problems) > 100, f"only {len(problems)} cells differ between Berlin and UTC"


# ---------------------------------------------------------------------------------------------
# 2. Hand-worked cases (in the New York build)
# ---------------------------------------------------------------------------------------------


class Crafted:
    def __init__(self, raw_path: Path, db_path: Path) -> None:
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


CRAFTED_MODELS = [
    "metrics_active_users_daily",
    "metrics_new_users_daily",
    "metrics_sessions_daily",
    "metrics_lifecycle_weekly",
    "metrics_data_quality_daily",
]


@pytest.fixture(scope="module")
def crafted(zone_builds: dict[str, tuple[Path, Path]]) -> Crafted:
    return Crafted(*zone_builds[CRAFTED_ZONE])


def test_event_at_2330_on_the_spring_forward_day(crafted: Crafted) -> None:
    # Local Sunday Mar 14 (23 hours): tz_spring_1 at 00:00 EST, tz_spring_2 at 23:30 EDT (03:30Z
    # on Mar 15). Local Mar 15: tz_spring_3 at 00:00 EDT. In UTC: 1 on Mar 14 and 2 on Mar 15.
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2027-03-14")})["dau"] == 2
    assert crafted.row("metrics_new_users_daily", {"activity_date": D("2027-03-14")})["new_users"] == 2
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2027-03-15")})["dau"] == 1
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2027-03-13")})["dau"] == 0


def test_sessions_across_the_fall_back_hour(crafted: Crafted) -> None:
    # Local Nov 1 (25 hours). tz_fall_1: 01:20 EDT then 01:25 EST, 65 exact minutes apart (the
    # wall clock says 5): two sessions of 0 s. tz_fall_2: 01:50 EDT then 01:10 EST, 20 exact
    # minutes apart (the wall clock says -40): one session of 1200 s. tz_fall_3: 23:30 EST, in
    # the day's 25th hour (04:30Z on Nov 2): one session of 0 s.
    # Sessions 4, users 3, 4/3 sessions per user, mean (0 + 0 + 1200 + 0) / 4 = 300 s, median 0.
    row = crafted.row("metrics_sessions_daily", {"activity_date": D("2026-11-01")})
    assert row is not None
    assert (row["sessions"], row["users_with_sessions"]) == (4, 3)
    assert row["sessions_per_user"] == pytest.approx(4 / 3)
    assert row["avg_session_seconds"] == pytest.approx(300.0)
    assert row["median_session_seconds"] == pytest.approx(0.0)
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2026-11-01")})["dau"] == 3
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2026-11-02")})["dau"] == 0


def test_week_boundary_in_local_time(crafted: Crafted) -> None:
    # tz_week_1 at Sunday Mar 21 23:30 EDT and Monday Mar 22 00:30 EDT (both Monday in UTC).
    # Week of Mar 15: tz_spring_3 (Mar 15) and tz_week_1 (Mar 21), both new; the week of Mar 8
    # had tz_spring_1 and tz_spring_2 (Sunday Mar 14): dormant 2. Week of Mar 22: tz_week_1
    # returning, tz_spring_3 dormant. (In UTC tz_week_1 would be new in the week of Mar 22.)
    assert crafted.row("metrics_active_users_daily", {"activity_date": D("2027-03-21")})["dau"] == 1
    week_15 = crafted.row("metrics_lifecycle_weekly", {"week_start_date": D("2027-03-15")})
    assert (week_15["new_users"], week_15["returning_users"], week_15["dormant_users"]) == (2, 0, 2)
    week_22 = crafted.row("metrics_lifecycle_weekly", {"week_start_date": D("2027-03-22")})
    assert (week_22["new_users"], week_22["returning_users"], week_22["resurrecting_users"]) == (0, 1, 0)
    assert week_22["dormant_users"] == 1


def test_data_end_and_received_date_in_local_time(crafted: Crafted) -> None:
    # The latest event is Mon Apr 5 23:30 EDT (Apr 6 in UTC): data end is Apr 4 (UTC: Apr 5).
    days = crafted.sql["metrics_active_users_daily"]["activity_date"].map(oracle.normalize_cell)
    assert max(days) == D("2027-04-04")
    # The crafted rows were received at 02:00Z on Apr 8, that is Apr 7 22:00 EDT.
    quality = crafted.sql["metrics_data_quality_daily"]
    received = quality[quality["received_date"].map(oracle.normalize_cell) >= D("2027-01-01")]
    assert set(received["received_date"].map(oracle.normalize_cell)) == {D("2027-04-07")}
    assert received.loc[received["reason"] == "accepted", "rows"].sum() == len(CRAFTED_ROWS)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_user_history_by_hand(crafted: Crafted) -> None:
    # tz_plan: p1 no plan yet -> free (the default), ios, SE. p2 trial premium_family -> new row.
    # p3 platform web, country empty (no value: SE stays) -> new row. p4a subscription
    # premium_individual (ios) and p4b web at the same instant: in event_id order the state
    # after the instant is premium_individual / web -> one new row. p5 ios (plan " " is blank:
    # no value) -> new row. p6 changes nothing.
    history = read_tables(crafted.db_path, ["dim_user_history"], schema="marts")["dim_user_history"]
    rows = history[history["user_key"] == "tz_plan"].sort_values("valid_from")
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
    # Every other crafted person kept one set of values: one open row each.
    others = history[history["user_key"].isin(CRAFTED_USERS - {"tz_plan"})]
    assert len(others) == len(CRAFTED_USERS) - 1 and others["valid_to"].isna().all()


def test_revenue_by_plan_at_the_time_and_latest_in_metricflow(
    crafted: Crafted, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # tz_plan's $1 song was bought on the free plan, the $10 subscription on premium_individual
    # (its row starts at that very instant, inclusive). Now tz_plan is premium_individual: $11.
    mf = MetricFlow(crafted.db_path, crafted.db_path.parent / "target", tmp_path_factory.mktemp("mf_crafted"))
    for group_by, expected in [
        ("user__plan_at_the_time", {"free": 1.0, "premium_individual": 10.0}),
        ("user__latest_plan", {"premium_individual": 11.0}),
    ]:
        csv_path = mf.project_dir / f"{group_by}.csv"
        mf.run(
            "query", "--metrics", "revenue_usd", "--group-by", group_by,
            "--where", "{{ Entity('user') }} = 'tz_plan'", "--csv", str(csv_path),
        )
        frame = pd.read_csv(csv_path)
        paid = frame[frame["revenue_usd"] > 0]
        assert dict(zip(paid[group_by], paid["revenue_usd"])) == pytest.approx(expected), group_by


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
