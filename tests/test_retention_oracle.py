"""Retention definitions, monthly engagement and event transitions, proved three ways.

1. The independent oracle (`tests/oracle_retention.py`) matches the four new public models cell by
   cell on the committed sample (`default_db`) and on the second generated dataset
   (`generated_dataset`), both built once per session.
2. Hand-worked cases, each option of the contract on a few crafted people, all in one raw file
   and one dbt build: figures worked out by hand in the test, checked in SQL and in the oracle.
3. A broken `retention_definitions` seed fails the build with rows naming definition, column
   and value, the same ones the oracle finds.

Run with `-s` to see how many cells were compared.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

import oracle
import verification
import oracle_retention
from dbt_helpers import SEEDS_DIR, run_dbt
from reliability_helpers import copy_project
from test_metrics_edge_cases import Case, assert_no_row, assert_row, assert_same_as_oracle, build_case, event

D = date.fromisoformat
CELLS_COMPARED: dict[tuple[str, str], int] = {}


def read(db_path: Path, table: str, schema: str = "metrics") -> pd.DataFrame:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return oracle.read_model(con, oracle.find_relation(con, schema, table))
    finally:
        con.close()


def compare_new_models(raw_path: Path, db_path: Path, dataset: str) -> None:
    clean, _ = oracle.classify(oracle.load_raw_csv(raw_path), oracle.load_seeds(SEEDS_DIR))
    expected = oracle_retention.compute_all(clean, SEEDS_DIR)
    problems: list[str] = []
    for model, keys in oracle_retention.MODELS.items():
        cells, mismatches = oracle.compare_tables(expected[model], read(db_path, model), keys, name=model)
        CELLS_COMPARED[(dataset, model)] = cells
        verification.record("oracle", model, dataset, cells, len(mismatches))
        assert cells > 0 or expected[model].empty, f"{dataset}: no cells compared for {model}"
        problems += mismatches
    assert not problems, f"{dataset}: {len(problems)} mismatch(es); first 20:\n" + "\n".join(problems[:20])


def test_sample_matches_oracle(default_db: Path) -> None:
    compare_new_models(SEEDS_DIR / "raw_events.csv", default_db, "sample")


def test_generated_dataset_matches_oracle(generated_dataset: tuple[Path, Path]) -> None:
    compare_new_models(*generated_dataset, "generated")


def test_default_definitions_reproduce_v1(default_db: Path) -> None:
    """`daily` and `weekly` equal the v1 tables cell by cell (also a dbt test on every build)."""
    new = read(default_db, "metrics_retention")
    daily = new[new["retention_name"] == "daily"].rename(
        columns={"cohort_start_date": "cohort_date", "first_period_number": "day_number"}
    )
    weekly = new[new["retention_name"] == "weekly"].rename(
        columns={"cohort_start_date": "cohort_week_start_date", "first_period_number": "week_number"}
    )
    for v1_model, frame in (("metrics_retention_daily_cohorts", daily), ("metrics_retention_weekly_cohorts", weekly)):
        v1 = read(default_db, v1_model)
        keys = oracle.PUBLIC_MODELS[v1_model]
        cells, mismatches = oracle.compare_tables(v1, frame, keys, name=v1_model)
        assert not mismatches and cells == v1.size and len(frame) == len(v1), mismatches[:20]


# ---------------------------------------------------------------------------------------------
# Hand-worked cases: one raw file, one build. Data end is 2026-03-31 (Z's event on 04-01).
# ---------------------------------------------------------------------------------------------


def song(when: str, user: str, **extra: str) -> dict[str, str]:
    return event("song_played", when, user_id=user, **extra)


def opened(when: str, user: str, **extra: str) -> dict[str, str]:
    return event("app_opened", when, user_id=user, **extra)


CRAFTED_ROWS: list[dict[str, str]] = [
    # Rolling 24 h (listening_24h: song_played -> song_played, brackets 0,1,2,3-6,7-13):
    # R1 plays again 23h59m after the first play (period 0), R2 exactly 24h00m after (period 1).
    song("2026-01-05T10:00:00Z", "R1"),
    song("2026-01-06T09:59:00Z", "R1"),
    song("2026-01-05T10:00:00Z", "R2"),
    song("2026-01-06T10:00:00Z", "R2"),
    # Return before start the same day (signup_to_listening: account_created -> song_played):
    # S1 played at 09:00 and signed up at 10:00 (not retained on day 0); S2 played after signing up.
    song("2026-01-12T09:00:00Z", "S1"),
    event("account_created", "2026-01-12T10:00:00Z", user_id="S1"),
    event("account_created", "2026-01-12T10:00:00Z", user_id="S2"),
    song("2026-01-12T11:00:00Z", "S2"),
    # Month boundary (monthly): MB first seen on 01-31 at 23:30, back 40 minutes later on 02-01
    # (month 1) and on 03-20 (month 2, whose last day is data end).
    opened("2026-01-31T23:30:00Z", "MB"),
    opened("2026-02-01T00:10:00Z", "MB"),
    opened("2026-03-20T12:00:00Z", "MB"),
    # Bracket edge (daily_ranges: 0,1,2,3,4-7,8-14,15-30): E7 back on day 7, E8 on day 8.
    opened("2026-02-02T12:00:00Z", "E7"),
    opened("2026-02-09T12:00:00Z", "E7"),
    opened("2026-02-02T12:00:00Z", "E8"),
    opened("2026-02-10T12:00:00Z", "E8"),
    # Completeness edge: EDGE's cohort 03-01 + 30 days = data end, so bracket 15-30 is reported.
    opened("2026-03-01T12:00:00Z", "EDGE"),
    opened("2026-03-31T12:00:00Z", "EDGE"),
    # Recurring cohorts (weekly_listeners: song_played, recurring, weeks): REC plays in the weeks
    # of 03-02, 03-09 and 03-16, so REC is in three cohorts.
    song("2026-03-03T10:00:00Z", "REC"),
    song("2026-03-11T10:00:00Z", "REC"),
    song("2026-03-19T10:00:00Z", "REC"),
    # Transitions: T1's session 12:00-12:10 (a passive notification in between is skipped; the
    # two 12:10 events are ordered by event id: t-1 before t-2, whatever the file order), then a
    # second session at 13:00 (50 minutes later).
    opened("2026-03-10T12:00:00Z", "T1"),
    event("notification_sent", "2026-03-10T12:05:00Z", user_id="T1", properties='{"campaign_id": "c1"}'),
    event("song_liked", "2026-03-10T12:10:00Z", user_id="T1", insert_id="t-2", properties='{"song_id": "s1"}'),
    song("2026-03-10T12:10:00Z", "T1", insert_id="t-1"),
    opened("2026-03-10T13:00:00Z", "T1"),
    # Trailing event: data end = 2026-03-31.
    opened("2026-04-01T12:00:00Z", "Z"),
]


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Case:
    return build_case(tmp_path_factory.mktemp("retention_cases"), CRAFTED_ROWS)


def retention(case: Case, name: str, cohort: str, bracket: str, expected: dict[str, Any]) -> None:
    key = {"retention_name": name, "cohort_start_date": D(cohort), "bracket": bracket}
    assert_row(case, "metrics_retention", key, expected)


@pytest.fixture(scope="module")
def crafted_with_new_models(crafted: Case) -> Case:
    clean = crafted.clean
    crafted.metrics.update(oracle_retention.compute_all(clean, SEEDS_DIR))
    return crafted


def test_rolling_24h_window_edges(crafted_with_new_models: Case) -> None:
    case = crafted_with_new_models
    # 23h59m after the start is period 0; 24h00m is period 1.
    retention(case, "listening_24h", "2026-01-05", "0", {"cohort_size": 2, "retained_users": 2})
    retention(case, "listening_24h", "2026-01-05", "1",
              {"retained_users": 1, "retention_rate": 0.5, "unbounded_retained_users": 1})
    # Calendar days: both came back on day 1.
    retention(case, "daily", "2026-01-05", "1", {"cohort_size": 2, "retained_users": 2, "retention_rate": 1.0})


def test_return_before_start_same_day(crafted_with_new_models: Case) -> None:
    case = crafted_with_new_models
    retention(case, "signup_to_listening", "2026-01-12", "0",
              {"cohort_size": 2, "retained_users": 1, "retention_rate": 0.5, "unbounded_retained_users": 1})
    retention(case, "signup_to_listening", "2026-01-12", "1", {"retained_users": 0, "unbounded_retained_users": 0})
    retention(case, "signup_to_listening", "2026-01-12", "7", {"retained_users": 0})


def test_month_boundary(crafted_with_new_models: Case) -> None:
    case = crafted_with_new_models
    # January cohort: R1, R2, S1, S2, MB. MB came back 40 minutes later, in February.
    retention(case, "monthly", "2026-01-01", "0", {"cohort_size": 5, "retained_users": 5})
    retention(case, "monthly", "2026-01-01", "1",
              {"retained_users": 1, "retention_rate": 0.2, "unbounded_retained_users": 1})
    # Month 2 (March) ends on data end: reported. Month 3 (April) is not complete: absent.
    retention(case, "monthly", "2026-01-01", "2", {"retained_users": 1, "unbounded_retained_users": 1})
    assert_no_row(case, "metrics_retention",
                  {"retention_name": "monthly", "cohort_start_date": D("2026-01-01"), "bracket": "3"})
    retention(case, "daily", "2026-01-31", "1", {"cohort_size": 1, "retained_users": 1})
    # Monthly lifecycle. Jan: R1 R2 S1 S2 MB new. Feb: E7 E8 new, MB returning, 4 dormant.
    # Mar: EDGE REC T1 new, MB returning, E7 E8 dormant.
    expected = {
        "2026-01-01": (5, 0, 0, 0, None),
        "2026-02-01": (2, 1, 0, 4, 0.5),
        "2026-03-01": (3, 1, 0, 2, 1.5),
    }
    for month, (new, returning, resurrecting, dormant, quick) in expected.items():
        assert_row(case, "metrics_lifecycle_monthly", {"month_start_date": D(month)},
                   {"new_users": new, "returning_users": returning, "resurrecting_users": resurrecting,
                    "dormant_users": dormant, "quick_ratio": quick})
    assert_no_row(case, "metrics_lifecycle_monthly", {"month_start_date": D("2026-04-01")})
    # Monthly stickiness, February (28 rows): MB one day, E7 and E8 two days each.
    feb = D("2026-02-01")
    assert_row(case, "metrics_stickiness_monthly", {"month_start_date": feb, "days_active": 1},
               {"users": 1, "share_of_monthly_active": 1 / 3})
    assert_row(case, "metrics_stickiness_monthly", {"month_start_date": feb, "days_active": 2},
               {"users": 2, "share_of_monthly_active": 2 / 3})
    assert_row(case, "metrics_stickiness_monthly", {"month_start_date": feb, "days_active": 28}, {"users": 0})
    assert_no_row(case, "metrics_stickiness_monthly", {"month_start_date": feb, "days_active": 29})


def test_bracket_edges(crafted_with_new_models: Case) -> None:
    case = crafted_with_new_models
    # Day 7 is in 4-7, day 8 is in 8-14; unbounded from day 4 counts both.
    retention(case, "daily_ranges", "2026-02-02", "4-7",
              {"cohort_size": 2, "retained_users": 1, "unbounded_retained_users": 2, "first_period_number": 4,
               "last_period_number": 7})
    retention(case, "daily_ranges", "2026-02-02", "8-14", {"retained_users": 1, "unbounded_retained_users": 1})
    retention(case, "daily_ranges", "2026-02-02", "15-30", {"retained_users": 0, "unbounded_retained_users": 0})
    retention(case, "daily", "2026-02-02", "7", {"retained_users": 1, "unbounded_retained_users": 2})
    # A bracket is reported once its last day is on or before data end: 03-01 + 30 = 03-31.
    retention(case, "daily_ranges", "2026-03-01", "15-30", {"cohort_size": 1, "retained_users": 1})
    retention(case, "daily_ranges", "2026-03-03", "8-14", {"cohort_size": 1})
    assert_no_row(case, "metrics_retention",
                  {"retention_name": "daily_ranges", "cohort_start_date": D("2026-03-03"), "bracket": "15-30"})


def test_recurring_user_in_three_cohorts(crafted_with_new_models: Case) -> None:
    case = crafted_with_new_models
    # Cohort 03-02: REC. Cohort 03-09: REC and T1 (played on 03-10). Cohort 03-16: REC.
    # Weeks are complete up to the week of 03-23 (its Sunday 03-29 <= data end).
    for week_number, retained in enumerate([1, 1, 1, 0]):
        retention(case, "weekly_listeners", "2026-03-02", str(week_number), {"cohort_size": 1, "retained_users": retained})
    assert_no_row(case, "metrics_retention",
                  {"retention_name": "weekly_listeners", "cohort_start_date": D("2026-03-02"), "bracket": "4"})
    for week_number, retained in enumerate([2, 1, 0]):
        retention(case, "weekly_listeners", "2026-03-09", str(week_number), {"cohort_size": 2, "retained_users": retained})
    retention(case, "weekly_listeners", "2026-03-16", "0", {"cohort_size": 1, "retained_users": 1})
    retention(case, "weekly_listeners", "2026-03-16", "1", {"retained_users": 0, "unbounded_retained_users": 0})
    assert_no_row(case, "metrics_retention",
                  {"retention_name": "weekly_listeners", "cohort_start_date": D("2026-03-16"), "bracket": "2"})


def test_transitions_within_sessions(crafted_with_new_models: Case) -> None:
    case = crafted_with_new_models
    week = {"week_start_date": D("2026-03-09")}
    model = "metrics_event_transitions_weekly"
    expected = {
        ("app_opened", "song_played"): (1, 1),
        ("song_played", "song_liked"): (1, 1),
        ("song_liked", "(session end)"): (1, 1),
        ("app_opened", "(session end)"): (1, 1),
        ("song_played", "(session end)"): (1, 1),  # REC's single play on 03-11
    }
    for (name, following), (transitions, users) in expected.items():
        assert_row(case, model, {**week, "event_name": name, "next_event_name": following},
                   {"transitions": transitions, "users": users})
    assert_no_row(case, model, {**week, "event_name": "song_liked", "next_event_name": "song_played"})
    assert_no_row(case, model, {**week, "event_name": "app_opened", "next_event_name": "notification_sent"})
    actual = case.sql(model)
    assert sum(1 for day in actual["week_start_date"] if oracle.normalize_cell(day) == week["week_start_date"]) == len(expected)


def test_crafted_cases_match_oracle_everywhere(crafted_with_new_models: Case) -> None:
    case = crafted_with_new_models
    assert_same_as_oracle(case)  # every v1 public model
    problems: list[str] = []
    for model, keys in oracle_retention.MODELS.items():
        cells, mismatches = oracle.compare_tables(case.metrics[model], case.sql(model), keys, name=model)
        CELLS_COMPARED[("crafted", model)] = cells
        verification.record("oracle", model, "crafted", cells, len(mismatches))
        problems += mismatches
    assert not problems, "\n".join(problems[:20])


# ---------------------------------------------------------------------------------------------
# A broken seed
# ---------------------------------------------------------------------------------------------

BROKEN_DEFINITIONS = [
    ("ok", "first_seen", "any_active", "first_time", "day", "calendar", "0,1,7"),
    ("recurring_first_seen", "first_seen", "any_active", "recurring", "week", "calendar", "0,1"),
    ("rolling_weeks", "song_played", "any_active", "first_time", "week", "rolling_24h", "0,1"),
    ("unplanned", "Song Exploded", "songPlayed", "sometimes", "year", "hourly", "0,1"),
    ("overlapping", "first_seen", "any_active", "", "day", "", "0,1,3-7,5,9-8,x"),
    ("no_brackets", "", "", "", "day", "", ""),
    ("ok", "first_seen", "any_active", "first_time", "day", "calendar", "0"),
]


def test_broken_seed_fails_naming_definition_column_and_value(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    seed_path = project / "seeds" / "retention_definitions.csv"
    with open(seed_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["retention_name", "description", "start_event", "return_event", "cohort_type",
                         "period", "window_type", "brackets"])
        for name, start, back, cohort_type, period, window, brackets in BROKEN_DEFINITIONS:
            writer.writerow([name, "broken on purpose", start, back, cohort_type, period, window, brackets])
    db_path = tmp_path / "broken.duckdb"
    result = run_dbt(
        ["build", "--select", "+retention_definitions_are_valid", "--indirect-selection", "cautious"],
        db_path,
        project_dir=project,
        check=False,
    )
    assert result.returncode != 0, "a broken retention seed must fail the build"
    assert "retention_definitions_are_valid" in result.stdout, result.stdout[-4000:]
    found = {
        (row.retention_name, row.column_name, row.invalid_value or "")
        for row in read(db_path, "retention_definitions_are_valid", schema="dbt_test__audit").itertuples()
    }
    by_hand = {
        ("ok", "retention_name", "ok"),
        ("recurring_first_seen", "cohort_type", "recurring"),
        ("rolling_weeks", "window_type", "rolling_24h"),
        ("unplanned", "start_event", "Song Exploded"),
        ("unplanned", "cohort_type", "sometimes"),
        ("unplanned", "period", "year"),
        ("unplanned", "window_type", "hourly"),
        ("overlapping", "brackets", "5"),
        ("overlapping", "brackets", "9-8"),
        ("overlapping", "brackets", "x"),
        ("no_brackets", "brackets", ""),
    }
    assert found == by_hand, f"dbt found {sorted(found)}"
    assert oracle_retention.definition_problems(project / "seeds") == by_hand


def test_retention_summary(record_property: Any) -> None:
    if not CELLS_COMPARED:
        pytest.skip("no comparison ran in this session")
    lines = ["", "retention oracle: cells compared (mismatches: 0)"]
    for (dataset, model), cells in sorted(CELLS_COMPARED.items()):
        lines.append(f"  {dataset:<10} {model:<36} {cells:>9}")
    lines.append(f"  {'TOTAL':<47} {sum(CELLS_COMPARED.values()):>9}")
    record_property("retention_cells_compared", sum(CELLS_COMPARED.values()))
    print("\n".join(lines))
