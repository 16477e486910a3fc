with complete_months as (
    select * from {{ ref('dim_months') }}
),

active_months as (
    select * from {{ ref('fct_user_months') }}
),

periods as (
    select
        month_start_date as period_start_date,
        days_in_month as days_in_period
    from complete_months
),

activity as (
    select
        user_key,
        month_start_date as period_start_date,
        days_active
    from active_months
),

stickiness as (
    {{ stickiness_by_period('periods', 'activity') }}
),

final as (
    select
        period_start_date as month_start_date,
        days_active,
        users,
        share_of_period_active as share_of_monthly_active
    from stickiness
)

select * from final
