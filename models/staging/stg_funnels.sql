{#- The `funnels` seed, staged: one row per declared funnel, every cell trimmed (empty = null)
    and kept as text where it can be wrong, so that the data test valid_funnel_settings can name
    the value; the window and `hold_constant` are parsed beside it. Defaults are filled in by
    dim_funnels. -#}
{%- set settings = seed_columns(
    ref('funnels'), 'funnels',
    required=['funnel_name', 'description', 'owner_team', 'order_mode', 'entry_rule', 'conversion_window_hours',
              'hold_constant'],
) %}

with funnels as (
    select * from {{ ref('funnels') }}
),

trimmed as (
    select
        {{ settings.funnel_name }} as funnel_name,
        {{ clean_text(settings.description) }} as description,
        {{ clean_text(settings.owner_team) }} as owner_team,
        {{ clean_text(settings.order_mode) }} as declared_order_mode,
        {{ clean_text(settings.entry_rule) }} as declared_entry_rule,
        {{ clean_text(settings.conversion_window_hours) }} as declared_conversion_window_hours,
        {{ clean_text(settings.hold_constant) }} as declared_hold_constant
    from funnels
),

final as (
    select
        funnel_name,
        description,
        owner_team,
        declared_order_mode,
        declared_entry_rule,
        declared_conversion_window_hours,
        {{ funnel_whole_hours('declared_conversion_window_hours') }} as conversion_window_hours,
        declared_hold_constant,
        case
            when declared_hold_constant in ('session', 'platform', 'device_id') then declared_hold_constant
            when declared_hold_constant like 'property:%' then 'property'
        end as hold_kind,
        case
            when declared_hold_constant like 'property:%'
                then {{ normalize_name("substr(declared_hold_constant, 10)") }}
        end as hold_property_key
    from trimmed
)

select * from final
