{%- set plan = seed_columns(
    ref('tracking_plan'), 'tracking_plan',
    required=['event_name', 'description', 'owner_team', 'category', 'status', 'is_active', 'is_revenue',
              'required_properties'],
    optional={
        'is_shipped': 'cast(null as boolean)',
        'optional_properties': 'cast(null as ' ~ dbt.type_string() ~ ')',
        'allowed_values': 'cast(null as ' ~ dbt.type_string() ~ ')',
    },
) -%}

with tracking_plan as (
    select * from {{ ref('tracking_plan') }}
),

typed as (
    select
        {{ normalize_name(plan.event_name) }} as event_name,
        {{ plan.description }} as description,
        {{ plan.owner_team }} as owner_team,
        {{ plan.category }} as category,
        lower(trim({{ plan.status }})) as status,
        coalesce({{ plan.is_active }}, false) as is_active,
        coalesce({{ plan.is_revenue }}, false) as is_revenue,
        -- An event is shipped unless the plan says otherwise (the column is optional).
        coalesce({{ plan.is_shipped }}, true) as is_shipped,
        coalesce(nullif(trim({{ plan.required_properties }}), ''), '{}') as required_properties,
        -- Tracking plan v2 columns are optional: without them, nothing is optional or restricted.
        coalesce(nullif(trim({{ plan.optional_properties }}), ''), '{}') as optional_properties,
        coalesce(nullif(trim({{ plan.allowed_values }}), ''), '{}') as allowed_values
    from tracking_plan
)

select * from typed
