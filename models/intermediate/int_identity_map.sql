{#- One row per device seen in clean events: the person it resolves to. A device with a
    signed-in event belongs to the user of its earliest such event; a device never signed in
    stays its own anonymous person (`device:<device_id>`). -#}
{{ config(materialized='view') }}

with events as (
    select * from {{ ref('stg_events') }}
),

devices as (
    select
        device_id,
        -- Same rule as stg_events: the user of the earliest signed-in event (ties: smaller event_id).
        {{ first_by('user_id', ['event_at', 'event_id']) }} filter (where user_id is not null) as resolved_user_key,
        min(event_at) as first_seen_at,
        min(event_at) filter (where user_id is not null) as first_identified_at,
        count(distinct user_id) as distinct_user_ids,
        count(*) filter (where user_id is null) as anonymous_events
    from events
    where device_id is not null
    group by device_id
),

final as (
    select
        device_id,
        coalesce(resolved_user_key, 'device:' || device_id) as user_key,
        first_identified_at is not null as is_identified,
        first_seen_at,
        first_identified_at,
        distinct_user_ids,
        anonymous_events
    from devices
)

select * from final
