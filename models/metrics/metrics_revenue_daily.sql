with calendar as (
    select * from {{ ref('dim_dates') }}
),

user_activity as (
    select * from {{ ref('fct_user_days') }}
),

daily_revenue as (
    select
        activity_date,
        {{ exact_sum("revenue_usd") }} as revenue_usd,
        count(case when has_revenue_event then 1 end) as paying_users,
        count(case when has_active_event then 1 end) as dau
    from user_activity
    group by activity_date
),

final as (
    select
        calendar.calendar_date as activity_date,
        cast(coalesce(daily_revenue.revenue_usd, 0) as double) as revenue_usd,
        cast(coalesce(daily_revenue.paying_users, 0) as bigint) as paying_users,
        {{ safe_divide('daily_revenue.revenue_usd', 'daily_revenue.dau') }} as arpu_usd,
        {{ safe_divide('daily_revenue.revenue_usd', 'daily_revenue.paying_users') }} as arppu_usd,
        {{ safe_divide('daily_revenue.paying_users', 'daily_revenue.dau') }} as paying_user_ratio
    from calendar
    left join daily_revenue
        on calendar.calendar_date = daily_revenue.activity_date
)

select * from final
