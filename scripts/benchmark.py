"""Benchmark the metrics layer against two baselines, in one run, on generated Parquet data.

For each size (1M and 10M events by default, 100M with --huge) it measures:
- the full build (`dbt run` of every model on 60 days of daily Parquet files): wall time, events
  per second and peak RSS of the dbt process tree;
- an incremental run of one new day on top of those 60 days;
- (a) the lower bound: one hand-written DuckDB SQL script computing DAU/WAU/MAU, daily retention
  and sessions straight from the Parquet files, without dbt;
- (b) what an analyst would write otherwise: pandas code computing the same.
It prints the ratios and writes them to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
DBT = PYTHON.with_name("dbt")
HISTORY_DAYS = 60

# Runs a command and reports the peak RSS (KiB) of its largest descendant on stderr's last line.
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)

# The lower bound counts users with grouped aggregates, which DuckDB can spill, rather than
# count(distinct ...) over the 30-day window join, which it cannot (that ran out of memory at 100M
# under 8 GB); it gives the same figures and is also faster at 10M.
BASELINE_SQL = """
create temp table events as
with raw as (
    select * from read_parquet('{glob}')
),
parsed as (
    select
        insert_id,
        coalesce(user_id, 'device:' || device_id) as user_key,
        lower(regexp_replace(trim(event_name), '[ .-]+', '_', 'g')) as event_name,
        case
            when regexp_full_match(event_time, '-?[0-9]{{1,15}}') then epoch_ms(cast(event_time as bigint))
            else timezone('UTC', try_cast(event_time as timestamptz))
        end as event_at
    from raw
    where user_id is not null or device_id is not null
),
active as (
    select parsed.*
    from parsed
    inner join read_csv('{plan}', header = true) as plan
        on parsed.event_name = plan.event_name and plan.is_active
    where parsed.event_at is not null
    qualify insert_id is null or row_number() over (partition by insert_id order by event_at) = 1
)
select user_key, event_at, cast(event_at as date) as activity_date from active;

create temp table user_days as select distinct user_key, activity_date from events;
create temp table days as
    select cast(range as date) as activity_date
    from range((select min(activity_date) from user_days), (select max(activity_date) from user_days), interval 1 day);
create temp table user_day_windows as
    select
        days.activity_date,
        user_days.user_key,
        min(days.activity_date - user_days.activity_date) as days_since_active
    from days
    inner join user_days
        on user_days.activity_date between days.activity_date - 29 and days.activity_date
    group by days.activity_date, user_days.user_key;
create temp table active_users as
    select
        activity_date,
        count(*) filter (where days_since_active = 0) as dau,
        count(*) filter (where days_since_active < 7) as wau,
        count(*) as mau
    from user_day_windows
    group by activity_date;
create temp table first_seen as select user_key, min(activity_date) as cohort_date from user_days group by user_key;
create temp table retained as
    select
        first_seen.cohort_date,
        user_days.activity_date - first_seen.cohort_date as day_number,
        count(*) as retained_users
    from user_days
    inner join first_seen on user_days.user_key = first_seen.user_key
    where user_days.activity_date - first_seen.cohort_date in (0, 1, 2, 3, 7, 14, 30)
    group by all;
create temp table retention as
    select
        cohorts.cohort_date,
        day_numbers.day_number,
        coalesce(retained.retained_users, 0) as retained_users
    from (select distinct cohort_date from first_seen) as cohorts
    cross join (select unnest([0, 1, 2, 3, 7, 14, 30]) as day_number) as day_numbers
    left join retained
        on retained.cohort_date = cohorts.cohort_date and retained.day_number = day_numbers.day_number;
create temp table sessions as
    select
        cast(min(event_at) as date) as session_date,
        user_key,
        epoch(max(event_at)) - epoch(min(event_at)) as session_seconds
    from (
        select *, sum(is_start) over (partition by user_key order by event_at) as session_number
        from (
            select *,
                case when event_at - lag(event_at) over (partition by user_key order by event_at)
                    <= interval 30 minute then 0 else 1 end as is_start
            from events
        )
    )
    group by user_key, session_number;
select
    (select count(*) from active_users),
    (select count(*) from retention),
    (select count(*) from sessions);
