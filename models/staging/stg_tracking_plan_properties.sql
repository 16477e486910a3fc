with tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

required_properties as (
    select
        tracking_plan.event_name,
        {{ normalize_name('property.key') }} as property_key,
        lower(property.value ->> '$') as property_type
    from tracking_plan,
        json_each(tracking_plan.required_properties) as property
)

select * from required_properties
