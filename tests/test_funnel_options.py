"""Funnel options of contract v2 (issue 17): the SQL funnel tables against the Python oracle of
`oracle_funnels.py`, and hand-worked cases for every option.

- Oracle: the four funnel tables (`metrics_funnel_conversion` v1 and v2, time to convert,
  by segment) match cell by cell on the sample (`default_db`) and the generated dataset.
- Hand-worked cases: one small crafted raw file holds every case, each on its own people and
  entry dates, built once; each test checks figures worked out by hand (in its comments)
  against both the SQL tables and the oracle. The funnels are the sample product's (seeds).
- Seeds: an older `funnel_steps` file without the new columns and an empty `funnels` seed still
  build; a wrong setting fails the build naming the funnel, the column and the value.
Run with `-s` to see the cells compared.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

import oracle
import verification
import oracle_funnels
from dbt_helpers import SEEDS_DIR
from reliability_helpers import build, copy_project, output
from test_metrics_edge_cases import RECEIVED_AT, build_case, event, pick

D = date.fromisoformat
CELLS: dict[str, int] = {}
NEW_FUNNEL_RELATIONS = list(oracle_funnels.MODELS)


def read_relations(db_path: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {
            relation: oracle.read_model(con, oracle.find_relation(con, "metrics", relation))
            for relation in NEW_FUNNEL_RELATIONS
        }
    finally:
        con.close()


def expected_tables(raw_path: Path) -> dict[str, pd.DataFrame]:
    seeds = oracle.load_seeds(SEEDS_DIR)
    clean, _ = oracle.classify(oracle.load_raw_csv(raw_path), seeds)
    return oracle_funnels.compute_funnel_metrics(clean, oracle_funnels.load_funnels(SEEDS_DIR))


def compare_all(dataset: str, raw_path: Path, db_path: Path) -> None:
    actual = read_relations(db_path)
    cells, mismatches = oracle_funnels.compare_funnel_tables(expected_tables(raw_path), actual.__getitem__)
    for relation, count in cells.items():
        CELLS[f"{dataset} {relation}"] = count
        verification.record("oracle", relation, dataset, count, sum(relation in m for m in mismatches))
        assert count > 0, f"{dataset}: no cells compared in {relation}"
    assert not mismatches, f"{dataset}: {len(mismatches)} mismatch(es); first 20:\n" + "\n".join(mismatches[:20])


# ---------------------------------------------------------------------------------------------
# Oracle, cell by cell
# ---------------------------------------------------------------------------------------------


def test_funnel_tables_match_oracle_on_sample(default_db: Path) -> None:
    compare_all("sample", SEEDS_DIR / "raw_events.csv", default_db)


def test_funnel_tables_match_oracle_on_generated(generated_dataset: tuple[Path, Path]) -> None:
    raw_path, db_path = generated_dataset
    compare_all("generated", raw_path, db_path)


def test_sample_funnels_exercise_every_option(default_db: Path) -> None:
    """Each option is used by a sample funnel, and each such funnel converts on the sample."""
    funnels = oracle_funnels.load_funnels(SEEDS_DIR)
    used = {
        "strict": [f for f in funnels.values() if f.order_mode == "strict"],
        "any": [f for f in funnels.values() if f.order_mode == "any"],
        "first_per_day": [f for f in funnels.values() if f.entry_rule == "first_per_day"],
        "exclusion": [f for f in funnels.values() if f.exclusions],
        "per-step window": [f for f in funnels.values() if f.max_hours],
        "session": [f for f in funnels.values() if f.hold_constant == "session"],
        "property": [f for f in funnels.values() if (f.hold_constant or "").startswith("property:")],
    }
    v2 = read_relations(default_db)["metrics_funnel_conversion_v2"]
    for option, option_funnels in used.items():
        assert option_funnels, f"no sample funnel uses {option}"
        for funnel in option_funnels:
            converted = v2[(v2.funnel_name == funnel.name) & (v2.step_number == 2)]["users"].sum()
            assert converted > 0, f"{funnel.name} ({option}): nobody reaches step 2 on the sample"


def test_segments_sum_to_the_funnel_model(default_db: Path) -> None:
    tables = read_relations(default_db)
    keys = ["funnel_name", "entry_date", "step_number"]
    funnel = tables["metrics_funnel_conversion_v2"].set_index(keys)["users"]
    for segment, rows in tables["metrics_funnel_conversion_by_segment"].groupby("segment"):
        summed = rows.groupby(keys)["users"].sum()
        assert summed.sort_index().astype(int).equals(funnel.sort_index().astype(int)), segment


# ---------------------------------------------------------------------------------------------
# Hand-worked cases, one build
# ---------------------------------------------------------------------------------------------


def _required_properties() -> dict[str, dict[str, Any]]:
    samples = {"string": "x", "integer": 1, "number": 1.5, "boolean": True}
    result: dict[str, dict[str, Any]] = {}
    with open(SEEDS_DIR / "tracking_plan.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            required = json.loads(row["required_properties"] or "{}")
            # A property with allowed values (tracking plan v2) takes the first of them.
            allowed = json.loads(row.get("allowed_values") or "{}")
            result[row["event_name"]] = {
                key: allowed[key][0] if allowed.get(key) else samples[kind] for key, kind in required.items()
            }
    return result


PROPERTIES = _required_properties()


def step(name: str, at: str, user: str, device: str = "", **extra: Any) -> dict[str, str]:
    """A raw row for ``user`` with the properties the tracking plan requires, with allowed values
    (overridable)."""
    properties = {**PROPERTIES[name], **extra.pop("properties", {})}
    if name in ("subscription_started", "song_purchased"):
        properties["currency"] = "USD"
    return event(name, at, user_id=user, device_id=device or f"dev-{user}", properties=json.dumps(properties), **extra)


CASE_ROWS: list[dict[str, str]] = [
    # strict (search_to_play: search_performed -> song_played, very next event, 1 h, device held)
    step("search_performed", "2026-03-02T10:00:00Z", "strict-1"),
    step("app_opened", "2026-03-02T10:00:30Z", "strict-1"),  # in between: progress ends
    step("song_played", "2026-03-02T10:01:00Z", "strict-1"),
    step("search_performed", "2026-03-02T10:00:00Z", "strict-2"),
    step("song_played", "2026-03-02T10:00:20Z", "strict-2"),  # the very next event: reached, 20 s
    step("search_performed", "2026-03-02T10:00:00Z", "strict-3", device="d-phone"),
    step("song_played", "2026-03-02T10:00:10Z", "strict-3", device="d-tablet"),  # other device
    # any (library_building: song_liked, playlist_created, artist_followed, 168 h, platform held)
    step("playlist_created", "2026-03-03T09:00:00Z", "any-1"),
    step("playlist_created", "2026-03-03T09:10:00Z", "any-1"),  # repeated step: still 1 distinct
    step("song_liked", "2026-03-03T09:20:00Z", "any-1"),  # 2nd distinct step, 1200 s
    step("song_liked", "2026-03-03T09:30:00Z", "any-1"),
    step("artist_followed", "2026-03-03T10:00:00Z", "any-1"),  # 3rd distinct step, 3600 s
    step("artist_followed", "2026-03-03T09:00:00Z", "any-2"),
    step("artist_followed", "2026-03-03T09:05:00Z", "any-2"),
    step("artist_followed", "2026-03-03T09:10:00Z", "any-2"),  # three times the same step: step 1 only
    step("song_liked", "2026-03-03T09:00:00Z", "any-3"),  # entry on ios
    step("playlist_created", "2026-03-03T09:30:00Z", "any-3", platform="android"),  # other platform
    step("playlist_created", "2026-03-05T09:00:00Z", "any-3"),  # ios, 2 days later: 172800 s
    # exclusion (song_completion: song_played -> song_completed, 2 h, song_skipped after step 1)
    step("song_skipped", "2026-03-04T08:00:00Z", "excl-1"),  # before the guarded step: no effect
    step("song_played", "2026-03-04T08:05:00Z", "excl-1"),
    step("song_completed", "2026-03-04T08:10:00Z", "excl-1"),  # 300 s
    step("song_skipped", "2026-03-04T08:20:00Z", "excl-1"),  # after step 2: no effect
    step("song_played", "2026-03-04T08:05:00Z", "excl-2"),
    step("song_skipped", "2026-03-04T08:06:00Z", "excl-2"),  # between steps 1 and 2: entry dropped
    step("song_completed", "2026-03-04T08:10:00Z", "excl-2"),
    step("song_played", "2026-03-04T08:05:00Z", "excl-3"),
    step("song_skipped", "2026-03-04T10:05:00Z", "excl-3"),  # step 2 never reached; at window end: dropped
    step("song_played", "2026-03-04T08:05:00Z", "excl-4"),
    step("song_skipped", "2026-03-04T10:05:00.001Z", "excl-4"),  # after the window's end: kept
    # per-step window (checkout: paywall_viewed -> trial_started within 24 h -> subscription_started)
    step("paywall_viewed", "2026-03-05T12:00:00Z", "window-1"),
    step("trial_started", "2026-03-06T12:00:00Z", "window-1"),  # exactly 24 h: reached
    step("subscription_started", "2026-03-07T12:00:00Z", "window-1"),  # 172800 s from entry
    step("paywall_viewed", "2026-03-05T12:00:00Z", "window-2"),
    step("trial_started", "2026-03-06T12:00:00.001Z", "window-2"),  # 24 h + 1 ms: not reached
    step("subscription_started", "2026-03-06T13:00:00Z", "window-2"),
    # hold constant: session (discovery_session: recommendation_clicked -> song_played -> song_liked)
    step("recommendation_clicked", "2026-03-06T14:00:00Z", "session-1"),
    step("song_played", "2026-03-06T14:05:00Z", "session-1"),  # same session: 300 s
    step("song_liked", "2026-03-06T15:00:00Z", "session-1"),  # 55 min later: a new session
    step("recommendation_clicked", "2026-03-06T14:00:00Z", "session-2"),
    step("song_played", "2026-03-06T14:10:00Z", "session-2"),  # 600 s
    step("song_liked", "2026-03-06T14:20:00Z", "session-2"),  # 1200 s
    step("recommendation_clicked", "2026-03-06T14:00:00Z", "session-3"),
    step("song_played", "2026-03-06T15:00:00Z", "session-3"),  # new session: not step 2
    step("song_liked", "2026-03-06T15:05:00Z", "session-3"),
    # hold constant: property (trial_to_paid: trial_started -> subscription_started, plan held)
    step("trial_started", "2026-03-10T09:00:00Z", "plan-1", properties={"plan": "family"}),
    step("subscription_started", "2026-03-11T09:00:00Z", "plan-1", properties={"plan": "student"}),
    step("subscription_started", "2026-03-12T09:00:00Z", "plan-1", properties={"plan": "family"}),  # 172800 s
    step("trial_started", "2026-03-10T09:00:00Z", "plan-2", properties={"plan": "family"}),
    step("subscription_started", "2026-03-10T10:00:00Z", "plan-2", properties={"plan": "student"}),
    # first_per_day (checkout): two attempts on one day, then one on the next day
    step("paywall_viewed", "2026-03-20T09:00:00Z", "daily-1"),  # entry of 03-20
    step("paywall_viewed", "2026-03-20T18:00:00Z", "daily-1"),  # same day: not an entry
    step("trial_started", "2026-03-20T19:00:00Z", "daily-1"),  # 36000 s after 09:00
    step("paywall_viewed", "2026-03-21T08:00:00Z", "daily-1"),  # entry of 03-21
    step("trial_started", "2026-03-21T09:00:00Z", "daily-1"),  # 3600 s
    step("paywall_viewed", "2026-03-21T10:00:00Z", "daily-2"),  # entry of 03-21, step 1 only
    # Data end 2026-04-22: every window above (checkout's 30 days included) is complete.
    step("app_opened", "2026-04-23T00:00:00Z", "late"),
]


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    tmp_path = tmp_path_factory.mktemp("funnel_cases")
    assert all(row["received_at"] == RECEIVED_AT for row in CASE_ROWS)
    case = build_case(tmp_path, CASE_ROWS)
    expected = oracle_funnels.compute_funnel_metrics(case.clean, oracle_funnels.load_funnels(SEEDS_DIR))
    return case, expected, read_relations(case.db_path)


def check_steps(crafted: Any, funnel: str, entry_date: date, figures: dict[int, dict[str, Any]]) -> None:
    """Hand figures per step of the v2 table, in SQL and in the oracle."""
    _, expected, actual = crafted
    relation = "metrics_funnel_conversion_v2"
    for side, frame in (("sql", actual[relation]), ("oracle", expected[relation])):
        for step_number, wanted in figures.items():
            row = pick(frame, {"funnel_name": funnel, "entry_date": entry_date, "step_number": step_number})
            assert row is not None, f"{side}: no row {funnel} {entry_date} step {step_number}"
            for column, value in wanted.items():
                assert oracle.cells_equal(value, row[column]), (
                    f"{side}: {funnel} {entry_date} step {step_number} {column}: want {value!r}, got {row[column]!r}"
                )


def test_strict_broken_by_an_event_in_between(crafted: Any) -> None:
    # strict-1: app_opened between search and play ends the progress (ordered would count it);
    # strict-2: the play is the very next event, 20 s; strict-3: the play is on another device
    # (device_id held). 3 entries, 1 reaches step 2.
    check_steps(crafted, "search_to_play", D("2026-03-02"), {
        1: {"users": 3, "conversion_from_start": 1.0, "median_seconds_from_start": 0.0},
        2: {"users": 1, "conversion_from_start": 1 / 3, "median_seconds_from_start": 20.0,
            "p25_seconds_from_start": 20.0, "p90_seconds_from_start": 20.0},
    })


def test_any_order_with_repeated_steps(crafted: Any) -> None:
    # any-1: playlist twice, like twice, then follow: steps at 0, 1200 s, 3600 s. any-2: the same
    # step three times: step 1 only. any-3: the android playlist does not count (platform held),
    # the ios one 2 days later does: step 2 at 172800 s. Step 2 seconds {1200, 172800}: median
    # 87000, p25 1200 + 0.25 x 171600 = 44100, p75 129900, p90 155640.
    check_steps(crafted, "library_building", D("2026-03-03"), {
        1: {"users": 3},
        2: {"users": 2, "conversion_from_previous": 2 / 3, "median_seconds_from_start": 87000.0,
            "p25_seconds_from_start": 44100.0, "p75_seconds_from_start": 129900.0,
            "p90_seconds_from_start": 155640.0},
        3: {"users": 1, "conversion_from_previous": 0.5, "median_seconds_from_start": 3600.0},
    })


def test_exclusion_before_and_after_the_step_it_guards(crafted: Any) -> None:
    # excl-1: skips before step 1 and after step 2 do not count: kept, step 2 at 300 s. excl-2: a
    # skip between steps 1 and 2 drops the entry from every step. excl-3: never completes, a skip
    # exactly at the window's end (2 h): dropped. excl-4: the skip 1 ms after the window: kept.
    check_steps(crafted, "song_completion", D("2026-03-04"), {
        1: {"users": 2},
        2: {"users": 1, "conversion_from_start": 0.5, "median_seconds_from_start": 300.0},
    })


def test_per_step_window_edge_at_exactly_n_hours(crafted: Any) -> None:
    # checkout step 2 must come within 24 h of step 1. window-1: trial exactly 24 h later:
    # reached (86400 s), subscription at 172800 s. window-2: 24 h + 1 ms: not reached, so its
    # subscription does not count either.
    check_steps(crafted, "checkout", D("2026-03-05"), {
        1: {"users": 2},
        2: {"users": 1, "median_seconds_from_start": 86400.0},
        3: {"users": 1, "median_seconds_from_start": 172800.0, "conversion_from_previous": 1.0},
    })


def test_hold_constant_across_two_sessions(crafted: Any) -> None:
    # session-1: play in the entry's session (300 s), like in a new session: step 3 not reached.
    # session-2: all in one session: 600 s, 1200 s. session-3: play in a new session: step 2 not
    # reached, so neither is step 3. Step 2 {300, 600}: median 450, p25 375, p90 570.
    check_steps(crafted, "discovery_session", D("2026-03-06"), {
        1: {"users": 3},
        2: {"users": 2, "median_seconds_from_start": 450.0, "p25_seconds_from_start": 375.0,
            "p90_seconds_from_start": 570.0},
        3: {"users": 1, "median_seconds_from_start": 1200.0},
    })


def test_hold_constant_property(crafted: Any) -> None:
    # plan-1: the student subscription does not count, the family one 2 days later does.
    # plan-2: only a subscription of another plan: not reached.
    check_steps(crafted, "trial_to_paid", D("2026-03-10"), {
        1: {"users": 2},
        2: {"users": 1, "median_seconds_from_start": 172800.0},
    })


def test_two_attempts_on_one_day_and_on_two_days(crafted: Any) -> None:
    # checkout is first_per_day: daily-1's 18:00 view is not a second entry on 03-20 (step 2 at
    # 36000 s from 09:00); the 03-21 view is an entry (step 2 at 3600 s); daily-2 enters on 03-21.
    check_steps(crafted, "checkout", D("2026-03-20"), {
        1: {"users": 1},
        2: {"users": 1, "median_seconds_from_start": 36000.0},
    })
    check_steps(crafted, "checkout", D("2026-03-21"), {
        1: {"users": 2},
        2: {"users": 1, "median_seconds_from_start": 3600.0},
    })
    # free_to_paid (first_ever, same first step): daily-1 enters once, on 03-20 only.
    check_steps(crafted, "free_to_paid", D("2026-03-20"), {1: {"users": 1}})
    check_steps(crafted, "free_to_paid", D("2026-03-21"), {1: {"users": 1}})


def test_time_to_convert_buckets_by_hand(crafted: Any) -> None:
    # checkout step 2 over every reported entry: 86400 s (1-3d: lower bound inclusive),
    # 36000 s (2-24h) and 3600 s (30m-2h); every other bucket has a 0 row.
    _, expected, actual = crafted
    relation = "metrics_funnel_time_to_convert"
    want = {"<1m": 0, "1-5m": 0, "5-30m": 0, "30m-2h": 1, "2-24h": 1, "1-3d": 1, "3-7d": 0, ">=7d": 0}
    for side, frame in (("sql", actual[relation]), ("oracle", expected[relation])):
        rows = frame[(frame.funnel_name == "checkout") & (frame.step_number == 2)]
        got = {row["bucket"]: int(row["users"]) for row in rows.to_dict("records")}
        assert got == want, f"{side}: {got}"


def test_crafted_cases_match_oracle_everywhere(crafted: Any) -> None:
    _, expected, actual = crafted
    cells, mismatches = oracle_funnels.compare_funnel_tables(expected, actual.__getitem__)
    CELLS.update({f"crafted {relation}": count for relation, count in cells.items()})
    for relation, count in cells.items():
        verification.record("oracle", relation, "crafted", count, sum(relation in m for m in mismatches))
    assert not mismatches, "\n".join(mismatches[:20])


# ---------------------------------------------------------------------------------------------
# Seeds: older files still build, wrong settings fail naming funnel, column and value
# ---------------------------------------------------------------------------------------------


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


FUNNELS_HEADER = ["funnel_name", "description", "owner_team", "order_mode", "entry_rule",
                  "conversion_window_hours", "hold_constant"]
STAGED_FUNNEL_SEEDS = ["funnel_steps", "funnels", "tracking_plan", "stg_funnel_steps", "stg_funnels", "dim_funnel_steps",
                       "dim_funnels"]


def test_old_funnel_steps_file_and_empty_funnels_seed_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    _write(project / "seeds" / "funnel_steps.csv",
           ["funnel_name", "step_number", "event_name", "conversion_window_days"],
           [["signup", "1", "app_opened", "7"], ["signup", "2", "account_created", "7"]])
    _write(project / "seeds" / "funnels.csv", FUNNELS_HEADER, [])
    result = build(tmp_path / "old.duckdb", None, project_dir=project, check=False,
                   command=("build", "--select", *STAGED_FUNNEL_SEEDS, "--indirect-selection", "cautious"))
    assert result.returncode == 0, output(result)[-4000:]
    con = duckdb.connect(str(tmp_path / "old.duckdb"), read_only=True)
    try:
        steps = con.execute(
            f"select step_type, max_hours_from_previous from {oracle.find_relation(con, 'marts', 'dim_funnel_steps')}"
        ).fetchall()
        settings = con.execute(
            "select order_mode, entry_rule, window_hours, hold_kind, has_default_settings from "
            f"{oracle.find_relation(con, 'marts', 'dim_funnels')}"
        ).fetchall()
    finally:
        con.close()
    assert steps == [("step", None), ("step", None)]
    assert settings == [("ordered", "first_ever", 168, None, True)]


def test_wrong_settings_fail_naming_funnel_column_and_value(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    _write(project / "seeds" / "funnel_steps.csv",
           ["funnel_name", "step_number", "event_name", "conversion_window_days", "step_type",
            "max_hours_from_previous"],
           [["signup", "1", "app_opened", "7", "", ""], ["signup", "2", "account_created", "7", "", ""],
            ["odd", "1", "app_opened", "", "", ""], ["odd", "2", "song_played", "", "", "soon"],
            ["odd", "1", "app_crashed", "", "skip", ""], ["odd", "2", "song_skipped", "", "exclude", ""]])
    _write(project / "seeds" / "funnels.csv", FUNNELS_HEADER,
           [["odd", "", "", "sorted", "first_per_week", "-3", "property:"]])
    result = build(tmp_path / "bad.duckdb", None, project_dir=project, check=False,
                   command=("build", "--select", *STAGED_FUNNEL_SEEDS, "--indirect-selection", "cautious"))
    text = output(result)
    assert result.returncode != 0, text[-4000:]
    for message in (
        "funnel 'odd', column order_mode, value 'sorted'",
        "funnel 'odd', column entry_rule, value 'first_per_week'",
        "funnel 'odd', column conversion_window_hours, value '-3'",
        "funnel 'odd', column hold_constant, value 'property:'",
        "funnel 'odd' step 2, column max_hours_from_previous, value 'soon'",
        "funnel 'odd' step 1, column step_type, value 'skip'",
        "funnel 'odd' step 2, column step_number, value '2'",
    ):
        assert message in text, f"{message!r} not in the build output:\n{text[-4000:]}"
    assert "funnel 'signup'" not in text


def test_zz_cells_compared(capsys: pytest.CaptureFixture[str]) -> None:
    """Cells compared with the funnel oracle (run last in this module; -s shows them)."""
    if not CELLS:
        pytest.skip("no comparison ran")
    with capsys.disabled():
        print("\nfunnel oracle cells compared:")
        for name, count in sorted(CELLS.items()):
            print(f"  {name:<60} {count:>8}")
