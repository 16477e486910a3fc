{#- How far each person got in each funnel: one row per funnel, person and step reached, with
    the moment of entry and the moment the step was reached. A function of one person's events,
    so it is rebuilt per person like the other per-person models; the public funnel metric only
    counts these rows. -#}
{{ per_person_incremental_config() }}
-- depends_on: {{ ref('tracking_plan') }}
{{- assert_valid_funnel_steps() }}
{%- set max_step_number = funnel_max_step_number() %}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized')) }}
),

funnel_steps as (
    select * from {{ ref('int_funnel_steps') }}
),

step_events as (
    select
        funnel_steps.funnel_name,
        funnel_steps.step_number,
        funnel_steps.conversion_window_days,
        events.user_key,
        events.event_at
    from funnel_steps
    inner join events
        on funnel_steps.event_name = events.event_name
),

reached_step_1 as (
    -- A user enters a funnel once, at their first-ever step-1 event.
    select
        funnel_name,
        user_key,
        min(conversion_window_days) as conversion_window_days,
        min(event_at) as entry_at,
        min(event_at) as reached_at
    from step_events
    where step_number = 1
    group by funnel_name, user_key
),

{% for step_number in range(2, max_step_number + 1) -%}
reached_step_{{ step_number }} as (
    -- Earliest step event at or after the previous step and within the window from entry.
    select
        previous_step.funnel_name,
        previous_step.user_key,
        previous_step.conversion_window_days,
        previous_step.entry_at,
        min(step_events.event_at) as reached_at
    from reached_step_{{ step_number - 1 }} as previous_step
    inner join step_events
        on
            previous_step.funnel_name = step_events.funnel_name
            and previous_step.user_key = step_events.user_key
            and step_events.step_number = {{ step_number }}
            and previous_step.reached_at <= step_events.event_at
            and step_events.event_at
            <= {{ dbt.dateadd('day', 'previous_step.conversion_window_days', 'previous_step.entry_at') }}
    group by
        previous_step.funnel_name,
        previous_step.user_key,
        previous_step.conversion_window_days,
        previous_step.entry_at
),

{% endfor -%}
reached_steps as (
    {% for step_number in range(1, max_step_number + 1) -%}
    select
        funnel_name,
        user_key,
        {{ step_number }} as step_number,
        conversion_window_days,
        entry_at,
        reached_at
    from reached_step_{{ step_number }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        funnel_name,
        user_key,
        cast(step_number as integer) as step_number,
        conversion_window_days,
        entry_at,
        reached_at,
        {{ run_timestamp() }} as processed_at
    from reached_steps
)

select * from final
