{{ config(materialized='view') }}

{#- The tracking plan's properties, one row per event and property key: the declared ones
    (required or optional, with their type) and the ones that only have allowed values. -#}
with tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

declared_properties as (
    -- Required and optional properties are declared alike: key -> type.
    {%- for plan_column, is_required in [('required_properties', true), ('optional_properties', false)] %}
    select
        tracking_plan.event_name,
        {{ normalize_name('property.key') }} as property_key,
        lower({{ json_entry_text('property') }}) as property_type,
        {{ is_required }} as is_required
    from tracking_plan
    {{ join_json_object_entries('tracking_plan.' ~ plan_column, 'property') }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

allowed_values as (
    select
        tracking_plan.event_name,
        {{ normalize_name('allowed.key') }} as property_key,
        {{ json_entry_text('allowed') }} as allowed_values_json,
        -- Null for a value that is not an array: the model's test names the event and key.
        case
            when {{ json_type_at(json_entry_text('allowed'), "'$'") }} = 'ARRAY'
                then {{ json_array_scalar_keys(json_entry_text('allowed')) }}
        end as allowed_value_keys
    from tracking_plan
    {{ join_json_object_entries('tracking_plan.allowed_values', 'allowed') }}
),

final as (
    select
        coalesce(declared_properties.event_name, allowed_values.event_name) as event_name,
        coalesce(declared_properties.property_key, allowed_values.property_key) as property_key,
        declared_properties.property_type,
        coalesce(declared_properties.is_required, false) as is_required,
        allowed_values.allowed_values_json,
        allowed_values.allowed_value_keys
    from declared_properties
    full outer join allowed_values
        on
            declared_properties.event_name = allowed_values.event_name
            and declared_properties.property_key = allowed_values.property_key
)

select * from final
