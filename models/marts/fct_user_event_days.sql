{#- Clean events per person, day and event name: the per-person input of the event volume
    metric, so a daily run recounts only the people whose events changed. -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
),

final as (
    select
        user_key,
        event_date as activity_date,
        event_name,
        count(*) as events,
        {{ run_timestamp() }} as processed_at
    from events
    group by user_key, event_date, event_name
)

select * from final
