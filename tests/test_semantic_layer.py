"""The MetricFlow semantic layer agrees with the public metric models, day by day.

`mf` (dbt-metricflow) is run as a subprocess against the session-wide `default_db` build (the
committed seeds, built by `dbt build` into a temporary DuckDB file). `mf` has no flag for the
manifest: it reads `<project dir>/target/semantic_manifest.json` and takes the project directory
from `DBT_PROJECT_DIR`. So each test session makes a small throw-away project directory holding a
copy of `dbt_project.yml` and a `target` link to the build's own target directory: nothing is read
from or written to the repository's `target/` or the user's DuckDB file.

Compared, on every reporting day (first day of data to data end):
- DAU, WAU, MAU, DAU/MAU          = `metrics_active_users_daily`
- new users, cumulative users     = `metrics_new_users_daily`
- revenue, paying users, ARPU, ARPPU, paying-user ratio = `metrics_revenue_daily`
- sessions, users with sessions, sessions per user, average and median length
                                  = `metrics_sessions_daily`
- events and users per event name = `metrics_event_volume_daily`
- sign-up to first play conversions and rate = the `activation` funnel's step 2 in
  `metrics_funnel_conversion` (the relation documented in the metrics' descriptions).
Run with `-s` to see how many rows were compared per metric.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dbt_helpers import PROJECT_DIR, dbt_env, run_command

MF_EXECUTABLE = Path(sys.executable).with_name("mf")

# metric -> rows compared; printed by the last test.
ROWS_COMPARED: dict[str, int] = {}

# MetricFlow metric -> (public model, column), compared by `metric_time__day` = `activity_date`.
DAILY_METRICS: dict[str, tuple[str, str]] = {
    "dau": ("metrics_active_users_daily", "dau"),
    "wau": ("metrics_active_users_daily", "wau"),
    "mau": ("metrics_active_users_daily", "mau"),
    "dau_mau_ratio": ("metrics_active_users_daily", "dau_mau_ratio"),
    "new_users": ("metrics_new_users_daily", "new_users"),
    "cumulative_users": ("metrics_new_users_daily", "cumulative_users"),
    "revenue_usd": ("metrics_revenue_daily", "revenue_usd"),
    "paying_users": ("metrics_revenue_daily", "paying_users"),
    "arpu_usd": ("metrics_revenue_daily", "arpu_usd"),
    "arppu_usd": ("metrics_revenue_daily", "arppu_usd"),
    "paying_user_ratio": ("metrics_revenue_daily", "paying_user_ratio"),
    "sessions": ("metrics_sessions_daily", "sessions"),
    "users_with_sessions": ("metrics_sessions_daily", "users_with_sessions"),
    "sessions_per_user": ("metrics_sessions_daily", "sessions_per_user"),
    "avg_session_seconds": ("metrics_sessions_daily", "avg_session_seconds"),
    "median_session_seconds": ("metrics_sessions_daily", "median_session_seconds"),
}

# The conversion metric tested against the funnel model, and the funnel step it matches.
CONVERSION_FUNNEL = "activation"
CONVERSION_BASE_EVENT = "account_created"


class MetricFlow:
    """Runs `mf` against one built DuckDB file and its dbt target directory."""

    def __init__(self, db_path: Path, target_dir: Path, work_dir: Path) -> None:
        manifest = target_dir / "semantic_manifest.json"
        assert manifest.exists(), f"dbt did not write {manifest}"
        self.db_path = db_path
        self.project_dir = work_dir / "mf_project"
        self.project_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_DIR / "dbt_project.yml", self.project_dir / "dbt_project.yml")
        (self.project_dir / "target").symlink_to(target_dir, target_is_directory=True)
        self.env = dbt_env(db_path)
        self.env["DBT_PROJECT_DIR"] = str(self.project_dir)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_command([str(MF_EXECUTABLE), *args], self.project_dir, self.env, f"mf {' '.join(args)}", check)

    def query(self, metrics: list[str], group_by: list[str]) -> pd.DataFrame:
        csv_path = self.project_dir / "query.csv"
        csv_path.unlink(missing_ok=True)
        self.run(
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            ",".join(group_by),
            "--order",
            ",".join(group_by),
            "--csv",
            str(csv_path),
        )
        frame = pd.read_csv(csv_path)
        if "metric_time__day" in frame:
            frame["metric_time__day"] = pd.to_datetime(frame["metric_time__day"]).dt.date
        return frame


@pytest.fixture(scope="module")
def mf(default_db: Path, tmp_path_factory: pytest.TempPathFactory) -> MetricFlow:
    # dbt_helpers.run_dbt puts the build's target/ beside the DuckDB file.
    return MetricFlow(default_db, default_db.parent / "target", tmp_path_factory.mktemp("metricflow"))


def read_sql(db_path: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db_path))
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def same_value(left: object, right: object) -> bool:
    left_null = left is None or (isinstance(left, float) and math.isnan(left))
    right_null = right is None or (isinstance(right, float) and math.isnan(right))
    if left_null or right_null:
        return left_null and right_null
    return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-9)


def assert_columns_equal(
    merged: pd.DataFrame, pairs: dict[str, str], keys: list[str], what: str
) -> None:
    """Every (metricflow column, public column) pair is equal on every row of ``merged``."""
    for mf_column, public_column in pairs.items():
        mismatches = [
            (tuple(row[k] for k in keys), row[mf_column], row[public_column])
            for _, row in merged.iterrows()
            if not same_value(row[mf_column], row[public_column])
        ]
        assert not mismatches, (
            f"{what}: MetricFlow `{mf_column}` differs from `{public_column}` on {len(mismatches)} "
            f"of {len(merged)} rows, first ones (key, metricflow, public): {mismatches[:5]}"
        )
        name = mf_column.removesuffix("_mf")
        ROWS_COMPARED[name] = ROWS_COMPARED.get(name, 0) + len(merged)


def test_validate_configs(mf: MetricFlow) -> None:
    """`mf validate-configs`: the semantic manifest and every metric query against the warehouse."""
    result = mf.run("validate-configs")
    output = result.stdout + result.stderr
    assert "ERROR:" not in output, output[-6000:]
    assert "Successfully validated metrics against data warehouse" in output, output[-6000:]


def test_daily_metrics_equal_public_models(mf: MetricFlow) -> None:
    frame = mf.query(list(DAILY_METRICS), ["metric_time__day"])
    assert frame["metric_time__day"].is_unique

    public = read_sql(
        mf.db_path,
        """
        select
            active.activity_date,
            active.dau as public_dau,
            active.wau as public_wau,
            active.mau as public_mau,
            active.dau_mau_ratio as public_dau_mau_ratio,
            new.new_users as public_new_users,
            new.cumulative_users as public_cumulative_users,
            revenue.revenue_usd as public_revenue_usd,
            revenue.paying_users as public_paying_users,
            revenue.arpu_usd as public_arpu_usd,
            revenue.arppu_usd as public_arppu_usd,
            revenue.paying_user_ratio as public_paying_user_ratio,
            sessions.sessions as public_sessions,
            sessions.users_with_sessions as public_users_with_sessions,
            sessions.sessions_per_user as public_sessions_per_user,
            sessions.avg_session_seconds as public_avg_session_seconds,
            sessions.median_session_seconds as public_median_session_seconds
        from metrics.metrics_active_users_daily as active
        full join metrics.metrics_new_users_daily as new using (activity_date)
        full join metrics.metrics_revenue_daily as revenue using (activity_date)
        full join metrics.metrics_sessions_daily as sessions using (activity_date)
        order by activity_date
        """,
    )
    assert len(public) > 0, "the public daily models are empty"
    public["activity_date"] = pd.to_datetime(public["activity_date"]).dt.date

    # Same days: MetricFlow's time spine is the reporting calendar, zeros included.
    assert list(frame["metric_time__day"]) == list(public["activity_date"]), (
        "MetricFlow days differ from the public models' days: "
        f"{sorted(set(frame['metric_time__day']) ^ set(public['activity_date']))[:10]}"
    )
    merged = frame.merge(public, left_on="metric_time__day", right_on="activity_date", how="inner")
    assert len(merged) == len(public)
    assert_columns_equal(
        merged,
        {metric: f"public_{column}" for metric, (_, column) in DAILY_METRICS.items()},
        ["metric_time__day"],
        "daily metrics",
    )


def test_event_volume_equals_public_model(mf: MetricFlow) -> None:
    frame = mf.query(["events", "event_users"], ["metric_time__day", "event__event_name"])
    # A reporting day without any event would come back from the time spine with a null name.
    frame = frame[frame["event__event_name"].notna() & (frame["events"] > 0)]
    public = read_sql(
        mf.db_path,
        "select activity_date, event_name, events, users from metrics.metrics_event_volume_daily",
    )
    assert len(public) > 0, "metrics_event_volume_daily is empty"
    public["activity_date"] = pd.to_datetime(public["activity_date"]).dt.date
    merged = frame.merge(
        public,
        left_on=["metric_time__day", "event__event_name"],
        right_on=["activity_date", "event_name"],
        how="outer",
        indicator=True,
        suffixes=("_mf", "_public"),
    )
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, f"(day, event) rows in only one side:\n{unmatched.head(10)}"
    assert_columns_equal(
        merged,
        {"events_mf": "events_public", "event_users": "users"},
        ["metric_time__day", "event__event_name"],
        "event volume",
    )


def test_pooled_retention_equals_public_model(mf: MetricFlow) -> None:
    """By cohort day, definition and bracket, the pooled retention rates are `metrics_retention`'s."""
    group_by = ["metric_time__day", "retention__retention_name", "retention__bracket"]
    frame = mf.query(["pooled_retention_rate", "pooled_unbounded_retention_rate"], group_by)
    frame = frame[frame["retention__retention_name"].notna()]
    public = read_sql(
        mf.db_path,
        "select cohort_start_date, retention_name, bracket, retention_rate, unbounded_retention_rate"
        " from metrics.metrics_retention",
    )
    assert len(public) > 0, "metrics_retention is empty"
    public["cohort_start_date"] = pd.to_datetime(public["cohort_start_date"]).dt.date
    merged = frame.merge(
        public,
        left_on=group_by,
        right_on=["cohort_start_date", "retention_name", "bracket"],
        how="outer",
        indicator=True,
    )
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, f"(day, definition, bracket) rows in only one side:\n{unmatched.head(10)}"
    assert_columns_equal(
        merged,
        {"pooled_retention_rate": "retention_rate", "pooled_unbounded_retention_rate": "unbounded_retention_rate"},
        group_by,
        "retention",
    )