"""

PANDAS_BASELINE = r"""
import sys, duckdb, pandas as pd
glob, plan_path = sys.argv[1], sys.argv[2]
raw = duckdb.sql(f"select insert_id, event_name, user_id, device_id, event_time from read_parquet('{glob}')").df()
raw = raw[raw.user_id.notna() | raw.device_id.notna()]
raw["user_key"] = raw.user_id.fillna("device:" + raw.device_id.fillna(""))
raw["event_name"] = raw.event_name.fillna("").str.strip().str.lower().str.replace(r"[ .-]+", "_", regex=True)
is_epoch = raw.event_time.fillna("").str.fullmatch(r"-?\d{1,15}")
event_at = pd.to_datetime(raw.event_time.where(~is_epoch), utc=True, errors="coerce", format="ISO8601")
event_at = event_at.fillna(pd.to_datetime(pd.to_numeric(raw.event_time.where(is_epoch), errors="coerce"), unit="ms", utc=True))
raw["event_at"] = event_at.dt.tz_localize(None)
plan = pd.read_csv(plan_path)
active_names = set(plan.loc[plan.is_active, "event_name"])
events = raw[raw.event_name.isin(active_names) & raw.event_at.notna()]
events = pd.concat([events[events.insert_id.isna()], events[events.insert_id.notna()].sort_values("event_at").drop_duplicates("insert_id")])
events["activity_date"] = events.event_at.dt.normalize()
user_days = events[["user_key", "activity_date"]].drop_duplicates()
days = pd.date_range(user_days.activity_date.min(), user_days.activity_date.max(), freq="D")
rows = []
by_day = user_days.groupby("activity_date").user_key.apply(set)
for day in days:
    window = [by_day.get(day - pd.Timedelta(days=offset), set()) for offset in range(30)]
    rows.append((day, len(window[0]), len(set().union(*window[:7])), len(set().union(*window))))
