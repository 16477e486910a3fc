{#- What each person did next: for every active event, the same person's next active event in
    the same session (clean events ordered by time, then event id), or `(session end)` when there
    is none. One row per person, ISO week of the first event, event and next event, with the
    count. A function of one person's events, rebuilt per person. -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
),

active_events as (
    select
        user_key,
        session_id,
        event_id,
        event_name,
        event_at,
        event_date
    from events
    where is_active
),

with_next as (
    select
        user_key,
        event_name,
        event_date,
        lead(event_name) over (
            partition by user_key, session_id
            order by event_at, event_id
        ) as next_event_name
    from active_events
),

final as (
    select
        user_key,
        cast({{ dbt.date_trunc('week', 'event_date') }} as date) as week_start_date,
        event_name,
        coalesce(next_event_name, '{{ var("session_end_label") }}') as next_event_name,
        count(*) as transitions,
        {{ run_timestamp() }} as processed_at
    from with_next
    group by
        user_key,
        cast({{ dbt.date_trunc('week', 'event_date') }} as date),
        event_name,
        coalesce(next_event_name, '{{ var("session_end_label") }}')
)

select * from final
