{#- How far each funnel entry got: one row per funnel, person, entry and step reached, with the
    entry instant, the instant the step was reached, the end of the entry's window and the entry
    event's platform and country. The settings of the `funnels` seed decide the entries (first
    ever, or first per day), the order (ordered, strict, any), the per-step windows, the value held
    constant and the exclusion steps (decision 0007). A function of one person's events, so it is
    rebuilt per person like the other per-person models; the public funnel metrics only count
    these rows. -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}
{%- set max_step_number = funnel_max_step_number() %}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
),

funnel_definitions as (
    select * from {{ ref('dim_funnels') }}
),

funnel_steps as (
    select * from {{ ref('dim_funnel_steps') }}
),

step_events as (
    -- Every event that does a step of a funnel, with the value that funnel holds constant.
    select
        funnel_definitions.funnel_name,
        funnel_definitions.order_mode,
        funnel_definitions.entry_rule,
        funnel_definitions.window_hours,
        funnel_steps.step_number,
        funnel_steps.max_hours_from_previous,
        events.user_key,
        events.event_at,
        -- strict mode's "very next event" is the event at the next position
        events.event_number as event_position,
        events.platform,
        events.country,
        case funnel_definitions.hold_kind
            when 'session' then events.session_id
            when 'platform' then events.platform
            when 'device_id' then events.device_id
            when 'property'
                then {{ funnel_property_value('events.properties', 'funnel_definitions.hold_property_key') }}
        end as hold_value
    from funnel_steps
    inner join funnel_definitions
        on funnel_steps.funnel_name = funnel_definitions.funnel_name
    inner join events
        on funnel_steps.event_name = events.event_name
    where funnel_steps.step_type = 'step'
),

entries as (
    -- Entry events: step 1 (ordered, strict) or any step (any); the first ever, or each day's first.
    -- A person's positions follow time, so the earliest position is the entry event.
    select
        funnel_name,
        user_key,
        order_mode,
        min(event_at) as entry_at,
        min(event_position) as entry_position,
        {{ add_hours('min(event_at)', 'window_hours') }} as window_ends_at,
        {{ first_by('hold_value', ['event_position']) }} as entry_hold_value,
        {{ first_by('platform', ['event_position']) }} as entry_platform,
        {{ first_by('country', ['event_position']) }} as entry_country
    from step_events
    where step_number = 1 or order_mode = 'any'
    group by
        funnel_name,
        user_key,
        order_mode,
        window_hours,
        case when entry_rule = 'first_per_day' then {{ reporting_date('event_at') }} end
),

reached_step_1 as (
    select
        funnel_name,
        user_key,
        order_mode,
        entry_at,
        window_ends_at,
        entry_hold_value,
        entry_platform,
        entry_country,
        entry_at as reached_at,
        entry_position as reached_position
    from entries
    where order_mode != 'any'
),

{% for step_number in range(2, max_step_number + 1) -%}
reached_step_{{ step_number }} as (
    -- ordered: the earliest step event at or after the previous step; strict: the person's very
    -- next clean event must be the step event. Both: within the window and the step's own
    -- window from the previous step, and holding the entry's value.
    select
        previous_step.funnel_name,
        previous_step.user_key,
        previous_step.order_mode,
        previous_step.entry_at,
        previous_step.window_ends_at,
        previous_step.entry_hold_value,
        previous_step.entry_platform,
        previous_step.entry_country,
        min(step_events.event_at) as reached_at,
        min(step_events.event_position) as reached_position
    from reached_step_{{ step_number - 1 }} as previous_step
    inner join step_events
        on
            previous_step.funnel_name = step_events.funnel_name
            and previous_step.user_key = step_events.user_key
            and step_events.step_number = {{ step_number }}
            and previous_step.window_ends_at >= step_events.event_at
            and (
                previous_step.entry_hold_value is null
                or previous_step.entry_hold_value = step_events.hold_value
            )
            and (
                (
                    previous_step.order_mode = 'strict'
                    and previous_step.reached_position + 1 = step_events.event_position
                )
                or (previous_step.order_mode != 'strict' and previous_step.reached_at <= step_events.event_at)
            )
            and (
                step_events.max_hours_from_previous is null
                or step_events.event_at
                <= {{ add_hours('previous_step.reached_at', 'step_events.max_hours_from_previous') }}
            )
    group by
        previous_step.funnel_name,
        previous_step.user_key,
        previous_step.order_mode,
        previous_step.entry_at,
        previous_step.window_ends_at,
        previous_step.entry_hold_value,
        previous_step.entry_platform,
        previous_step.entry_country
),