def test_signup_conversion_matches_funnel(mf: MetricFlow) -> None:
    """Documented relation: on every entry date the funnel model reports, sign-up to first play
    equals the activation funnel's step 2 (users and conversion from start), for days where no
    person has more than one sign-up (the funnel keeps a person's first one only)."""
    frame = mf.query(
        ["signup_to_first_play_conversions", "signup_to_first_play_rate"], ["metric_time__day"]
    )
    funnel = read_sql(
        mf.db_path,
        f"""
        select entry_date, users as funnel_users, conversion_from_start as funnel_rate
        from metrics.metrics_funnel_conversion
        where funnel_name = '{CONVERSION_FUNNEL}' and step_number = 2
        """,
    )
    assert len(funnel) > 0, f"the {CONVERSION_FUNNEL} funnel has no reported entry date"
    repeat_signup_days = read_sql(
        mf.db_path,
        f"""
        with signups as (
            select user_key, event_date, count(*) over (partition by user_key) as signups
            from marts.fct_events
            where event_name = '{CONVERSION_BASE_EVENT}'
        )
        select distinct event_date from signups where signups > 1
        """,
    )
    excluded = set(pd.to_datetime(repeat_signup_days["event_date"]).dt.date)
    funnel["entry_date"] = pd.to_datetime(funnel["entry_date"]).dt.date
    reported = len(funnel)
    funnel = funnel[~funnel["entry_date"].isin(excluded)]
    assert len(funnel) > 0, "every entry date has a repeated sign-up: nothing left to compare"
    ROWS_COMPARED["(funnel entry dates left out: a person signed up twice)"] = reported - len(funnel)

    merged = funnel.merge(frame, left_on="entry_date", right_on="metric_time__day", how="left")
    missing = merged[merged["metric_time__day"].isna()]
    assert missing.empty, f"entry dates without a MetricFlow row: {list(missing['entry_date'])[:10]}"
    # A sign-up day with no conversion has no conversion rows in MetricFlow: 0 conversions.
    merged["signup_to_first_play_conversions"] = merged["signup_to_first_play_conversions"].fillna(0)
    assert_columns_equal(
        merged,
        {"signup_to_first_play_conversions": "funnel_users", "signup_to_first_play_rate": "funnel_rate"},
        ["entry_date"],
        "sign-up to first play",
    )
    # MetricFlow also reports the recent sign-up days whose window is not over (documented).
    assert set(frame["metric_time__day"]) >= set(funnel["entry_date"])


