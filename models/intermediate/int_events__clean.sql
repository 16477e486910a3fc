{{ config(materialized='view') }}

{#- Clean events with their resolved person and plan attributes. A view: the judgement is stored
    upstream (int_events__judged, int_devices__owners). -#}
with judged as (
    select * from {{ ref('int_events__judged') }}
),

device_owners as (
    select * from {{ ref('int_devices__owners') }}
),

tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

final as (
    select
        judged.event_id,
        judged.event_name,
        {{ user_key('judged.user_id', 'device_owners.device_user_id', 'judged.device_id') }} as user_key,
        judged.user_id,
        judged.device_id,
        judged.event_at,
        {{ reporting_date('judged.event_at') }} as event_date,
        judged.received_at,
        judged.platform,
        judged.app_version,
        judged.country,
        tracking_plan.category as event_category,
        tracking_plan.is_active,
        tracking_plan.is_revenue,
        judged.revenue,
        judged.currency,
        judged.revenue_usd,
        judged.properties,
        judged.source_file,
        judged.raw_row_number,
        judged.written_at
    from judged
    inner join tracking_plan
        on judged.event_name = tracking_plan.event_name
    left join device_owners
        on judged.device_id = device_owners.device_id
    where judged.is_clean
)

select * from final
