{#- Version 1 (deprecated): the v1 columns, for the funnels whose settings are all defaults. -#}
with funnel_conversion as (
    select * from {{ ref('metrics_funnel_conversion', v=2) }}
),

funnel_definitions as (
    select * from {{ ref('dim_funnels') }}
),

final as (
    select
        funnel_conversion.funnel_name,
        funnel_conversion.entry_date,
        funnel_conversion.step_number,
        funnel_conversion.step_event_name,
        funnel_conversion.users,
        funnel_conversion.conversion_from_start,
        funnel_conversion.conversion_from_previous,
        funnel_conversion.median_seconds_from_start
    from funnel_conversion
    inner join funnel_definitions
        on funnel_conversion.funnel_name = funnel_definitions.funnel_name
    where funnel_definitions.has_default_settings
)

select * from final
