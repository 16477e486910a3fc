{#- The steps and exclusions of every funnel, as the funnel facts and metrics read them: the
    staged `funnel_steps` seed, checked by its data tests before this model is built. -#}
with funnel_steps as (
    select * from {{ ref('stg_funnel_steps') }}
),

final as (
    select
        funnel_name,
        step_number,
        declared_event_name,
        event_name,
        conversion_window_days,
        declared_step_type,
        step_type,
        declared_max_hours_from_previous,
        max_hours_from_previous
    from funnel_steps
)

select * from final
