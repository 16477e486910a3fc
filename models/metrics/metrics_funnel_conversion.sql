-- depends_on: {{ ref('tracking_plan') }}
{{- assert_valid_funnel_steps() }}
{%- set max_step_number = funnel_max_step_number() %}

with calendar as (
    select * from {{ ref('int_reporting_calendar') }}
),

events as (
    select * from {{ ref('int_events_sessionized') }}
),

funnel_steps as (
    select
        funnel_name,
        step_number,
        {{ normalize_name('event_name') }} as event_name,
        conversion_window_days
    from {{ ref('funnel_steps') }}
),

data_end as (
    select max(calendar_date) as data_end_date
    from calendar
),

step_events as (
    select
        funnel_steps.funnel_name,
        funnel_steps.step_number,
        funnel_steps.conversion_window_days,
        events.user_key,
        events.event_at
    from funnel_steps
    inner join events
        on funnel_steps.event_name = events.event_name
),

reached_step_1 as (
    -- A user enters a funnel once, at their first-ever step-1 event.
    select
        funnel_name,
        user_key,
        min(conversion_window_days) as conversion_window_days,
        min(event_at) as entry_at,
        min(event_at) as reached_at
    from step_events
    where step_number = 1
    group by funnel_name, user_key
),

{% for step_number in range(2, max_step_number + 1) -%}
reached_step_{{ step_number }} as (
    -- Earliest step event at or after the previous step and within the window from entry.
    select
        previous_step.funnel_name,
        previous_step.user_key,
        previous_step.conversion_window_days,
        previous_step.entry_at,
        min(step_events.event_at) as reached_at
    from reached_step_{{ step_number - 1 }} as previous_step
    inner join step_events
        on
            previous_step.funnel_name = step_events.funnel_name
            and previous_step.user_key = step_events.user_key
            and step_events.step_number = {{ step_number }}
            and previous_step.reached_at <= step_events.event_at
            and step_events.event_at
            <= {{ dbt.dateadd('day', 'previous_step.conversion_window_days', 'previous_step.entry_at') }}
    group by
        previous_step.funnel_name,
        previous_step.user_key,
        previous_step.conversion_window_days,
        previous_step.entry_at
),

{% endfor -%}
reached_steps as (
    {% for step_number in range(1, max_step_number + 1) -%}
    select
        funnel_name,
        user_key,
        {{ step_number }} as step_number,
        conversion_window_days,
        entry_at,
        reached_at
    from reached_step_{{ step_number }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

reported_reached_steps as (
    -- Only entries whose whole conversion window ends on or before data end.
    select
        reached_steps.*,
        cast(reached_steps.entry_at as date) as entry_date
    from reached_steps
    cross join data_end
    where
        cast({{ dbt.dateadd('day', 'reached_steps.conversion_window_days', 'reached_steps.entry_at') }} as date)
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
