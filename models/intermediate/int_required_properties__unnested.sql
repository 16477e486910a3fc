{{ config(materialized='view') }}

with tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

required_properties as (
    select
        tracking_plan.event_name,
        {{ normalize_name('property.key') }} as property_key,
        lower({{ json_entry_text('property') }}) as property_type
    from tracking_plan
    {{ join_json_object_entries('tracking_plan.required_properties', 'property') }}
)

select * from required_properties
