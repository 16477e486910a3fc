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

segmented_steps as (
    -- Each reached step under the entry event's platform and its country ('unknown' when empty).
    select
        reported_reached_steps.*,
        'platform' as segment,
        coalesce(reported_reached_steps.entry_platform, 'unknown') as segment_value
    from reported_reached_steps
    union all
    select
        reported_reached_steps.*,
        'country' as segment,
        coalesce(reported_reached_steps.entry_country, 'unknown') as segment_value
    from reported_reached_steps
),

step_rows as (
    {{ funnel_step_rows('segmented_steps', 'funnel_steps', ['segment', 'segment_value']) }}
),

final as (
    select
        funnel_name,
        segment,
        segment_value,
        entry_date,
        cast(step_number as integer) as step_number,
        step_event_name,
        cast(users as bigint) as users,
        conversion_from_start,
        conversion_from_previous
    from step_rows
)

select * from final
