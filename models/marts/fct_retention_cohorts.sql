{#- Who is in which retention cohort: one row per retention definition, person and cohort. A
    first-time definition puts a person in one cohort, at their first start event ever; a recurring
    one puts them in the cohort of every period in which they had a start event, starting at their
    first start event of that period. A function of one person's events, rebuilt per person. -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
),

definitions as (
    select * from {{ ref('dim_retention_definitions') }}
),

start_event_days as (
    -- A cohort starts at a person's first start event of a day, so the definitions meet one row
    -- per person, day and start event instead of every event. `first_seen` starts at the first
    -- active event; any other start event is an event name.
    select
        user_key,
        event_date,
        event_name as start_event,
        min(event_at) as first_at
    from events
    where event_name in (select definitions.start_event from definitions)
    group by user_key, event_date, event_name
    union all
    select
        user_key,
        event_date,
        'first_seen' as start_event,
        min(event_at) as first_at
    from events
    where is_active
    group by user_key, event_date
),

start_days as (
    select
        definitions.retention_name,
        definitions.cohort_type,
        start_event_days.user_key,
        start_event_days.first_at,
        {{ period_start_date('definitions.period', 'start_event_days.event_date') }} as period_start_date
    from definitions
    inner join start_event_days
        on definitions.start_event = start_event_days.start_event
),

final as (
    -- Period starts rise with time, so the earliest period is the earliest start's period.
    select
        retention_name,
        user_key,
        min(period_start_date) as cohort_start_date,
        min(first_at) as cohort_start_at,
        {{ run_timestamp() }} as processed_at
    from start_days
    group by
        retention_name,
        user_key,
        case when cohort_type = 'recurring' then period_start_date end
)

select * from final