def test_slices_add_up(mf: MetricFlow) -> None:
    """Dimensions that partition people add up to the unsliced metric: DAU by the day's first
    platform, DAU and new users by plan and by first-seen cohort week."""
    totals = mf.query(["dau", "new_users"], ["metric_time__day"]).set_index("metric_time__day")
    for dimension, metrics in [
        ("user_day__platform", ["dau"]),
        ("user__latest_plan", ["dau", "new_users"]),
        ("user__first_seen_date__week", ["dau"]),
    ]:
        sliced = mf.query(metrics, ["metric_time__day", dimension])
        summed = sliced.groupby("metric_time__day")[metrics].sum()
        for metric in metrics:
            joined = totals[[metric]].merge(
                summed[[metric]], left_index=True, right_index=True, how="left", suffixes=("", "_summed")
            ).fillna(0)
            bad = joined[joined[metric] != joined[f"{metric}_summed"]]
            assert bad.empty, f"{metric} by {dimension} does not add up:\n{bad.head()}"
            ROWS_COMPARED[f"{metric} by {dimension}"] = len(joined)


def test_plan_at_the_time_and_latest_equal_hand_queries(mf: MetricFlow) -> None:
    """Revenue by `user__plan_at_the_time` (SCD type 2, `validity_params`) is a join of each event
    to the person's `dim_user_history` row valid at its instant; by `user__latest_plan`, to
    `dim_users`. Both split the same total."""
    at_the_time = mf.query(["revenue_usd"], ["user__plan_at_the_time"])
    hand_at_the_time = read_sql(
        mf.db_path,
        """
        select history.plan as user__plan_at_the_time, sum(events.revenue_usd) as hand
        from marts.fct_events as events
        left join marts.dim_user_history as history
            on events.user_key = history.user_key
            and events.event_at >= history.valid_from
            and (events.event_at < history.valid_to or history.valid_to is null)
        group by 1
        """,
    )
    latest = mf.query(["revenue_usd"], ["user__latest_plan"])
    hand_latest = read_sql(
        mf.db_path,
        """
        select users.latest_plan as user__latest_plan, sum(events.revenue_usd) as hand
        from marts.fct_events as events
        left join marts.dim_users as users on events.user_key = users.user_key
        group by 1
        """,
    )
    for frame, hand, key in [
        (at_the_time, hand_at_the_time, "user__plan_at_the_time"),
        (latest, hand_latest, "user__latest_plan"),
    ]:
        merged = frame.merge(hand, on=key, how="outer").fillna(0)
        assert_columns_equal(merged, {"revenue_usd": "hand"}, [key], f"revenue by {key}")
    assert at_the_time["revenue_usd"].sum() == pytest.approx(latest["revenue_usd"].sum())
    # On the sample people buy songs before they subscribe: the split differs.
    assert not at_the_time.set_index("user__plan_at_the_time")["revenue_usd"].equals(
        latest.set_index("user__latest_plan")["revenue_usd"]
    )


def test_zz_report_rows_compared() -> None:
    """Print the rows compared per metric (`pytest -s`)."""
    buffer = io.StringIO()
    for metric, rows in sorted(ROWS_COMPARED.items()):
        print(f"  {metric}: {rows} rows", file=buffer)
    print("\nMetricFlow vs public models, rows compared:\n" + buffer.getvalue())
