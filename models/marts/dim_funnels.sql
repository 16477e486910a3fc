{#- One row per funnel of the `funnel_steps` seed with its settings from the `funnels` seed,
    defaults filled in: an empty cell, or a funnel without a `funnels` row, means the default
    (ordered, first_ever, the v1 window of conversion_window_days x 24 hours, nothing held
    constant). The funnel data tests check both staged seeds (stg_funnels, stg_funnel_steps)
    before this model is built. -#}
with funnel_steps as (
    select * from {{ ref('stg_funnel_steps') }}
),

funnels as (
    select * from {{ ref('stg_funnels') }}
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
        funnels.description,
        funnels.owner_team,
        funnels.declared_order_mode,
        funnels.declared_entry_rule,
        funnels.declared_conversion_window_hours,
        funnels.conversion_window_hours,
        funnels.declared_hold_constant,
        funnels.hold_kind,
        funnels.hold_property_key
    from step_summary
    left join funnels
        on step_summary.funnel_name = funnels.funnel_name
),

resolved as (
    select
        *,
        coalesce(declared_order_mode, 'ordered') as order_mode,
        coalesce(declared_entry_rule, 'first_ever') as entry_rule,
        coalesce(conversion_window_hours, conversion_window_days * 24) as window_hours
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
