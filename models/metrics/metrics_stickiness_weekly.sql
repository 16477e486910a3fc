with calendar as (
    select * from {{ ref('int_reporting_calendar') }}
),

user_activity as (
    select * from {{ ref('int_user_activity_daily') }}
),

complete_weeks as (
    select distinct week_start_date
    from calendar
    where is_week_complete
),

user_weeks as (
    select
        user_activity.week_start_date,
        user_activity.user_key,
        count(*) as days_active
    from user_activity
    inner join complete_weeks
        on user_activity.week_start_date = complete_weeks.week_start_date
    where user_activity.has_active_event
    group by user_activity.week_start_date, user_activity.user_key
),

users_by_days_active as (
    select
        week_start_date,
        days_active,
        count(*) as users
    from user_weeks
    group by week_start_date, days_active
),

weekly_active as (
    select
        week_start_date,
        count(*) as weekly_active_users
    from user_weeks
    group by week_start_date
),

day_counts as (
    select cast(day_count.generate_series as integer) as days_active
    from generate_series(1, 7) as day_count
),

final as (
    select
        complete_weeks.week_start_date,
        day_counts.days_active,
        cast(coalesce(users_by_days_active.users, 0) as bigint) as users,
        {{ safe_divide('coalesce(users_by_days_active.users, 0)', 'weekly_active.weekly_active_users') }}
            as share_of_weekly_active
    from complete_weeks
    cross join day_counts
    left join users_by_days_active
        on
            complete_weeks.week_start_date = users_by_days_active.week_start_date
            and day_counts.days_active = users_by_days_active.days_active
    left join weekly_active
        on complete_weeks.week_start_date = weekly_active.week_start_date
)

select * from final
