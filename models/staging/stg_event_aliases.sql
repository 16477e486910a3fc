{%- do seed_columns(ref('event_aliases'), 'event_aliases', required=['alias_name', 'event_name']) -%}

with event_aliases as (
    select * from {{ ref('event_aliases') }}
),

normalized as (
    select
        {{ normalize_name('alias_name') }} as alias_name,
        {{ normalize_name('event_name') }} as event_name
    from event_aliases
)

select * from normalized
