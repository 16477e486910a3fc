"""The terminal summary (`make metrics`) and the docs' freshness line, on hand-made databases.

A tiny DuckDB file holds only the public tables the summary reads, with numbers chosen so that
every figure it prints can be worked out by hand below. Then the same line is stamped into a
crafted docs page by `python -m metrics_tools embed-docs`.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from dbt_helpers import PROJECT_DIR

from metrics_tools import embed_docs as embed_docs_assets
from metrics_tools import summary as metrics_summary
from metrics_tools.cli import main as tools_main

SUMMARY = [sys.executable, "-m", "metrics_tools", "summary"]

TABLES = """
create schema metrics;
create schema marts;
create table metrics.metrics_active_users_daily (activity_date date, dau bigint, wau bigint, mau bigint, dau_mau_ratio double);
insert into metrics.metrics_active_users_daily values
    ('2026-03-01', 4, 4, 4, 1.0), ('2026-03-02', 3, 6, 6, 0.5);
create table metrics.metrics_new_users_daily (activity_date date, new_users bigint, cumulative_users bigint);
insert into metrics.metrics_new_users_daily values ('2026-03-01', 4, 4), ('2026-03-02', 2, 6);
create table metrics.metrics_retention_daily_cohorts (
    cohort_date date, day_number integer, cohort_size bigint, retained_users bigint, retention_rate double,
    unbounded_retained_users bigint, unbounded_retention_rate double);
-- D1: cohort 03-01 (4 people, 1 back) and, as if data went on, cohort 02-28 (6 people, 3 back).
insert into metrics.metrics_retention_daily_cohorts values
    ('2026-02-28', 1, 6, 3, 0.5, 3, 0.5),
    ('2026-03-01', 1, 4, 1, 0.25, 1, 0.25);
create table metrics.metrics_funnel_conversion (
    funnel_name varchar, entry_date date, step_number integer, step_event_name varchar, users bigint,
    conversion_from_start double, conversion_from_previous double, median_seconds_from_start double);
insert into metrics.metrics_funnel_conversion values
    ('signup', '2026-03-01', 1, 'app_opened', 10, 1.0, 1.0, 0),
    ('signup', '2026-03-01', 2, 'account_created', 4, 0.4, 0.4, 60),
    ('signup', '2026-03-02', 1, 'app_opened', 6, 1.0, 1.0, 0),
    ('signup', '2026-03-02', 2, 'account_created', 4, 0.667, 0.667, 30);
create table metrics.metrics_revenue_daily (
    activity_date date, revenue_usd double, paying_users bigint, arpu_usd double, arppu_usd double, paying_user_ratio double);
insert into metrics.metrics_revenue_daily values ('2026-03-01', 10.5, 1, 2.625, 10.5, 0.25), ('2026-03-02', 4.5, 2, 1.5, 2.25, 0.667);
create table metrics.metrics_data_quality_daily (received_date date, owner_team varchar, reason varchar, rows bigint);
insert into metrics.metrics_data_quality_daily values
    ('2026-03-01', 'growth', 'accepted', 90), ('2026-03-02', 'playback', 'accepted', 5),
    ('2026-03-02', 'growth', 'duplicate_event', 3), ('2026-03-02', 'unassigned', 'unplanned_event', 2);
