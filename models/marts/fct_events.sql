{#- Clean events, one row each, with their session and the attributes of the person who sent
    them. The fact table product teams slice; personal data was removed in staging.
    A view: the events are stored once, in int_events_sessionized, and a person's attributes
    (plan, paying status) are read as they are now, so a new plan never rewrites old events. -#}
{{ config(materialized='view') }}

with events as (
    select * from {{ ref('int_events_sessionized') }}
),

users as (
    select * from {{ ref('dim_users') }}
),

final as (
    select
        events.event_id,
        events.event_name,
        events.event_category,
        events.user_key,
        events.session_id,
        events.event_at,
        events.event_date,
        {{ reporting_local_time('events.event_at') }} as event_local_time,
        events.received_at,
        events.platform,
        events.app_version,
        events.country,
        events.is_active,
        events.is_revenue,
        events.revenue,
        events.currency,
        events.revenue_usd,
        events.properties,
        users.first_seen_date as user_first_seen_date,
        users.first_platform as user_first_platform,
        users.latest_plan as user_latest_plan,
        users.is_paying as user_is_paying,
        events.processed_at
    from events
    left join users
        on events.user_key = users.user_key
)

select * from final
