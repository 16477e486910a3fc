with calendar as (
    select * from {{ ref('dim_dates') }}
),

user_activity as (
    select * from {{ ref('fct_user_days') }}
),

active_user_days as (
    select
        user_key,
        activity_date,
        lead(activity_date) over (partition by user_key order by activity_date) as next_active_date
    from user_activity
    where has_active_event
),

daily_active as (
    select
        activity_date,
        count(*) as dau
    from active_user_days
    group by activity_date
),

weekly_changes as (
    {{ rolling_user_count_changes('active_user_days', var('wau_window_days')) }}
),

monthly_changes as (
    {{ rolling_user_count_changes('active_user_days', var('mau_window_days')) }}
),

weekly_change_totals as (
    select
        change_date,
        sum(user_change) as user_change
    from weekly_changes
    group by change_date
),

monthly_change_totals as (
    select
        change_date,
        sum(user_change) as user_change
    from monthly_changes
    group by change_date
),

rolling as (
    select
        calendar.calendar_date as activity_date,
        coalesce(daily_active.dau, 0) as dau,
        sum(coalesce(weekly_change_totals.user_change, 0)) over (
            order by calendar.calendar_date rows between unbounded preceding and current row
        ) as wau,
        sum(coalesce(monthly_change_totals.user_change, 0)) over (
            order by calendar.calendar_date rows between unbounded preceding and current row
        ) as mau
    from calendar
    left join daily_active
        on calendar.calendar_date = daily_active.activity_date
    left join weekly_change_totals
        on calendar.calendar_date = weekly_change_totals.change_date
    left join monthly_change_totals
        on calendar.calendar_date = monthly_change_totals.change_date
),

final as (
    select
        activity_date,
        cast(dau as bigint) as dau,
        cast(wau as bigint) as wau,
        cast(mau as bigint) as mau,
        {{ safe_divide('dau', 'mau') }} as dau_mau_ratio
    from rolling
)

select * from final
