{#- When each cohort member came back: one row per retention definition, person, cohort and
    period number with a return event at or after the person's start instant. Calendar windows
    number the calendar periods between the start event's period and the return event's; rolling
    24-hour windows number whole 24-hour spans from the start instant. A function of one person's
    events, rebuilt per person; the public metric adds data end and the brackets. -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
),

cohorts as (
    {{ rows_of_affected_users(ref('fct_retention_cohorts'), ref('int_affected_users')) }}
),

definitions as (
    select * from {{ ref('dim_retention_definitions') }}
),

return_events as (
    select
        cohorts.retention_name,
        cohorts.user_key,
        cohorts.cohort_start_date,
        events.event_date as return_date,
        case
            when definitions.window_type = 'rolling_24h'
                then cast(floor({{ seconds_between('cohorts.cohort_start_at', 'events.event_at') }} / 86400) as integer)
            else {{ periods_between(
                'definitions.period',
                'cohorts.cohort_start_date',
                period_start_date('definitions.period', 'events.event_date'),
            ) }}
        end as period_number
    from cohorts
    inner join definitions
        on cohorts.retention_name = definitions.retention_name
    inner join events
        on
            cohorts.user_key = events.user_key
            and cohorts.cohort_start_at <= events.event_at
            and (
                (definitions.return_event = 'any_active' and events.is_active)
                or definitions.return_event = events.event_name
            )
),

final as (
    select
        retention_name,
        user_key,
        cohort_start_date,
        period_number,
        min(return_date) as first_return_date,
        {{ run_timestamp() }} as processed_at
    from return_events
    group by retention_name, user_key, cohort_start_date, period_number
)

select * from final
