{{ config(materialized='table') }}

with validated as (
    select * from {{ ref('stg_events_validated') }}
),

event_properties as (
    select * from {{ ref('stg_event_properties') }}
),

tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

clean_events as (
    select * from validated
    where is_clean
),

device_first_users as (
    -- A device belongs to the user of its earliest clean event that carries a user_id.
    select
        device_id,
        user_id as device_user_id
    from clean_events
    where user_id is not null and device_id is not null
    qualify row_number() over (partition by device_id order by event_at, event_id) = 1
),

sanitized_properties as (
    select
        event_properties.raw_row_number,
        json_group_object(
            event_properties.property_key,
            case
                when event_properties.property_json_type in ('VARCHAR', 'OBJECT', 'ARRAY')
                    then cast({{ redact_personal_data('cast(event_properties.property_value as varchar)') }} as json)
                else event_properties.property_value
            end
        ) as properties
    from event_properties
    inner join clean_events
        on event_properties.raw_row_number = clean_events.raw_row_number
    where
        event_properties.property_key not in (
            {%- for property_key in var('personal_data_property_keys') %}
            '{{ property_key }}'{{ "," if not loop.last }}
            {%- endfor %}
        )
    group by event_properties.raw_row_number
),

final as (
    select
        clean_events.event_id,
        clean_events.event_name,
        coalesce(
            clean_events.user_id,
            device_first_users.device_user_id,
            'device:' || clean_events.device_id
        ) as user_key,
        clean_events.user_id,
        clean_events.device_id,
        clean_events.event_at,
        cast(clean_events.event_at as date) as event_date,
        clean_events.received_at,
        clean_events.platform,
        clean_events.app_version,
        clean_events.country,
        tracking_plan.category as event_category,
        tracking_plan.is_active,
        tracking_plan.is_revenue,
        clean_events.revenue,
        clean_events.currency,
        clean_events.revenue_usd,
        cast(coalesce(sanitized_properties.properties, '{}') as varchar) as properties,
        clean_events.raw_row_number
    from clean_events
    inner join tracking_plan
        on clean_events.event_name = tracking_plan.event_name
    left join device_first_users
        on clean_events.device_id = device_first_users.device_id
    left join sanitized_properties
        on clean_events.raw_row_number = sanitized_properties.raw_row_number
)

select * from final
