"""The two baselines the build is measured against, as code run in a child process: the lower
bound (one hand-written DuckDB SQL script) and what an analyst would write otherwise (pandas);
and the wrapper that reports a command's peak RSS."""

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
