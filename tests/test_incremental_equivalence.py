"""An incremental run gives exactly the tables a full refresh gives on the same raw data.

History lands as daily Parquet files. We build on a first batch, then append batches holding new
days, late events for old days, re-sent duplicates (one received *earlier* than the stored copy,
so the kept row changes), earlier events of known users (their first-seen date moves back) and a
sign-up that claims a device's earlier anonymous events. After each incremental run, every public
metric table must equal a full-refresh build of the same files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import verification
from dbt_helpers import PROJECT_DIR, build_project

PUBLIC_MODELS = [
    "metrics_active_users_daily",
    "metrics_new_users_daily",
    "metrics_stickiness_weekly",
    "metrics_retention_daily_cohorts",
    "metrics_retention_weekly_cohorts",
    "metrics_lifecycle_weekly",
    "metrics_funnel_conversion",
    "metrics_funnel_conversion_v2",
    "metrics_funnel_time_to_convert",
    "metrics_funnel_conversion_by_segment",
    "metrics_sessions_daily",
    "metrics_revenue_daily",
    "metrics_event_volume_daily",
    "metrics_data_quality_daily",
    "metrics_retention",
    "metrics_stickiness_monthly",
    "metrics_lifecycle_monthly",
    "metrics_event_transitions_weekly",
    "metrics_unplanned_properties_daily",
]
# Per-person models are rebuilt incrementally; they must match too (minus the load stamp).
PER_PERSON_MODELS = {
    "intermediate.int_events_sessionized": "processed_at",
    "marts.fct_user_days": "processed_at",
    "marts.fct_sessions": "processed_at",
    "marts.fct_user_event_days": "processed_at",
    "marts.fct_funnel_progress": "processed_at",
    "marts.fct_retention_cohorts": "processed_at",
    "marts.fct_retention_returns": "processed_at",
    "marts.fct_event_transitions": "processed_at",
    "marts.dim_users": "processed_at",
    "marts.fct_events": "processed_at",
    "marts.dim_user_history": "processed_at",
    "marts.fct_user_weeks": "processed_at",
    "marts.fct_user_months": "processed_at",
}


def table_rows(db_path: Path, table: str, drop_column: str | None = None) -> list[tuple[object, ...]]:
    """All rows of a table, sorted, so two builds compare as plain lists."""
    with duckdb.connect(str(db_path), read_only=True) as connection:
        columns = [
            row[0]
            for row in connection.execute(f"describe {table}").fetchall()
            if row[0] != drop_column
        ]
        column_list = ", ".join(f'"{column}"' for column in columns)
        rows = connection.execute(f"select {column_list} from {table}").fetchall()
    return sorted(rows, key=repr)


def generate_history(directory: Path) -> None:
    """Forty days of daily Parquet files from the project's generator."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "metrics_tools",
            "generate",
            "--seed",
            "11",
            "--users",
            "400",
            "--days",
            "40",
            "--output",
            str(directory),
            "--format",
            "parquet",
            "--quiet",
        ],
        check=True,
    )


def write_late_batch(history_file: Path, late_file: Path) -> None:
    """A crafted batch of late arrivals derived from rows already loaded."""
    late_rows_sql = f"""
        with loaded as (
            select *, row_number() over () as position
            from read_parquet('{history_file}')
        ),

        known_users as (
            select * from loaded
            where user_id is not null and insert_id is not null and event_name = 'song_played'
            order by position
            limit 20
        )

        -- 1. a re-sent copy received later: stays a duplicate
        select insert_id, event_name, user_id, device_id, event_time,
               '2026-09-20T00:00:00Z' as received_at, platform, app_version, country, properties
        from known_users where position % 4 = 0
        union all
        -- 2. a copy received *earlier* than the stored row: becomes the kept row
        select insert_id, event_name, user_id, device_id, event_time,
               event_time as received_at, platform, 'late-sdk' as app_version, country, properties
        from known_users where position % 4 = 1
        union all
        -- 3. an earlier event of a known user: their first-seen date moves back
        select 'late-' || insert_id, 'app_opened', user_id, device_id,
               '2026-07-25T08:00:00Z', '2026-09-20T00:00:00Z', platform, app_version, country, '{{}}'
        from known_users where position % 4 = 2
        union all
        -- 4. a sign-up on a device that was only used anonymously: its events change owner
        select 'claim-' || insert_id, 'account_created', 'claimed-' || device_id, device_id,
               '2026-07-20T09:00:00Z', '2026-09-20T00:00:00Z', platform, app_version, country,
               '{{"signup_method": "email"}}'
        from (
            select * from loaded where user_id is null and device_id is not null
            order by position limit 5
        ) as anonymous_rows
    """
    with duckdb.connect() as connection:
        connection.execute(f"copy ({late_rows_sql}) to '{late_file}' (format parquet)")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("history")
    generate_history(directory)
    return directory


def test_incremental_runs_equal_full_refresh(history: Path, tmp_path: Path) -> None:
    files = sorted(history.glob("events_*.parquet"))
    assert len(files) >= 40, f"generator wrote {len(files)} daily files"
    landing = tmp_path / "landing"
    landing.mkdir()
    glob = landing / "*.parquet"

    first_batch, second_batch = files[:30], files[30:]
    for file in first_batch:
        shutil.copy(file, landing / file.name)
    incremental_db = tmp_path / "incremental" / "warehouse.duckdb"
    incremental_db.parent.mkdir()
    build_project(incremental_db, raw_events_path=glob)

    # Batch 2: ten new days (with their own late and duplicate rows).
    for file in second_batch:
        shutil.copy(file, landing / file.name)
    build_project(incremental_db, raw_events_path=glob)

    # Batch 3: crafted late arrivals for days and people already built.
    write_late_batch(landing / first_batch[5].name, landing / "events_zz_late.parquet")
    build_project(incremental_db, raw_events_path=glob)

    full_db = tmp_path / "full" / "warehouse.duckdb"
    full_db.parent.mkdir()
    build_project(full_db, raw_events_path=glob, data_tests=False)

    compared = 0
    for model in PUBLIC_MODELS:
        incremental_rows = table_rows(incremental_db, f"metrics.{model}")
        full_rows = table_rows(full_db, f"metrics.{model}")
        assert full_rows, f"{model} is empty in the full build"
        same = incremental_rows == full_rows
        cells = len(full_rows) * (len(full_rows[0]) if full_rows else 0)
        verification.record("incremental", model, "daily Parquet batches", cells, 0 if same else 1, "cells")
        assert same, f"{model}: incremental build differs from full refresh"
        compared += len(full_rows)
    for table, stamp in PER_PERSON_MODELS.items():
        assert table_rows(incremental_db, table, stamp) == table_rows(full_db, table, stamp), (
            f"{table}: incremental build differs from full refresh"
        )
    assert compared > 500


def test_incremental_run_without_new_files_changes_nothing(history: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "warehouse.duckdb"
    glob = history / "events_2026-08-0*.parquet"
    build_project(db_path, raw_events_path=glob, data_tests=False)
    before = {model: table_rows(db_path, f"metrics.{model}") for model in PUBLIC_MODELS}
    stored_before = table_rows(db_path, "intermediate.int_events__judged")
    build_project(db_path, raw_events_path=glob, data_tests=False)
    after = {model: table_rows(db_path, f"metrics.{model}") for model in PUBLIC_MODELS}
    assert after == before
    assert table_rows(db_path, "intermediate.int_events__judged") == stored_before
