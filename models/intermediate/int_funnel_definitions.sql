{#- One row per funnel of the `funnel_steps` seed with its settings from the `funnels` seed,
    defaults filled in: an empty cell, or a funnel without a `funnels` row, means the default
    (ordered, first_ever, the v1 window of conversion_window_days x 24 hours, nothing held
    constant). Declared values are kept as text so the funnel data tests (valid_funnel_settings)
    can name a wrong one. -#}
{%- set settings = seed_columns(
    ref('funnels'), 'funnels',
    required=['funnel_name', 'description', 'owner_team', 'order_mode', 'entry_rule', 'conversion_window_hours',
              'hold_constant'],
) %}

with funnel_steps as (
    select * from {{ ref('int_funnel_steps') }}
),

funnels as (
    select
        {{ settings.funnel_name }} as funnel_name,
        {{ settings.description }} as description,
        {{ settings.owner_team }} as owner_team,
        {{ settings.order_mode }} as order_mode,
        {{ settings.entry_rule }} as entry_rule,
        {{ settings.conversion_window_hours }} as conversion_window_hours,
        {{ settings.hold_constant }} as hold_constant
    from {{ ref('funnels') }}
),

step_summary as (
    select
        funnel_name,
        count(case when step_type = 'step' then 1 end) as step_count,
        min(case when step_type = 'step' then conversion_window_days end) as conversion_window_days,
        count(distinct case when step_type = 'step' then conversion_window_days end) as distinct_window_days,
        count(case when step_type = 'exclude' then 1 end) as exclusion_count,
        count(max_hours_from_previous) as per_step_window_count
    from funnel_steps
    group by funnel_name
),

declared as (
    select
        step_summary.funnel_name,
        step_summary.step_count,
        step_summary.conversion_window_days,
        step_summary.distinct_window_days,
        step_summary.exclusion_count,
        step_summary.per_step_window_count,
        funnels.funnel_name is not null as has_settings_row,
        {{ clean_text('funnels.description') }} as description,
        {{ clean_text('funnels.owner_team') }} as owner_team,
        {{ clean_text('funnels.order_mode') }} as declared_order_mode,
        {{ clean_text('funnels.entry_rule') }} as declared_entry_rule,
        {{ clean_text('funnels.conversion_window_hours') }} as declared_conversion_window_hours,
        {{ clean_text('funnels.hold_constant') }} as declared_hold_constant
    from step_summary
    left join funnels
        on step_summary.funnel_name = funnels.funnel_name
),

resolved as (
    select
        *,
        coalesce(declared_order_mode, 'ordered') as order_mode,
        coalesce(declared_entry_rule, 'first_ever') as entry_rule,
        coalesce(
            {{ funnel_whole_hours('declared_conversion_window_hours') }},
            conversion_window_days * 24
        ) as window_hours,
        case
            when declared_hold_constant in ('session', 'platform', 'device_id') then declared_hold_constant
            when declared_hold_constant like 'property:%' then 'property'
        end as hold_kind,
        case
            when declared_hold_constant like 'property:%'
                then {{ normalize_name("substr(declared_hold_constant, 10)") }}
        end as hold_property_key
    from declared
),

final as (
    select
        funnel_name,
        description,
        owner_team,
        step_count,
        has_settings_row,
        declared_order_mode,
        order_mode,
        declared_entry_rule,
        entry_rule,
        declared_conversion_window_hours,
        conversion_window_days,
        distinct_window_days,
        window_hours,
        declared_hold_constant,
        hold_kind,
        hold_property_key,
        exclusion_count,
        per_step_window_count,
        coalesce(
            order_mode = 'ordered'
            and entry_rule = 'first_ever'
            and declared_hold_constant is null
            and exclusion_count = 0
            and per_step_window_count = 0
            and window_hours = conversion_window_days * 24,
            false
        ) as has_default_settings
    from resolved
)

select * from final
