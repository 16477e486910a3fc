with complete_weeks as (
    select * from {{ ref('int_reporting_weeks') }}
),

active_weeks as (
    select * from {{ ref('int_user_activity_weekly') }}
),

user_weeks as (
    select active_weeks.*
    from active_weeks
    inner join complete_weeks
        on active_weeks.week_start_date = complete_weeks.week_start_date
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
    select series_value as days_active
    from ({{ integer_series(1, 7) }}) as day_series
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
