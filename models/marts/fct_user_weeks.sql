{#- One row per person and ISO week in which they were active, with the number of distinct active
    days: the shared input of stickiness, lifecycle and weekly retention. -#}
with user_activity as (
    select * from {{ ref('fct_user_days') }}
),

final as (
    select
        user_key,
        week_start_date,
        count(*) as days_active
    from user_activity
    where has_active_event
    group by user_key, week_start_date
)

select * from final
