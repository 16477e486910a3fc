{#- One row per session: when it started and ended, on which day (the day it starts) and
    how long it lasted (last minus first event time). -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
),

sessions as (
    select
        session_id,
        user_key,
        session_number,
        min(event_at) as session_start_at,
        max(event_at) as session_end_at,
        count(*) as events,
        count(case when is_active then 1 end) as active_events,
        {{ min_by('platform', 'event_at') }} as platform,
        {{ min_by('country', 'event_at') }} as country
    from events
    group by session_id, user_key, session_number
),

final as (
    select
        session_id,
        user_key,
        session_number,
        session_start_at,
        session_end_at,
        {{ reporting_date('session_start_at') }} as session_date,
        {{ seconds_between('session_start_at', 'session_end_at') }} as session_seconds,
        events,
        active_events,
        platform,
        country,
        {{ run_timestamp() }} as processed_at
    from sessions
)

select * from final
