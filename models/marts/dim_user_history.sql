{#- People's attributes as they were at each instant (SCD type 2), from the clean events: a new
    row whenever an event shows a plan, country or platform that differs from the person's
    current value (decision 0012). Same-instant events are read in event_id order and only the
    state after the instant's last event counts, so valid_from is unique per person. A function of
    one person's events, rebuilt per person. -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with events as (
    {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
),

observed as (
    -- Each event's own non-empty values (empty or blank text is no value, as in dim_users).
    select
        user_key,
        event_id,
        event_at,
        {{ plan_property('properties') }} as plan,
        -- Staging already made empty country and platform null.
        country,
        platform
    from events
),

carried as (
    -- After each event: the latest value shown so far, per attribute (plan: the default before any).
    select
        user_key,
        event_at,
        coalesce({{ last_value_ignoring_nulls('plan') }} over person_so_far, '{{ var("default_plan") }}') as plan,
        {{ last_value_ignoring_nulls('country') }} over person_so_far as country,
        {{ last_value_ignoring_nulls('platform') }} over person_so_far as platform,
        -- An instant ends at the event whose next event (same order) is later, or that has none.
        coalesce(lead(event_at) over (partition by user_key order by event_at, event_id) != event_at, true)
            as is_instant_end
    from observed
    window person_so_far as (
        partition by user_key order by event_at, event_id rows between unbounded preceding and current row
    )
),

instants as (
    -- The state after each instant's last event, next to the state before the instant.
    select
        user_key,
        event_at,
        plan,
        country,
        platform,
        row_number() over (partition by user_key order by event_at) as instant_number,
        lag(plan) over (partition by user_key order by event_at) as previous_plan,
        lag(country) over (partition by user_key order by event_at) as previous_country,
        lag(platform) over (partition by user_key order by event_at) as previous_platform
    from carried
    where is_instant_end
),

changes as (
    select
        user_key,
        event_at as valid_from,
        plan,
        country,
        platform
    from instants
    where
        instant_number = 1
        or plan is distinct from previous_plan
        or country is distinct from previous_country
        or platform is distinct from previous_platform
),

intervals as (
    select
        user_key,
        plan,
        country,
        platform,
        valid_from,
        lead(valid_from) over (partition by user_key order by valid_from) as valid_to
    from changes
),

final as (
    select
        user_key,
        plan,
        country,
        platform,
        valid_from,
        valid_to,
        -- The same bounds as wall-clock times in the reporting time zone (the semantic layer's
        -- metric time), equal to valid_from and valid_to with UTC.
        {{ reporting_local_time('valid_from') }} as valid_from_local_time,
        {{ reporting_local_time('valid_to') }} as valid_to_local_time,
        {{ run_timestamp() }} as processed_at
    from intervals
)

select * from final
