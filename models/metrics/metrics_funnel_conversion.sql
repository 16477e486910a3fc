with calendar as (
    select * from {{ ref('int_reporting_calendar') }}
),

funnel_progress as (
    select * from {{ ref('int_funnel_progress') }}
),

funnel_steps as (
    select * from {{ ref('int_funnel_steps') }}
),

data_end as (
    select max(calendar_date) as data_end_date
    from calendar
),

reported_reached_steps as (
    -- Only entries whose whole conversion window ends on or before data end.
    select
        funnel_progress.*,
        cast(funnel_progress.entry_at as date) as entry_date
    from funnel_progress
    cross join data_end
    where
        cast({{ dbt.dateadd('day', 'funnel_progress.conversion_window_days', 'funnel_progress.entry_at') }} as date)
        <= data_end.data_end_date
),

entry_dates as (
    select distinct
        funnel_name,
        entry_date
    from reported_reached_steps
    where step_number = 1
),

step_users as (
    select
        funnel_name,
        entry_date,
        step_number,
        count(*) as users,
        median({{ seconds_between('entry_at', 'reached_at') }}) as median_seconds_from_start
    from reported_reached_steps
    group by funnel_name, entry_date, step_number
),

step_grid as (
    select
        entry_dates.funnel_name,
        entry_dates.entry_date,
        funnel_steps.step_number,
        funnel_steps.event_name as step_event_name,
        coalesce(step_users.users, 0) as users,
        step_users.median_seconds_from_start
    from entry_dates
    inner join funnel_steps
        on entry_dates.funnel_name = funnel_steps.funnel_name
    left join step_users
        on
            entry_dates.funnel_name = step_users.funnel_name
            and entry_dates.entry_date = step_users.entry_date
            and funnel_steps.step_number = step_users.step_number
),

final as (
    select
        funnel_name,
        entry_date,
        cast(step_number as integer) as step_number,
        step_event_name,
        cast(users as bigint) as users,
        {{ safe_divide(
            'users',
            'first_value(users) over (partition by funnel_name, entry_date order by step_number)'
        ) }} as conversion_from_start,
        {{ safe_divide(
            'users',
            'coalesce(lag(users) over (partition by funnel_name, entry_date order by step_number), users)'
        ) }} as conversion_from_previous,
        cast(median_seconds_from_start as double) as median_seconds_from_start
    from step_grid
)

select * from final
