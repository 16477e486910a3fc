{{ config(materialized='view') }}

{#- The naming convention's lookup: a normalized raw name to its canonical event, with the plan
    attributes that judging a raw row needs (owner team, revenue flag). -#}
with tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

event_aliases as (
    select * from {{ ref('stg_event_aliases') }}
),

planned_names as (
    select
        event_name as normalized_name,
        event_name
    from tracking_plan
),

alias_names as (
    select
        alias_name as normalized_name,
        event_name
    from event_aliases
    -- A planned name always means itself, even if someone also lists it as an alias.
    where alias_name not in (select planned_names.normalized_name from planned_names)
),

name_map as (
    select * from planned_names
    union all
    select * from alias_names
),

final as (
    select
        name_map.normalized_name,
        name_map.event_name,
        tracking_plan.owner_team,
        tracking_plan.is_revenue
    from name_map
    -- A left join: an alias of an unplanned name stays visible to the in_tracking_plan test.
    left join tracking_plan
        on name_map.event_name = tracking_plan.event_name
)

select * from final
