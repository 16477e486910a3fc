{#- Clean events with their session. A session is a run of one user's clean events with no gap
    longer than the session gap (var session_gap_minutes); it starts at its first event. -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with events as (
    {{ rows_of_affected_users(ref('int_events__clean'), ref('int_affected_users')) }}
),

with_gaps as (
    select
        *,
        lag(event_at) over (partition by user_key order by event_at, event_id) as previous_event_at,
        -- The place in the person's history (time, then event id), read by the strict funnels'
        -- "very next event": numbered here, where the same order is sorted anyway.
        row_number() over (partition by user_key order by event_at, event_id) as event_number
    from events
),

flagged as (
    select
        *,
        coalesce(
            {{ seconds_between('previous_event_at', 'event_at') }} > {{ var('session_gap_minutes') }} * 60,
            true
        ) as is_session_start
    from with_gaps
),

numbered as (
    select
        *,
        sum(case when is_session_start then 1 else 0 end) over (
            partition by user_key order by event_at, event_id
            rows between unbounded preceding and current row
        ) as session_number
    from flagged
),

final as (
    select
        event_id,
        user_key,
        md5(user_key || '|' || cast(session_number as string)) as session_id,
        session_number,
        is_session_start,
        event_number,
        event_name,
        event_at,
        event_date,
        received_at,
        user_id,
        device_id,
        platform,
        app_version,
        country,
        event_category,
        is_active,
        is_revenue,
        revenue,
        currency,
        revenue_usd,
        properties,
        {{ run_timestamp() }} as processed_at
    from numbered
)

select * from final
