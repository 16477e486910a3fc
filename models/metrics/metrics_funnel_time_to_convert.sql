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

buckets as (
    {{ funnel_time_buckets() }}
),

step_buckets as (
    -- Every bucket of every step after the first, so that empty buckets have a row.
    select
        funnel_steps.funnel_name,
        funnel_steps.step_number,
        buckets.bucket,
        buckets.bucket_start_seconds,
        buckets.bucket_end_seconds
    from funnel_steps
    cross join buckets
    where funnel_steps.step_type = 'step' and funnel_steps.step_number >= 2
),

conversions as (
    select
        funnel_name,
        step_number,
        {{ seconds_between('entry_at', 'reached_at') }} as seconds_from_start
    from reported_reached_steps
    where step_number >= 2
),

bucket_users as (
    select
        step_buckets.funnel_name,
        step_buckets.step_number,
        step_buckets.bucket,
        step_buckets.bucket_start_seconds,
        count(conversions.funnel_name) as users
    from step_buckets
    left join conversions
        on
            step_buckets.funnel_name = conversions.funnel_name
            and step_buckets.step_number = conversions.step_number
            and step_buckets.bucket_start_seconds <= conversions.seconds_from_start
            and (
                step_buckets.bucket_end_seconds is null
                or step_buckets.bucket_end_seconds > conversions.seconds_from_start
            )
    group by
        step_buckets.funnel_name,
        step_buckets.step_number,
        step_buckets.bucket,
        step_buckets.bucket_start_seconds
),

final as (
    select
        funnel_name,
        cast(step_number as integer) as step_number,
        bucket,
        cast(bucket_start_seconds as bigint) as bucket_start_seconds,
        cast(users as bigint) as users
    from bucket_users
)

select * from final
