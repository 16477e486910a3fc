{#- One row per person and ISO week in which they were active, with the number of distinct active
    days: the shared input of stickiness, lifecycle and weekly retention. A function of
    one person's days, rebuilt per person. -#}
{{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

with user_activity as (
    {{ rows_of_affected_users(ref('fct_user_days'), ref('int_affected_users')) }}
),

final as (
    select
        user_key,
        week_start_date,
        count(*) as days_active,
        {{ run_timestamp() }} as processed_at
    from user_activity
    where has_active_event
    group by user_key, week_start_date
)

select * from final
