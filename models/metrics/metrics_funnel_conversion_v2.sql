with calendar as (
    select * from {{ ref('dim_dates') }}
),

funnel_progress as (
    select * from {{ ref('fct_funnel_progress') }}
),

funnel_steps as (
    select * from {{ ref('dim_funnel_steps') }}
),

reported_reached_steps as (
    -- Only entries whose whole conversion window ends on or before data end.
    {{ funnel_reported_progress('funnel_progress', 'calendar') }}
),

step_rows as (
    {{ funnel_step_rows('reported_reached_steps', 'funnel_steps') }}
),

final as (
    select
        funnel_name,
        entry_date,
        cast(step_number as integer) as step_number,
        step_event_name,
        cast(users as bigint) as users,
        conversion_from_start,
        conversion_from_previous,
        cast(median_seconds_from_start as double) as median_seconds_from_start,
        cast(p25_seconds_from_start as double) as p25_seconds_from_start,
        cast(p75_seconds_from_start as double) as p75_seconds_from_start,
        cast(p90_seconds_from_start as double) as p90_seconds_from_start
    from step_rows
)

select * from final
