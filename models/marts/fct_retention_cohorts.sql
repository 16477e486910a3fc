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

start_events as (
    -- `first_seen` starts at the person's first active event; otherwise at the named event.
    select
        definitions.retention_name,
        definitions.cohort_type,
        events.user_key,
        events.event_id,
        events.event_at,
        {{ period_start_date('definitions.period', 'events.event_date') }} as period_start_date
    from definitions
    inner join events
        on
            (definitions.start_event = 'first_seen' and events.is_active)
            or definitions.start_event = events.event_name
),

ranked as (
    select
        *,
        row_number() over (
            partition by
                retention_name,
                user_key,
                case when cohort_type = 'recurring' then period_start_date end
            order by event_at, event_id
        ) as start_rank
    from start_events
),

final as (
    select
        retention_name,
        user_key,
        period_start_date as cohort_start_date,
        event_at as cohort_start_at,
        {{ run_timestamp() }} as processed_at
    from ranked
    where start_rank = 1
)

select * from final
