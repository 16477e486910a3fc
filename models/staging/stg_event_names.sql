{%- do seed_columns(ref('event_aliases'), 'event_aliases', required=['alias_name', 'event_name']) -%}

with tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

event_aliases as (
    select * from {{ ref('event_aliases') }}
),

planned_names as (
    select
        event_name as normalized_name,
        event_name
    from tracking_plan
),

alias_names as (
    select
        {{ normalize_name('event_aliases.alias_name') }} as normalized_name,
        {{ normalize_name('event_aliases.event_name') }} as event_name
    from event_aliases
    -- A planned name always means itself, even if someone also lists it as an alias.
    where
        {{ normalize_name('event_aliases.alias_name') }} not in (select planned_names.normalized_name from planned_names
        )
),

name_map as (
    select * from planned_names
    union all
    select * from alias_names
)

select * from name_map
