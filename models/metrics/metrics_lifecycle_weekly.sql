with complete_weeks as (
    select * from {{ ref('dim_weeks') }}
),

users as (
    select * from {{ ref('dim_users') }}
),

active_weeks as (
    select * from {{ ref('fct_user_weeks') }}
),

periods as (
    select
        week_start_date as period_start_date,
        previous_week_start_date as previous_period_start_date
    from complete_weeks
),

activity as (
    select
        user_key,
        week_start_date as period_start_date
    from active_weeks
),

first_seen as (
    select
        user_key,
        first_seen_week_start_date as first_seen_period_start_date
    from users
),

lifecycle as (
    {{ lifecycle_by_period('periods', 'activity', 'first_seen') }}
),

final as (
    select
        period_start_date as week_start_date,
        new_users,
        returning_users,
        resurrecting_users,
        dormant_users,
        quick_ratio
    from lifecycle
)

select * from final