create table marts.dim_users (user_key varchar, processed_at timestamp);
insert into marts.dim_users values ('a', '2026-03-03 08:00:00'), ('b', '2026-03-03 09:15:30');
"""


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    path = tmp_path / "small.duckdb"
    con = duckdb.connect(str(path))
    con.execute(TABLES)
    con.close()
    return path


def test_the_freshness_line_by_hand(small_db: Path) -> None:
    con = metrics_summary.connect(small_db)
    try:
        stamp = metrics_summary.freshness(con)
    finally:
        con.close()
    # data end = last activity date; built = newest run stamp; events = accepted rows (90 + 5);
    # quarantined = every other row (3 + 2).
    assert stamp == metrics_summary.Freshness(date(2026, 3, 2), datetime(2026, 3, 3, 9, 15, 30), 95, 5)
    assert stamp.line() == "data through 2026-03-02, built 2026-03-03 09:15 UTC, 95 events, 5 quarantined"


def test_the_summary_table_by_hand(small_db: Path) -> None:
    result = subprocess.run([*SUMMARY, "--db", str(small_db)], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()

    def row(measure: str) -> str:
        return next(line for line in lines if f" {measure} " in line)

    def value(measure: str) -> str:
        return row(measure).split("│")[3].strip()

    assert (value("DAU"), value("WAU"), value("MAU")) == ("3", "6", "6")
    # D1 weighted: (3 + 1) / (6 + 4) = 40.0%; latest complete cohort 03-01: 1 of 4 = 25.0%.
    d1 = row("D1")
    assert "40.0%" in d1 and "all 2 cohorts" in d1 and "latest 2026-03-01: 25.0% of 4" in d1
    assert "no complete cohort yet" in row("D7")
    # Funnel: (4 + 4) / (10 + 6) = 50.0% over both entry days.
    assert "50.0%" in row("signup") and "8 of 16 entries" in row("signup")
    # Revenue on data end 4.50 from 2 payers; over the 30 days ending then 10.50 + 4.50 = 15.00.
    assert "4.50" in lines[[i for i, line in enumerate(lines) if "revenue (USD)" in line][0]]
    assert any("15.00" in line for line in lines if "revenue (USD)" in line)
    # Quarantine shares of all 100 raw rows: duplicates 3.0%, unplanned 2.0%.
    assert "3.0%" in row("duplicate_event") and "2.0%" in row("unplanned_event")
    assert lines[-1] == "data through 2026-03-02, built 2026-03-03 09:15 UTC, 95 events, 5 quarantined"


def test_missing_database_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [*SUMMARY, "--db", str(tmp_path / "none.duckdb")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "run `make build` first" in result.stderr


def test_a_versioned_model_is_read_at_its_newest_version(small_db: Path) -> None:
    con = duckdb.connect(str(small_db))
    con.execute("alter table metrics.metrics_funnel_conversion rename to metrics_funnel_conversion_v1")
    con.execute("create table metrics.metrics_funnel_conversion_v2 as select * from metrics.metrics_funnel_conversion_v1")
    con.execute("update metrics.metrics_funnel_conversion_v2 set users = users * 2 where step_number = 1")
    con.close()
    con = metrics_summary.connect(small_db)
    try:
        assert metrics_summary.relation(con, "metrics", "metrics_funnel_conversion") == "metrics.metrics_funnel_conversion_v2"
        funnel = next(r for r in metrics_summary.headline_rows(con, date(2026, 3, 2)) if r[1] == "signup")
    finally:
        con.close()
    assert funnel[2] == "25.0%"  # 8 of 32


def test_the_docs_overview_is_stamped(small_db: Path, tmp_path: Path) -> None:
    html = tmp_path / "static_index.html"
    html.write_text(f"<html><head></head><body>{embed_docs_assets.FRESHNESS_PLACEHOLDER}</body></html>", encoding="utf-8")
    assets = tmp_path / "assets"
    assets.mkdir()
    assert tools_main(["embed-docs", str(html), "--assets", str(assets), "--db", str(small_db)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "**Freshness**: data through 2026-03-02, built 2026-03-03 09:15 UTC, 95 events, 5 quarantined." in text
    assert embed_docs_assets.FRESHNESS_PLACEHOLDER not in text
    # Run again: the placeholder is gone, so the step fails with one line instead of stamping nothing.
    assert tools_main(["embed-docs", str(html), "--assets", str(assets), "--db", str(small_db)]) == 1


def test_the_overview_holds_the_placeholder() -> None:
    overview = (PROJECT_DIR / "models" / "docs" / "overview.md").read_text(encoding="utf-8")
    assert embed_docs_assets.FRESHNESS_PLACEHOLDER in overview
