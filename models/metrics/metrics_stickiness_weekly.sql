with complete_weeks as (
    select * from {{ ref('dim_weeks') }}
),

active_weeks as (
    select * from {{ ref('fct_user_weeks') }}
),

periods as (
    select
        week_start_date as period_start_date,
        7 as days_in_period
    from complete_weeks
),

activity as (
    select
        user_key,
        week_start_date as period_start_date,
        days_active
    from active_weeks
),

stickiness as (
    {{ stickiness_by_period('periods', 'activity') }}
),

final as (
    select
        period_start_date as week_start_date,
        days_active,
        users,
        share_of_period_active as share_of_weekly_active
    from stickiness
)

select * from final