active_users = pd.DataFrame(rows, columns=["activity_date", "dau", "wau", "mau"])
first_seen = user_days.groupby("user_key").activity_date.min().rename("cohort_date")
joined = user_days.join(first_seen, on="user_key")
joined["day_number"] = (joined.activity_date - joined.cohort_date).dt.days
retention = joined[joined.day_number.isin([0, 1, 2, 3, 7, 14, 30])].groupby(["cohort_date", "day_number"]).user_key.nunique()
events = events.sort_values(["user_key", "event_at"])
gap = events.groupby("user_key").event_at.diff()
events["session_number"] = (gap.isna() | (gap > pd.Timedelta(minutes=30))).groupby(events.user_key).cumsum()
sessions = events.groupby(["user_key", "session_number"]).event_at.agg(["min", "max"])
print(len(active_users), len(retention), len(sessions))
"""


@dataclass
class Measure:
    seconds: float
    peak_rss_mb: float
    error: str = ""


def fail(message: str) -> None:
    print(f"benchmark: {message}", file=sys.stderr)
    sys.exit(1)


def measured(command: list[str], env: dict[str, str] | None = None, may_fail: bool = False) -> Measure:
    """Run a command and return its wall time and peak RSS. A failure stops the benchmark, unless
    may_fail: then the measure carries the command's last error line (a run that does not
    complete is a result worth recording, with how far it got)."""
    started = time.perf_counter()
    result = subprocess.run(
        [str(PYTHON), "-c", RSS_WRAPPER, *command],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak_kb = int(result.stderr.strip().splitlines()[-1].split()[-1])
    if result.returncode != 0:
        if not may_fail:
            fail(f"{' '.join(command[:3])} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        # dbt reports errors on stdout; a Python baseline's exception ends up on stderr.
        output = result.stdout.splitlines() + result.stderr.splitlines()
        errors = [line.strip() for line in output if "Error" in line]
        return Measure(seconds, peak_kb / 1024, errors[-1] if errors else f"exit code {result.returncode}")
    return Measure(seconds, peak_kb / 1024)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def generate(size: int, directory: Path) -> None:
    marker = directory / ".complete"
    if marker.exists():
        return
    shutil.rmtree(directory, ignore_errors=True)
    progress(f"generating {size:,} events over {HISTORY_DAYS + 1} days into {directory}")
    subprocess.run(
        [str(PYTHON), "scripts/generate_events.py", "--events", str(size), "--days", str(HISTORY_DAYS + 1),
         "--output", str(directory), "--format", "parquet", "--seed", "2026"],
        cwd=PROJECT_DIR,
        check=True,
    )
    marker.touch()


def dbt_env(db_path: Path, memory_limit: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "DBT_DUCKDB_PATH": str(db_path),
        "DBT_DUCKDB_MEMORY_LIMIT": memory_limit,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    })
    return env


def dbt_command(args: list[str], work_dir: Path, raw_glob: Path) -> list[str]:
    return [str(DBT), *args, "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
            "--vars", json.dumps({"raw_events_path": str(raw_glob)})]


def count_rows(raw_glob: Path) -> int:
    import duckdb

    with duckdb.connect() as connection:
        row = connection.execute(f"select count(*) from read_parquet('{raw_glob}')").fetchone()
    return int(row[0]) if row else 0


Result = dict[str, float | str]


def run_size(size: int, work_root: Path, memory_limit: str, with_pandas: bool) -> Result:
    all_days = work_root / f"events_{size}"
    generate(size, all_days)
    files = sorted(all_days.glob("events_*.parquet"))
    if len(files) < HISTORY_DAYS + 1:
        fail(f"{all_days} holds {len(files)} daily files, expected {HISTORY_DAYS + 1}")
    run_dir = work_root / f"run_{size}"
    shutil.rmtree(run_dir, ignore_errors=True)
    landing = run_dir / "landing"
    landing.mkdir(parents=True)
    for file in files[:HISTORY_DAYS]:
        (landing / file.name).symlink_to(file)
    raw_glob = landing / "*.parquet"
    history_rows = count_rows(raw_glob)
    env = dbt_env(run_dir / "warehouse.duckdb", memory_limit)
    result: Result = {"raw_rows": float(history_rows)}

    progress(f"{size:,}: dbt seed")
    measured(dbt_command(["seed"], run_dir, raw_glob), env)
    progress(f"{size:,}: full build (dbt run) on {HISTORY_DAYS} days, {history_rows:,} raw rows")
    full = measured(dbt_command(["run"], run_dir, raw_glob), env, may_fail=True)
    result.update(full_seconds=full.seconds, full_peak_rss_mb=full.peak_rss_mb,
                  events_per_second=history_rows / full.seconds)
    if full.error:
        progress(f"{size:,}: full build did not complete: {full.error}")
        result["full_error"] = full.error
    else:
        for file in files[HISTORY_DAYS:]:
            (landing / file.name).symlink_to(file)
        new_rows = count_rows(raw_glob) - history_rows
        progress(f"{size:,}: incremental run of one new day ({new_rows:,} raw rows)")
        incremental = measured(dbt_command(["run"], run_dir, raw_glob), env, may_fail=True)
        result.update(incremental_rows=float(new_rows), incremental_seconds=incremental.seconds,
                      incremental_peak_rss_mb=incremental.peak_rss_mb)
        if incremental.error:
            # The full build's figures and the baselines are still worth recording.
            progress(f"{size:,}: incremental run did not complete: {incremental.error}")
            result["incremental_error"] = incremental.error
    # The warehouse and its spill files are not needed by the baselines; free the disk first (at
    # 100M events they hold tens of GB, and the baselines spill to the same disk).
    shutil.rmtree(run_dir / "warehouse.duckdb.tmp", ignore_errors=True)
    for leftover in (run_dir / "warehouse.duckdb", run_dir / "warehouse.duckdb.wal"):
        leftover.unlink(missing_ok=True)

    history_glob = run_dir / "history" / "*.parquet"
    history_glob.parent.mkdir()
    for file in files[:HISTORY_DAYS]:
        (history_glob.parent / file.name).symlink_to(file)
    sql = BASELINE_SQL.format(glob=history_glob, plan=PROJECT_DIR / "seeds" / "tracking_plan.csv")
    progress(f"{size:,}: hand-written DuckDB SQL baseline")
    duckdb_script = f"import duckdb, sys\nc = duckdb.connect()\nc.execute(\"set memory_limit='{memory_limit}'\")\nprint(c.execute(sys.argv[1]).fetchall())"
    lower_bound = measured([str(PYTHON), "-c", duckdb_script, sql], may_fail=True)
    result.update(duckdb_sql_seconds=lower_bound.seconds, duckdb_sql_peak_rss_mb=lower_bound.peak_rss_mb)
    if lower_bound.error:
        progress(f"{size:,}: DuckDB SQL baseline did not complete: {lower_bound.error}")
        result["duckdb_sql_error"] = lower_bound.error
    if with_pandas:
        progress(f"{size:,}: pandas baseline")
        pandas_run = measured([str(PYTHON), "-c", PANDAS_BASELINE, str(history_glob),
                               str(PROJECT_DIR / "seeds" / "tracking_plan.csv")])
        result.update(pandas_seconds=pandas_run.seconds, pandas_peak_rss_mb=pandas_run.peak_rss_mb)
    return result


def number(result: Result, key: str) -> float | None:
    value = result.get(key)
    return float(value) if isinstance(value, (int, float)) else None


def report_row(r: Result) -> str:
    full_s = number(r, "full_seconds") or 0.0
    cells = [f"{int(number(r, 'raw_rows') or 0):,}"]
    if "full_error" in r:
        cells += [f"did not complete after {full_s:.0f} s", "-", f"{number(r, 'full_peak_rss_mb') or 0:,.0f}", "-", "-"]
    else:
        incremental_s = number(r, "incremental_seconds") or 0.0
        cells += [f"{full_s:.1f}", f"{number(r, 'events_per_second') or 0:,.0f}",
                  f"{number(r, 'full_peak_rss_mb') or 0:,.0f}"]
        if "incremental_error" in r:
            cells += [f"did not complete after {incremental_s:.0f} s", "-"]
        else:
            cells += [f"{incremental_s:.1f}", f"{incremental_s / full_s:.1%}"]
    duckdb_s = number(r, "duckdb_sql_seconds") or 0.0
    if "duckdb_sql_error" in r:
        cells += [f"did not complete after {duckdb_s:.0f} s", "-"]
    else:
        cells += [f"{duckdb_s:.1f}", "-" if "full_error" in r else f"{full_s / duckdb_s:.1f}x"]
    pandas_s = number(r, "pandas_seconds")
    cells += [f"{pandas_s:.1f}", "-" if "full_error" in r else f"{pandas_s / full_s:.2f}x"] if pandas_s else ["-", "-"]
    return "| " + " | ".join(cells) + " |"


def report(results: dict[int, Result], memory_limit: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `scripts/benchmark.py` on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}, DuckDB memory limit {memory_limit}.",
        "Full build = `dbt run` of every model on 60 days of daily Parquet files (seeds loaded before);",
        "incremental = `dbt run` after the next day's file (and the late-arrivals file) lands. Baselines",
        "compute DAU/WAU/MAU, daily retention and sessions from the same 60 files, without validation,",
        "quarantine or identity merge. `pandas / full` above 1 means the dbt build is that many times faster.",
        "",
        "| events | full build s | events/s | peak RSS MB | incremental s (1 day) | incremental / full | DuckDB SQL s | full / DuckDB SQL | pandas s | pandas / full |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [report_row(r) for r in results.values()]
    for size, r in results.items():
        for key, what in (("full_error", "the full build"), ("incremental_error", "the incremental run"),
                          ("duckdb_sql_error", "the DuckDB SQL baseline")):
            if key in r:
                lines += ["", f"{size:,} events: {what} failed with `{r[key]}`."]
    lines += ["", "Targets: full build at 10M within 3x the DuckDB SQL lower bound; incremental <= 10% of",
              "the full build; 100M completes with peak RSS under 10 GB (8 GB DuckDB limit); 10x faster than",
              "pandas at 10M.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated event counts")
    parser.add_argument("--huge", action="store_true", help="also run 100,000,000 events")
    parser.add_argument("--work-dir", type=Path, default=PROJECT_DIR / "data" / "benchmark")
    parser.add_argument("--memory-limit", default="8GB", help="DuckDB memory limit for every engine run")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    parser.add_argument("--output", type=Path, default=PROJECT_DIR / "docs" / "benchmarks.md")
    args = parser.parse_args()
    try:
        sizes = [int(value) for value in args.sizes.split(",") if value.strip()]
    except ValueError:
        fail(f"--sizes must be comma-separated integers, got {args.sizes!r}")
    if args.huge:
        sizes.append(100_000_000)
    if not DBT.exists():
        fail(f"{DBT} not found: run `make build` first")
    args.work_dir.mkdir(parents=True, exist_ok=True)
    results: dict[int, Result] = {}
    for size in sizes:
        results[size] = run_size(size, args.work_dir, args.memory_limit, not args.no_pandas)
        text = report(results, args.memory_limit)
        print(text)
        args.output.write_text(text)
    progress(f"wrote {args.output}")


if __name__ == "__main__":
    main()
