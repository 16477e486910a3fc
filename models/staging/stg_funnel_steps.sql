{#- The funnel definitions of the `funnel_steps` seed, with step events named the tracking
    plan's way. The optional columns `step_type` and `max_hours_from_previous` may be absent
    from an older file: seed_columns reads them when the seed has them, else they are empty. The
    funnel data tests (valid_funnel_steps) check these rows before any funnel is computed. -#}
{%- set steps = seed_columns(
    ref('funnel_steps'), 'funnel_steps',
    required=['funnel_name', 'step_number', 'event_name', 'conversion_window_days'],
    optional={'step_type': 'cast(null as string)', 'max_hours_from_previous': 'cast(null as string)'},
) %}

with funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

declared as (
    select
        {{ steps.funnel_name }} as funnel_name,
        {{ steps.step_number }} as step_number,
        {{ steps.event_name }} as declared_event_name,
        {{ steps.conversion_window_days }} as conversion_window_days,
        {{ clean_text('cast(' ~ steps.step_type ~ ' as string)') }} as declared_step_type,
        {{ clean_text('cast(' ~ steps.max_hours_from_previous ~ ' as string)') }}
            as declared_max_hours_from_previous
    from funnel_steps
),

final as (
    select
        funnel_name,
        step_number,
        declared_event_name,
        {{ normalize_name('declared_event_name') }} as event_name,
        conversion_window_days,
        declared_step_type,
        coalesce(declared_step_type, 'step') as step_type,
        declared_max_hours_from_previous,
        {{ funnel_whole_hours('declared_max_hours_from_previous') }} as max_hours_from_previous
    from declared
)

select * from final
