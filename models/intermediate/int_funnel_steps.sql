{#- The funnel definitions of the `funnel_steps` seed, with step events named the tracking
    plan's way. Checked by assert_valid_funnel_steps before any funnel is computed. -#}
with funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

final as (
    select
        funnel_name,
        step_number,
        event_name as declared_event_name,
        {{ normalize_name('event_name') }} as event_name,
        conversion_window_days
    from funnel_steps
)

select * from final
