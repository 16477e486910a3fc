{#- Clean events with their resolved person. A view: the heavy work is stored upstream. -#}
with validated as (
    select * from {{ ref('stg_events_validated') }}
),

device_users as (
    select * from {{ ref('stg_device_users') }}
),

tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

final as (
    select
        validated.event_id,
        validated.event_name,
        coalesce(
            validated.user_id,
            device_users.device_user_id,
            'device:' || validated.device_id
        ) as user_key,
        validated.user_id,
        validated.device_id,
        validated.event_at,
        {{ reporting_date('validated.event_at') }} as event_date,
        validated.received_at,
        validated.platform,
        validated.app_version,
        validated.country,
        tracking_plan.category as event_category,
        tracking_plan.is_active,
        tracking_plan.is_revenue,
        validated.revenue,
        validated.currency,
        validated.revenue_usd,
        validated.properties,
        validated.source_file,
        validated.raw_row_number,
        validated.written_at
    from validated
    inner join tracking_plan
        on validated.event_name = tracking_plan.event_name
    left join device_users
        on validated.device_id = device_users.device_id
    where validated.is_clean
)

select * from final
