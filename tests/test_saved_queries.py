"""MetricFlow saved queries answer the common questions, complete periods only where they say so.

Run with `mf query --saved-query <name>` against the session's `default_db` build (the same
throw-away `mf` project as tests/test_semantic_layer.py). Expected values are worked out here in
pandas from the public daily and weekly tables: complete weeks and months from the first day of
data and data end (a week is Monday to Sunday), weekly active people from
`metrics_stickiness_weekly`, monthly revenue summed from `metrics_revenue_daily`, cohort sizes and
retained people from `metrics_retention_weekly_cohorts`.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from test_semantic_layer import MetricFlow
from test_semantic_layer import read_sql as read_sql_frame


@pytest.fixture(scope="module")
def mf(default_db: Path, tmp_path_factory: pytest.TempPathFactory) -> MetricFlow:
    return MetricFlow(default_db, default_db.parent / "target", tmp_path_factory.mktemp("saved_queries"))


def saved_query(mf: MetricFlow, name: str) -> pd.DataFrame:
    csv_path = mf.project_dir / f"{name}.csv"
    mf.run("query", "--saved-query", name, "--csv", str(csv_path))
    frame = pd.read_csv(csv_path)
    for column in frame.columns:
        if column.startswith(("metric_time__", "user__first_seen_date__")):
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def read_sql(db_path: Path, sql: str) -> pd.DataFrame:
    """A query's result, its date columns as `datetime.date`."""
    frame = read_sql_frame(db_path, sql)
    for column in frame.columns:
        if column.endswith("_date") or column in ("first", "last"):
            frame[column] = [pd.Timestamp(value).date() for value in frame[column]]
    return frame


def data_bounds(db_path: Path) -> tuple[date, date]:
    row = read_sql(db_path, "select min(activity_date) as first, max(activity_date) as last from metrics.metrics_active_users_daily")
    return row["first"].iloc[0], row["last"].iloc[0]


def complete_weeks(first: date, last: date) -> list[date]:
    """Mondays of the weeks that lie wholly between ``first`` and ``last``."""
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    weeks = []
    while monday + timedelta(days=6) <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def test_complete_weeks_by_hand() -> None:
    # 2026-08-01 is a Saturday and 2026-10-13 a Tuesday: the first whole week starts Monday
    # 2026-08-03, the last whole week ends Sunday 2026-10-11.
    weeks = complete_weeks(date(2026, 8, 1), date(2026, 10, 13))
    assert weeks[0] == date(2026, 8, 3) and weeks[-1] == date(2026, 10, 5) and len(weeks) == 10
    assert complete_weeks(date(2026, 8, 3), date(2026, 8, 9)) == [date(2026, 8, 3)]
    assert complete_weeks(date(2026, 8, 4), date(2026, 8, 16)) == [date(2026, 8, 10)]


def test_active_users_by_complete_week(mf: MetricFlow) -> None:
    result = saved_query(mf, "active_users_by_complete_week")
    first, last = data_bounds(mf.db_path)
    weeks = complete_weeks(first, last)
    assert list(result["metric_time__complete_week"]) == weeks, "not exactly the complete weeks, in order"
    sticky = read_sql(
        mf.db_path,
        "select week_start_date, sum(users) as weekly_active from metrics.metrics_stickiness_weekly group by 1",
    )
    expected = dict(zip(sticky["week_start_date"], sticky["weekly_active"], strict=True))
    new = read_sql(mf.db_path, "select activity_date, new_users from metrics.metrics_new_users_daily")
    for row in result.itertuples():
        week = row.metric_time__complete_week
        assert row.dau == expected[week], week
        in_week = new[(new["activity_date"] >= week) & (new["activity_date"] <= week + timedelta(days=6))]
        assert row.new_users == in_week["new_users"].sum(), week


def test_revenue_by_month_shows_partial_months_and_the_complete_version_does_not(mf: MetricFlow) -> None:
    daily = read_sql(mf.db_path, "select activity_date, revenue_usd from metrics.metrics_revenue_daily")
    daily["month"] = [d.replace(day=1) for d in daily["activity_date"]]
    expected = daily.groupby("month")["revenue_usd"].sum()
    result = saved_query(mf, "revenue_by_month")
    assert list(result["metric_time__reporting_month"]) == sorted(expected.index)
    for row in result.itertuples():
        assert row.revenue_usd == pytest.approx(expected[row.metric_time__reporting_month], rel=1e-9)

    first, last = data_bounds(mf.db_path)
    whole = [m for m in expected.index if m >= first and (m + pd.DateOffset(months=1)).date() - timedelta(days=1) <= last]
    complete = saved_query(mf, "revenue_by_complete_month")
    assert list(complete.get("metric_time__complete_month", [])) == whole


def test_retention_by_cohort_matches_weekly_cohorts(mf: MetricFlow) -> None:
    result = saved_query(mf, "retention_by_cohort")
    cohorts = read_sql(
        mf.db_path,
        "select cohort_week_start_date, week_number, cohort_size, retained_users from metrics.metrics_retention_weekly_cohorts",
    )
    first, last = data_bounds(mf.db_path)
    weeks = set(complete_weeks(first, last))
    compared = 0
    for row in cohorts.itertuples():
        week = row.cohort_week_start_date + timedelta(weeks=int(row.week_number))
        match = result[
            (result["user__first_seen_date__week"] == row.cohort_week_start_date)
            & (result["metric_time__complete_week"] == week)
        ]
        if week not in weeks:
            assert match.empty
            continue
        expected = row.cohort_size if row.week_number == 0 else row.retained_users
        got = int(match["dau"].iloc[0]) if not match.empty else 0
        assert got == expected, (row.cohort_week_start_date, row.week_number)
        compared += 1
    assert compared > 10