{% endfor -%}
any_order_steps as (
    -- any: when each distinct step was first done within the window, holding the entry's value.
    select
        entries.funnel_name,
        entries.user_key,
        entries.entry_at,
        entries.window_ends_at,
        entries.entry_platform,
        entries.entry_country,
        step_events.step_number as done_step_number,
        min(step_events.event_at) as first_done_at
    from entries
    inner join step_events
        on
            entries.funnel_name = step_events.funnel_name
            and entries.user_key = step_events.user_key
            and entries.entry_at <= step_events.event_at
            and entries.window_ends_at >= step_events.event_at
            and (entries.entry_hold_value is null or entries.entry_hold_value = step_events.hold_value)
    where entries.order_mode = 'any'
    group by
        entries.funnel_name,
        entries.user_key,
        entries.entry_at,
        entries.window_ends_at,
        entries.entry_platform,
        entries.entry_country,
        step_events.step_number
),

any_order_levels as (
    -- Step k of an any-order funnel is reached when the k-th distinct step is first done.
    select
        *,
        row_number() over (
            partition by funnel_name, user_key, entry_at
            order by first_done_at, done_step_number
        ) as step_number,
        lag(first_done_at) over (
            partition by funnel_name, user_key, entry_at
            order by first_done_at, done_step_number
        ) as previous_reached_at
    from any_order_steps
),

any_order_windows as (
    -- A step later than its own window from the previous step ends the progress there.
    select
        any_order_levels.*,
        sum(
            case
                when
                    funnel_steps.max_hours_from_previous is not null
                    and any_order_levels.first_done_at
                    > {{ add_hours('any_order_levels.previous_reached_at', 'funnel_steps.max_hours_from_previous') }}
                    then 1
                else 0
            end
        ) over (
            partition by any_order_levels.funnel_name, any_order_levels.user_key, any_order_levels.entry_at
            order by any_order_levels.step_number
            rows between unbounded preceding and current row
        ) as late_steps
    from any_order_levels
    left join funnel_steps
        on
            any_order_levels.funnel_name = funnel_steps.funnel_name
            and any_order_levels.step_number = funnel_steps.step_number
            and funnel_steps.step_type = 'step'
),

reached_steps as (
    {% for step_number in range(1, max_step_number + 1) -%}
    select
        funnel_name,
        user_key,
        {{ step_number }} as step_number,
        entry_at,
        reached_at,
        window_ends_at,
        entry_platform,
        entry_country
    from reached_step_{{ step_number }}
    union all
    {% endfor -%}
    select
        funnel_name,
        user_key,
        step_number,
        entry_at,
        first_done_at as reached_at,
        window_ends_at,
        entry_platform,
        entry_country
    from any_order_windows
    where late_steps = 0
),

exclusion_events as (
    select
        funnel_steps.funnel_name,
        funnel_steps.step_number as after_step_number,
        events.user_key,
        events.event_at
    from funnel_steps
    inner join events
        on funnel_steps.event_name = events.event_name
    where funnel_steps.step_type = 'exclude'
),

excluded_entries as (
    -- An exclusion event after step k and before the next step (any: before the last step), or
    -- up to the window's end when that step is never reached, drops the whole entry.
    select distinct
        guarded_step.funnel_name,
        guarded_step.user_key,
        guarded_step.entry_at
    from exclusion_events
    inner join funnel_definitions
        on exclusion_events.funnel_name = funnel_definitions.funnel_name
    inner join reached_steps as guarded_step
        on
            exclusion_events.funnel_name = guarded_step.funnel_name
            and exclusion_events.user_key = guarded_step.user_key
            and exclusion_events.after_step_number = guarded_step.step_number
    left join reached_steps as closing_step
        on
            guarded_step.funnel_name = closing_step.funnel_name
            and guarded_step.user_key = closing_step.user_key
            and guarded_step.entry_at = closing_step.entry_at
            and closing_step.step_number = case
                when funnel_definitions.order_mode = 'any' then funnel_definitions.step_count
                else exclusion_events.after_step_number + 1
            end
    where
        exclusion_events.event_at > guarded_step.reached_at
        and (
            exclusion_events.event_at < closing_step.reached_at
            or (closing_step.reached_at is null and exclusion_events.event_at <= guarded_step.window_ends_at)
        )
),

final as (
    select
        reached_steps.funnel_name,
        reached_steps.user_key,
        cast(reached_steps.step_number as integer) as step_number,
        reached_steps.entry_at,
        {{ reporting_date('reached_steps.entry_at') }} as entry_date,
        reached_steps.reached_at,
        reached_steps.window_ends_at,
        reached_steps.entry_platform,
        reached_steps.entry_country,
        {{ run_timestamp() }} as processed_at
    from reached_steps
    left join excluded_entries
        on
            reached_steps.funnel_name = excluded_entries.funnel_name
            and reached_steps.user_key = excluded_entries.user_key
            and reached_steps.entry_at = excluded_entries.entry_at
    where excluded_entries.funnel_name is null
)

select * from final
