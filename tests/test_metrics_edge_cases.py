"""Edge cases on tiny hand-made raw files, with figures worked out by hand in each test.

Each test writes a raw CSV into tmp_path, builds the project on it (`raw_events_path`), and checks
the hand figures against both the SQL models and the Python oracle; then the whole of every
public model is compared between the two. Every file has a trailing event one day after the last
day under test, because data end is the day before the latest clean event date.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

import oracle
from dbt_helpers import SEEDS_DIR, build_project

RECEIVED_AT = "2026-04-30T00:00:00Z"  # late enough that no event_time below is in the future

DEFAULT_PROPERTIES: dict[str, dict[str, Any]] = {
    "app_opened": {},
    "song_played": {"song_id": "s1", "source": "library"},
    "account_created": {"signup_method": "email"},
    "onboarding_completed": {"genres_selected": 3},
    "user_logged_in": {},
}


def event(name: str, event_time: str, user_id: str = "", device_id: str = "", **extra: str) -> dict[str, str]:
    """One raw row; properties default to what the tracking plan requires for ``name``."""
    row = {
        "insert_id": "",
        "event_name": name,
        "user_id": user_id,
        "device_id": device_id,
        "event_time": event_time,
        "received_at": RECEIVED_AT,
        "platform": "ios",
        "app_version": "5.1.0",
        "country": "SE",
        "properties": json.dumps(DEFAULT_PROPERTIES.get(name, {})),
    }
    row.update(extra)
    return row


@dataclass
class Case:
    db_path: Path
    metrics: dict[str, pd.DataFrame]
    clean: pd.DataFrame
    quarantine: pd.DataFrame

    def sql(self, model: str) -> pd.DataFrame:
        con = duckdb.connect(str(self.db_path), read_only=True)
        try:
            return oracle.read_model(con, oracle.find_relation(con, "metrics", model))
        finally:
            con.close()


def build_case(tmp_path: Path, rows: list[dict[str, str]]) -> Case:
    raw_path = tmp_path / "raw.csv"
    with open(raw_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(oracle.RAW_COLUMNS))
        writer.writeheader()
        for number, row in enumerate(rows, start=1):
            writer.writerow({**row, "insert_id": row["insert_id"] or f"edge-{number}"})
    db_path = tmp_path / "edge.duckdb"
    build_project(db_path, raw_events_path=raw_path)
    seeds = oracle.load_seeds(SEEDS_DIR)
    clean, quarantine = oracle.classify(oracle.load_raw_csv(raw_path), seeds)
    return Case(db_path, oracle.compute_metrics(clean, quarantine, seeds), clean, quarantine)


def pick(frame: pd.DataFrame, key: dict[str, Any]) -> dict[str, Any] | None:
    matches = [
        record
        for record in frame.to_dict("records")
        if all(oracle.normalize_cell(record[k]) == v for k, v in key.items())
    ]
    assert len(matches) <= 1, f"several rows for {key}"
    return {k: oracle.normalize_cell(v) for k, v in matches[0].items()} if matches else None


def assert_row(case: Case, model: str, key: dict[str, Any], expected: dict[str, Any]) -> None:
    """The row ``key`` of ``model`` has the hand figures ``expected``, in SQL and in the oracle."""
    for side, frame in (("sql", case.sql(model)), ("oracle", case.metrics[model])):
        row = pick(frame, key)
        assert row is not None, f"{side}: {model} has no row {key}"
        for column, want in expected.items():
            got = row[column]
            assert oracle.cells_equal(want, got), f"{side}: {model} {key} {column}: want {want!r}, got {got!r}"


def assert_no_row(case: Case, model: str, key: dict[str, Any]) -> None:
    for side, frame in (("sql", case.sql(model)), ("oracle", case.metrics[model])):
        assert pick(frame, key) is None, f"{side}: {model} should have no row {key}"


def assert_same_as_oracle(case: Case) -> None:
    problems: list[str] = []
    for model, keys in oracle.PUBLIC_MODELS.items():
        _, mismatches = oracle.compare_tables(case.metrics[model], case.sql(model), keys, name=model)
        problems += mismatches
    assert not problems, "SQL and oracle differ:\n" + "\n".join(problems[:20])


D = date.fromisoformat


def test_rolling_window_edges(tmp_path: Path) -> None:
    # d = 2026-03-31. A on d-30 (outside MAU), B on d-29 (inside MAU), C on d-7 (outside WAU,
    # inside MAU), D on d-6 (inside WAU), E on d. E again on 04-01 pushes data end to 03-31.
    case = build_case(
        tmp_path,
        [
            event("app_opened", "2026-03-01T12:00:00Z", user_id="A"),
            event("app_opened", "2026-03-02T12:00:00Z", user_id="B"),
            event("app_opened", "2026-03-24T12:00:00Z", user_id="C"),
            event("app_opened", "2026-03-25T12:00:00Z", user_id="D"),
            event("app_opened", "2026-03-31T12:00:00Z", user_id="E"),
            event("app_opened", "2026-04-01T12:00:00Z", user_id="E"),
        ],
    )
    model = "metrics_active_users_daily"
    assert_row(case, model, {"activity_date": D("2026-03-31")}, {"dau": 1, "wau": 2, "mau": 4, "dau_mau_ratio": 0.25})
    # 03-30: WAU window 03-24..03-30 holds C and D; MAU window 03-01..03-30 holds A, B, C, D.
    assert_row(case, model, {"activity_date": D("2026-03-30")}, {"dau": 0, "wau": 2, "mau": 4, "dau_mau_ratio": 0.0})
    # 03-07: only A (03-01) and B (03-02) in both windows.
    assert_row(case, model, {"activity_date": D("2026-03-07")}, {"dau": 0, "wau": 2, "mau": 2})
    # 03-08: A's day is now d-7, out of WAU.
    assert_row(case, model, {"activity_date": D("2026-03-08")}, {"wau": 1, "mau": 2})
    assert_no_row(case, model, {"activity_date": D("2026-04-01")})
    assert len(case.sql(model)) == 31 and len(case.metrics[model]) == 31
    assert_row(case, "metrics_new_users_daily", {"activity_date": D("2026-03-31")}, {"new_users": 1, "cumulative_users": 5})
    assert_same_as_oracle(case)


def test_session_gap_edges(tmp_path: Path) -> None:
    # S: 10:00:00 and 10:30:00 are exactly 30 min apart (one session, 1800 s); 11:00:01 is 30 min
    # + 1 s after 10:30:00 (new session, to 11:10:01: 600 s). R: one event (0 s).
    # 3 sessions, 2 users, avg (1800 + 600 + 0) / 3 = 800, median 600.
    case = build_case(
        tmp_path,
        [
            event("app_opened", "2026-03-10T10:00:00Z", user_id="S"),
            event("song_played", "2026-03-10T10:30:00Z", user_id="S"),
            event("song_played", "2026-03-10T11:00:01Z", user_id="S"),
            event("song_played", "2026-03-10T11:10:01Z", user_id="S"),
            event("app_opened", "2026-03-10T15:00:00Z", user_id="R"),
            event("app_opened", "2026-03-11T12:00:00Z", user_id="T"),
        ],
    )
    assert_row(
        case,
        "metrics_sessions_daily",
        {"activity_date": D("2026-03-10")},
        {
            "sessions": 3,
            "users_with_sessions": 2,
            "sessions_per_user": 1.5,
            "avg_session_seconds": 800.0,
            "median_session_seconds": 600.0,
        },
    )
    assert_no_row(case, "metrics_sessions_daily", {"activity_date": D("2026-03-11")})
    assert_same_as_oracle(case)


def test_timestamp_offsets_cross_midnight(tmp_path: Path) -> None:
    # 2026-03-10T23:30:00-02:00 = 2026-03-11T01:30Z; 2026-03-12T04:00:00+05:30 = 2026-03-11T22:30Z;
    # epoch ms 1773273600000 = 1767225600 s (2026-01-01) + 70 days = 2026-03-12T00:00Z.
    case = build_case(
        tmp_path,
        [
            event("app_opened", "2026-03-10T12:00:00Z", user_id="P"),
            event("app_opened", "2026-03-10T23:30:00-02:00", user_id="O"),
            event("app_opened", "2026-03-12T04:00:00+05:30", user_id="R"),
            event("app_opened", "1773273600000", user_id="S"),
            event("app_opened", "2026-03-13T12:00:00Z", user_id="Q"),
        ],
    )
    model = "metrics_active_users_daily"
    assert_row(case, model, {"activity_date": D("2026-03-10")}, {"dau": 1})
    assert_row(case, model, {"activity_date": D("2026-03-11")}, {"dau": 2, "wau": 3})
    assert_row(case, model, {"activity_date": D("2026-03-12")}, {"dau": 1, "wau": 4, "mau": 4})
    assert_no_row(case, model, {"activity_date": D("2026-03-13")})
    assert_row(
        case,
        "metrics_event_volume_daily",
        {"activity_date": D("2026-03-11"), "event_name": "app_opened"},
        {"events": 2, "users": 2},
    )
    # data quality is not cut by data end: all five rows were received on 04-30.
    assert_row(
        case,
        "metrics_data_quality_daily",
        {"received_date": D("2026-04-30"), "owner_team": "growth", "reason": "accepted"},
        {"rows": 5},
    )
    assert_same_as_oracle(case)


def test_funnel_order_ties_and_window(tmp_path: Path) -> None:
    # signup funnel: app_opened -> account_created -> onboarding_completed, 7-day window.
    # F1: all three steps at the same instant -> reaches 3, at 0 s.
    # F2: account_created before app_opened (does not count), none after -> step 1 only.
    # F3: step 2 after 2 days (172800 s), step 3 exactly 7 x 24 h after entry (inclusive, 604800 s).
    # F4: onboarding (13:00) before account_created (14:00, 7200 s) -> reaches 2 only.
    # F5: account_created 7 days + 1 s after entry -> outside the window, step 1 only.
    # Entry date 03-02 for all; its windows end by 03-09 <= data end 03-10 (trailing event 03-11).
    case = build_case(
        tmp_path,
        [
            event("app_opened", "2026-03-02T10:00:00Z", user_id="F1"),
            event("account_created", "2026-03-02T10:00:00Z", user_id="F1"),
            event("onboarding_completed", "2026-03-02T10:00:00Z", user_id="F1"),
            event("account_created", "2026-03-02T09:00:00Z", user_id="F2"),
            event("app_opened", "2026-03-02T11:00:00Z", user_id="F2"),
            event("onboarding_completed", "2026-03-02T12:00:00Z", user_id="F2"),
            event("app_opened", "2026-03-02T08:00:00Z", user_id="F3"),
            event("account_created", "2026-03-04T08:00:00Z", user_id="F3"),
            event("onboarding_completed", "2026-03-09T08:00:00Z", user_id="F3"),
            event("app_opened", "2026-03-02T12:00:00Z", user_id="F4"),
            event("onboarding_completed", "2026-03-02T13:00:00Z", user_id="F4"),
            event("account_created", "2026-03-02T14:00:00Z", user_id="F4"),
            event("app_opened", "2026-03-02T12:00:00Z", user_id="F5"),
            event("account_created", "2026-03-09T12:00:01Z", user_id="F5"),
            event("app_opened", "2026-03-11T12:00:00Z", user_id="Z"),
        ],
    )
    model = "metrics_funnel_conversion"
    key = {"funnel_name": "signup", "entry_date": D("2026-03-02")}
    assert_row(
        case,
        model,
        {**key, "step_number": 1},
        {"step_event_name": "app_opened", "users": 5, "conversion_from_start": 1.0,
         "conversion_from_previous": 1.0, "median_seconds_from_start": 0.0},
    )
    assert_row(
        case,
        model,
        {**key, "step_number": 2},
        {"step_event_name": "account_created", "users": 3, "conversion_from_start": 0.6,
         "conversion_from_previous": 0.6, "median_seconds_from_start": 7200.0},
    )
    assert_row(
        case,
        model,
        {**key, "step_number": 3},
        {"step_event_name": "onboarding_completed", "users": 2, "conversion_from_start": 0.4,
         "conversion_from_previous": 2 / 3, "median_seconds_from_start": 302400.0},
    )
    # Z entered on 03-11: its window ends after data end, so that entry date is not reported.
    assert_no_row(case, model, {"funnel_name": "signup", "entry_date": D("2026-03-11"), "step_number": 1})
    # activation (account_created -> song_played -> playlist_created): F1, F2, F4 entered on 03-02,
    # nobody played a song -> 3, 0, 0 with null medians past step 1.
    akey = {"funnel_name": "activation", "entry_date": D("2026-03-02")}
    assert_row(case, model, {**akey, "step_number": 1}, {"users": 3, "median_seconds_from_start": 0.0})
    assert_row(
        case,
        model,
        {**akey, "step_number": 3},
        {"users": 0, "conversion_from_start": 0.0, "conversion_from_previous": None,
         "median_seconds_from_start": None},
    )
    assert_same_as_oracle(case)


def test_lifecycle_resurrecting_and_dormant(tmp_path: Path) -> None:
    # Weeks (Mondays): W1 03-02, W2 03-09, W3 03-16, W4 03-23; K on 03-30 sets data end to 03-29.
    # R: W1, W3. K: W1 (two days), W2, W3. N: W2, W4. M: W1.
    # W1: active R K M, all new.                        new 3 ret 0 res 0 dorm 0 quick null
    # W2: active K N; N new; K returning; R M dormant.   new 1 ret 1 res 0 dorm 2 quick 0.5
    # W3: active R K; K returning; R resurrecting; N dormant.  0 1 1 1 quick 1.0
    # W4: active N (resurrecting); R K dormant.          new 0 ret 0 res 1 dorm 2 quick 0.5
    case = build_case(
        tmp_path,
        [
            event("app_opened", "2026-03-03T12:00:00Z", user_id="R"),
            event("app_opened", "2026-03-18T12:00:00Z", user_id="R"),
            event("app_opened", "2026-03-02T12:00:00Z", user_id="K"),
            event("app_opened", "2026-03-04T12:00:00Z", user_id="K"),
            event("app_opened", "2026-03-10T12:00:00Z", user_id="K"),
            event("app_opened", "2026-03-17T12:00:00Z", user_id="K"),
            event("app_opened", "2026-03-10T12:00:00Z", user_id="N"),
            event("app_opened", "2026-03-25T12:00:00Z", user_id="N"),
            event("app_opened", "2026-03-05T12:00:00Z", user_id="M"),
            event("app_opened", "2026-03-30T12:00:00Z", user_id="K"),
        ],
    )
    model = "metrics_lifecycle_weekly"
    expected = {
        "2026-03-02": (3, 0, 0, 0, None),
        "2026-03-09": (1, 1, 0, 2, 0.5),
        "2026-03-16": (0, 1, 1, 1, 1.0),
        "2026-03-23": (0, 0, 1, 2, 0.5),
    }
    for week, (new, returning, resurrecting, dormant, quick) in expected.items():
        assert_row(
            case,
            model,
            {"week_start_date": D(week)},
            {"new_users": new, "returning_users": returning, "resurrecting_users": resurrecting,
             "dormant_users": dormant, "quick_ratio": quick},
        )
    assert_no_row(case, model, {"week_start_date": D("2026-03-30")})
    # stickiness W1: R and M one day, K two days, of 3 weekly active users.
    sticky = "metrics_stickiness_weekly"
    assert_row(case, sticky, {"week_start_date": D("2026-03-02"), "days_active": 1}, {"users": 2, "share_of_weekly_active": 2 / 3})
    assert_row(case, sticky, {"week_start_date": D("2026-03-02"), "days_active": 2}, {"users": 1, "share_of_weekly_active": 1 / 3})
    assert_row(case, sticky, {"week_start_date": D("2026-03-02"), "days_active": 7}, {"users": 0, "share_of_weekly_active": 0.0})
    # weekly retention, cohort W1 = {R, K, M}: W+1 {K}, W+2 {R, K}, W+3 {} (only N active in W4).
    ret = "metrics_retention_weekly_cohorts"
    for week_number, retained in enumerate([3, 1, 2, 0]):
        assert_row(
            case,
            ret,
            {"cohort_week_start_date": D("2026-03-02"), "week_number": week_number},
            {"cohort_size": 3, "retained_users": retained, "retention_rate": retained / 3},
        )
    assert_no_row(case, ret, {"cohort_week_start_date": D("2026-03-02"), "week_number": 4})
    assert_same_as_oracle(case)


def test_anonymous_device_merged_into_signed_up_user(tmp_path: Path) -> None:
    # dev1 is used anonymously at 09:00 and 09:10, signs up as u1 at 09:20, u1 opens the app at
    # 10:00, and dev1 sends one more anonymous event at 10:05: all five are u1's.
    # dev2 (anonymous only, own key 'device:dev2') on 03-11 sets data end to 03-10.
    case = build_case(
        tmp_path,
        [
            event("app_opened", "2026-03-10T09:00:00Z", device_id="dev1"),
            event("song_played", "2026-03-10T09:10:00Z", device_id="dev1"),
            event("account_created", "2026-03-10T09:20:00Z", user_id="u1", device_id="dev1"),
            event("app_opened", "2026-03-10T10:00:00Z", user_id="u1", device_id="dev1"),
            event("app_opened", "2026-03-10T10:05:00Z", device_id="dev1"),
            event("app_opened", "2026-03-11T12:00:00Z", device_id="dev2"),
        ],
    )
    assert_row(case, "metrics_active_users_daily", {"activity_date": D("2026-03-10")}, {"dau": 1, "wau": 1, "mau": 1})
    assert_row(case, "metrics_new_users_daily", {"activity_date": D("2026-03-10")}, {"new_users": 1, "cumulative_users": 1})
    assert_row(
        case,
        "metrics_event_volume_daily",
        {"activity_date": D("2026-03-10"), "event_name": "app_opened"},
        {"events": 3, "users": 1},
    )
    # u1's sessions: 09:00-09:20 (1200 s), then 40 min later 10:00-10:05 (300 s).
    assert_row(
        case,
        "metrics_sessions_daily",
        {"activity_date": D("2026-03-10")},
        {"sessions": 2, "users_with_sessions": 1, "sessions_per_user": 2.0,
         "avg_session_seconds": 750.0, "median_session_seconds": 750.0},
    )
    keys = set(case.clean["user_key"])
    assert keys == {"u1", "device:dev2"}, keys
    assert_same_as_oracle(case)


def test_staging_reasons_and_data_quality(tmp_path: Path) -> None:
    # One row per rule, plus rows that must stay clean; all received 2026-03-10 except where noted.
    rec = "2026-03-10T00:00:00Z"
    rows = [
        # 1 missing_identity (growth: app_opened resolves)
        event("app_opened", "2026-03-09T12:00:00Z", insert_id="a", received_at=rec),
        # 2 invalid_timestamp: a date alone is not a timestamp
        event("app_opened", "2026-03-09", user_id="u", insert_id="b", received_at=rec),
        # 3 invalid_timestamp: month 13
        event("app_opened", "2026-13-01T00:00:00Z", user_id="u", insert_id="c", received_at=rec),
        # 4 future_timestamp: 24 h + 1 s after received_at
        event("app_opened", "2026-03-11T00:00:01Z", user_id="u", insert_id="d", received_at=rec),
        # 5 clean: exactly 24 h after received_at is not future
        event("app_opened", "2026-03-11T00:00:00Z", user_id="u", insert_id="e", received_at=rec),
        # 6 unplanned_event (unassigned)
        event("Bogus Thing", "2026-03-09T12:00:00Z", user_id="u", insert_id="f", received_at=rec),
        # 7 clean via alias: "Play Song" -> play_song -> song_played; camelCase key normalized
        event("Play Song", "2026-03-09T12:00:00Z", user_id="u", insert_id="g", received_at=rec,
              properties='{"songId": "s1", "Source": "radio"}'),
        # 8 invalid_properties: integer property sent as a string
        event("onboarding_completed", "2026-03-09T12:00:00Z", user_id="u", insert_id="h",
              received_at=rec, properties='{"genres_selected": "3"}'),
        # 9 invalid_properties: not JSON
        event("app_opened", "2026-03-09T12:00:00Z", user_id="u", insert_id="i", received_at=rec,
              properties="{oops"),
        # 10 invalid_properties: unknown currency on a revenue event (monetization)
        event("subscription_started", "2026-03-09T12:00:00Z", user_id="u", insert_id="j",
              received_at=rec, properties='{"plan": "p", "revenue": 9.99, "currency": "XXX"}'),
        # 11 clean revenue: 10 EUR x 1.08 = 10.8 USD (lower-case currency accepted)
        event("subscription_started", "2026-03-09T13:00:00Z", user_id="u", insert_id="k",
              received_at=rec, properties='{"plan": "p", "revenue": 10, "currency": " eur "}'),
        # 12 duplicate of row 13 (same insert_id, received later)
        event("app_opened", "2026-03-09T14:00:00Z", user_id="u", insert_id="dup",
              received_at="2026-03-10T00:00:05Z"),
        # 13 kept: earliest received_at for insert_id "dup"
        event("app_opened", "2026-03-09T14:00:00Z", user_id="u", insert_id="dup",
              received_at="2026-03-10T00:00:01Z"),
        # 14 same insert_id but quarantined earlier (future): does not make row 13 a duplicate
        event("app_opened", "2026-03-20T14:00:00Z", user_id="u", insert_id="dup", received_at=rec),
    ]
    raw_path = tmp_path / "raw.csv"
    with open(raw_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(oracle.RAW_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    db_path = tmp_path / "edge.duckdb"
    build_project(db_path, raw_events_path=raw_path)
    seeds = oracle.load_seeds(SEEDS_DIR)
    clean, quarantine = oracle.classify(oracle.load_raw_csv(raw_path), seeds)
    expected_reasons = {
        "missing_identity": 1,
        "invalid_timestamp": 2,
        "future_timestamp": 2,
        "unplanned_event": 1,
        "invalid_properties": 3,
        "duplicate_event": 1,
    }
    assert len(clean) == 4  # rows 5, 7, 11, 13
    assert dict(quarantine["reason"].value_counts()) == expected_reasons
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        (count,) = con.execute(f"select count(*) from {oracle.find_relation(con, 'staging', 'stg_events')}").fetchone()
        reasons = dict(
            con.execute(
                f"select reason, count(*) from {oracle.find_relation(con, 'staging', 'stg_events_quarantine')} group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    assert count == 4
    assert reasons == expected_reasons
    case = Case(db_path, oracle.compute_metrics(clean, quarantine, seeds), clean, quarantine)
    # Data end = 03-11 (row 5) minus one day = 03-10; 03-09 revenue = 10.8 USD from one payer.
    assert_row(
        case,
        "metrics_revenue_daily",
        {"activity_date": D("2026-03-09")},
        {"revenue_usd": 10.8, "paying_users": 1, "arpu_usd": 10.8, "arppu_usd": 10.8, "paying_user_ratio": 1.0},
    )
    dq = "metrics_data_quality_daily"
    d10 = D("2026-03-10")
    assert_row(case, dq, {"received_date": d10, "owner_team": "growth", "reason": "accepted"}, {"rows": 2})
    assert_row(case, dq, {"received_date": d10, "owner_team": "growth", "reason": "invalid_timestamp"}, {"rows": 2})
    assert_row(case, dq, {"received_date": d10, "owner_team": "growth", "reason": "future_timestamp"}, {"rows": 2})
    assert_row(case, dq, {"received_date": d10, "owner_team": "unassigned", "reason": "unplanned_event"}, {"rows": 1})
    assert_row(case, dq, {"received_date": d10, "owner_team": "monetization", "reason": "invalid_properties"}, {"rows": 1})
    assert_row(case, dq, {"received_date": d10, "owner_team": "growth", "reason": "duplicate_event"}, {"rows": 1})
    assert_same_as_oracle(case)


def test_properties_must_be_strict_json(tmp_path: Path) -> None:
    # Decision 0001: text that is not valid JSON is invalid_properties. A trailing comma, NaN and
    # Infinity are not JSON (RFC 8259), even though some lenient parsers accept them.
    case = build_case(
        tmp_path,
        [
            event("account_created", "2026-03-10T10:00:00Z", user_id="u", properties='{"signup_method": "email",}'),
            event("song_skipped", "2026-03-10T10:01:00Z", user_id="u", properties='{"song_id": "s", "position_seconds": NaN}'),
            event("song_skipped", "2026-03-10T10:02:00Z", user_id="u", properties='{"song_id": "s", "position_seconds": Infinity}'),
            event("song_skipped", "2026-03-10T10:03:00Z", user_id="u", properties='{"song_id": "s", "position_seconds": 1.5e1}'),
            event("app_opened", "2026-03-11T12:00:00Z", user_id="u"),
        ],
    )
    assert dict(case.quarantine["reason"].value_counts()) == {"invalid_properties": 3}
    con = duckdb.connect(str(case.db_path), read_only=True)
    try:
        reasons = dict(
            con.execute(
                f"select reason, count(*) from {oracle.find_relation(con, 'staging', 'stg_events_quarantine')} group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    assert reasons == {"invalid_properties": 3}
    assert_row(
        case,
        "metrics_event_volume_daily",
        {"activity_date": D("2026-03-10"), "event_name": "song_skipped"},
        {"events": 1, "users": 1},
    )
    assert_no_row(case, "metrics_event_volume_daily", {"activity_date": D("2026-03-10"), "event_name": "account_created"})
    assert_same_as_oracle(case)
