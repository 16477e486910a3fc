with tracking_plan as (
    select * from {{ ref('tracking_plan') }}
),

typed as (
    select
        {{ normalize_name('event_name') }} as event_name,
        description,
        owner_team,
        category,
        lower(trim(status)) as status,
        coalesce(is_active, false) as is_active,
        coalesce(is_revenue, false) as is_revenue,
        coalesce(is_shipped, true) as is_shipped,
        coalesce(nullif(trim(required_properties), ''), '{}') as required_properties
    from tracking_plan
)

select * from typed
