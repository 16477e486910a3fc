{#- The funnel definitions of the `funnel_steps` seed, with step events named the tracking
    plan's way. The optional columns `step_type` and `max_hours_from_previous` may be absent
    from an older file: they are read when the seed has them, else take their defaults. The
    funnel data tests (valid_funnel_steps) check these rows before any funnel is computed. -#}
{%- set seed_columns = funnel_seed_columns(ref('funnel_steps')) %}

with funnel_steps as (
    select * from {{ ref('funnel_steps') }}
),

declared as (
    select
        funnel_name,
        step_number,
        event_name as declared_event_name,
        conversion_window_days,
        {{ clean_text(optional_seed_column(seed_columns, 'step_type')) }} as declared_step_type,
        {{ clean_text(optional_seed_column(seed_columns, 'max_hours_from_previous')) }}
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
