{#- One row per user and day with any clean event: how much they did and whether any of it was
    activity (an is_active event). Metrics count a user-day as active only when has_active_event. -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
),

user_days as (
    select
        user_key,
        event_date as activity_date,
        count(*) as events,
        count(case when is_active then 1 end) as active_events,
        count(case when is_revenue then 1 end) as revenue_events,
        coalesce({{ exact_sum("revenue_usd") }}, 0) as revenue_usd,
        count(case when is_session_start then 1 end) as sessions_started,
        {{ min_by('platform', 'event_at') }} as first_platform,
        {{ min_by('country', 'event_at') }} as first_country
    from events
    group by user_key, event_date
),

final as (
    select
        user_key,
        activity_date,
        cast({{ dbt.date_trunc('week', 'activity_date') }} as date) as week_start_date,
        events,
        active_events,
        active_events > 0 as has_active_event,
        revenue_events,
        revenue_events > 0 as has_revenue_event,
        revenue_usd,
        sessions_started,
        first_platform,
        first_country,
        {{ run_timestamp() }} as processed_at
    from user_days
)

select * from final
