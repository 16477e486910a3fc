with complete_months as (
    select * from {{ ref('dim_months') }}
),

users as (
    select * from {{ ref('dim_users') }}
),

active_months as (
    select * from {{ ref('fct_user_months') }}
),

periods as (
    select
        month_start_date as period_start_date,
        previous_month_start_date as previous_period_start_date
    from complete_months
),

activity as (
    select
        user_key,
        month_start_date as period_start_date
    from active_months
),

first_seen as (
    select
        user_key,
        cast({{ dbt.date_trunc('month', 'first_seen_date') }} as date) as first_seen_period_start_date
    from users
),

lifecycle as (
    {{ lifecycle_by_period('periods', 'activity', 'first_seen') }}
),

final as (
    select
        period_start_date as month_start_date,
        new_users,
        returning_users,
        resurrecting_users,
        dormant_users,
        quick_ratio
    from lifecycle
)

select * from final
