{#- One row per person and calendar month in which they were active, with the number of distinct
    active days: the shared input of monthly stickiness and lifecycle. -#}
with user_activity as (
    select * from {{ ref('fct_user_days') }}
),

final as (
    select
        user_key,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as month_start_date,
        count(*) as days_active
    from user_activity
    where has_active_event
    group by user_key, cast({{ dbt.date_trunc('month', 'activity_date') }} as date)
)

select * from final
