{#- One row per person (user_key) with any clean event. first_seen_date is the day of the
    earliest *active* event over all history (passive events do not make a user "seen"). -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
),

users as (
    select
        user_key,
        min(event_at) filter (where is_active) as first_seen_at,
        {{ first_by('platform', ['event_at', 'event_id']) }} filter (where is_active) as first_platform,
        {{ first_by('country', ['event_at', 'event_id']) }} filter (where is_active) as first_country,
        {{ first_by('app_version', ['event_at', 'event_id']) }} filter (where is_active) as first_app_version,
        max(event_date) filter (where is_active) as last_active_date,
        min(event_date) filter (where is_revenue) as first_paid_date,
        coalesce({{ exact_sum("revenue_usd") }}, 0) as lifetime_revenue_usd,
        {{ first_by(plan_property('properties'), ['event_at', 'event_id'], descending=true) }}
        filter (where {{ plan_property('properties') }} is not null) as latest_plan,
        bool_or(user_id is not null) as is_identified,
        count(*) as events
    from events
    group by user_key
),

final as (
    select
        user_key,
        first_seen_at,
        {{ reporting_date('first_seen_at') }} as first_seen_date,
        cast({{ dbt.date_trunc('week', reporting_date('first_seen_at')) }} as date) as first_seen_week_start_date,
        first_platform,
        first_country,
        first_app_version,
        last_active_date,
        first_paid_date,
        first_paid_date is not null as is_paying,
        lifetime_revenue_usd,
        coalesce(latest_plan, '{{ var("default_plan") }}') as latest_plan,
        is_identified,
        events,
        {{ run_timestamp() }} as processed_at
    from users
)

select * from final
