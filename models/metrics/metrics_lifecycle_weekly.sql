with complete_weeks as (
    select * from {{ ref('int_reporting_weeks') }}
),

users as (
    select * from {{ ref('dim_users') }}
),

active_weeks as (
    select * from {{ ref('int_user_activity_weekly') }}
),

week_pairs as (
    -- Each complete week with the week before it.
    select
        week_start_date,
        previous_week_start_date
    from complete_weeks
),

current_week_users as (
    select
        week_pairs.week_start_date,
        active_weeks.user_key,
        users.first_seen_week_start_date = week_pairs.week_start_date as is_new,
        previous_activity.user_key is not null as was_active_previous_week
    from week_pairs
    inner join active_weeks
        on week_pairs.week_start_date = active_weeks.week_start_date
    inner join users
        on active_weeks.user_key = users.user_key
    left join active_weeks as previous_activity
        on
            active_weeks.user_key = previous_activity.user_key
            and week_pairs.previous_week_start_date = previous_activity.week_start_date
),

dormant as (
    select
        week_pairs.week_start_date,
        count(*) as dormant_users
    from week_pairs
    inner join active_weeks as previous_activity
        on week_pairs.previous_week_start_date = previous_activity.week_start_date
    left join active_weeks as current_activity
        on
            previous_activity.user_key = current_activity.user_key
            and week_pairs.week_start_date = current_activity.week_start_date
    where current_activity.user_key is null
    group by week_pairs.week_start_date
),

active_counts as (
    select
        week_start_date,
        count(case when is_new then 1 end) as new_users,
        count(case when not is_new and was_active_previous_week then 1 end) as returning_users,
        count(case when not is_new and not was_active_previous_week then 1 end) as resurrecting_users
    from current_week_users
    group by week_start_date
),

final as (
    select
        week_pairs.week_start_date,
        cast(coalesce(active_counts.new_users, 0) as bigint) as new_users,
        cast(coalesce(active_counts.returning_users, 0) as bigint) as returning_users,
        cast(coalesce(active_counts.resurrecting_users, 0) as bigint) as resurrecting_users,
        cast(coalesce(dormant.dormant_users, 0) as bigint) as dormant_users,
        {{ safe_divide(
            'coalesce(active_counts.new_users, 0) + coalesce(active_counts.resurrecting_users, 0)',
            'dormant.dormant_users'
        ) }} as quick_ratio
    from week_pairs
    left join active_counts
        on week_pairs.week_start_date = active_counts.week_start_date
    left join dormant
        on week_pairs.week_start_date = dormant.week_start_date
)

select * from final
