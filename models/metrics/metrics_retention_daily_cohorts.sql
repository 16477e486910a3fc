with calendar as (
    select * from {{ ref('dim_dates') }}
),

users as (
    select * from {{ ref('dim_users') }}
),

user_activity as (
    select * from {{ ref('fct_user_days') }}
),

data_end as (
    select max(calendar_date) as data_end_date
    from calendar
),

day_numbers as (
    {% for day_number in var('retention_day_numbers') -%}
    select {{ day_number | int }} as day_number
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

cohort_users as (
    select
        users.user_key,
        users.first_seen_date as cohort_date
    from users
    cross join data_end
    where users.first_seen_date <= data_end.data_end_date
),

reported_active_days as (
    select
        user_activity.user_key,
        user_activity.activity_date
    from user_activity
    cross join data_end
    where user_activity.has_active_event and user_activity.activity_date <= data_end.data_end_date
),

last_active as (
    select
        user_key,
        max(activity_date) as last_active_date
    from reported_active_days
    group by user_key
),

cohort_sizes as (
    select
        cohort_date,
        count(*) as cohort_size
    from cohort_users
    group by cohort_date
),

cohort_days as (
    select
        cohort_sizes.cohort_date,
        cohort_sizes.cohort_size,
        day_numbers.day_number,
        cast({{ dbt.dateadd('day', 'day_numbers.day_number', 'cohort_sizes.cohort_date') }} as date) as target_date
    from cohort_sizes
    cross join day_numbers
    cross join data_end
    where
        cast({{ dbt.dateadd('day', 'day_numbers.day_number', 'cohort_sizes.cohort_date') }} as date)
        <= data_end.data_end_date
),

retained as (
    select
        cohort_days.cohort_date,
        cohort_days.day_number,
        count(distinct reported_active_days.user_key) as retained_users,
        count(distinct case when last_active.last_active_date >= cohort_days.target_date then cohort_users.user_key end)
            as unbounded_retained_users
    from cohort_days
    inner join cohort_users
        on cohort_days.cohort_date = cohort_users.cohort_date
    left join reported_active_days
        on
            cohort_users.user_key = reported_active_days.user_key
            and cohort_days.target_date = reported_active_days.activity_date
    left join last_active
        on cohort_users.user_key = last_active.user_key
    group by cohort_days.cohort_date, cohort_days.day_number
),

final as (
    select
        cohort_days.cohort_date,
        cast(cohort_days.day_number as integer) as day_number,
        cast(cohort_days.cohort_size as bigint) as cohort_size,
        cast(retained.retained_users as bigint) as retained_users,
        {{ safe_divide('retained.retained_users', 'cohort_days.cohort_size') }} as retention_rate,
        cast(retained.unbounded_retained_users as bigint) as unbounded_retained_users,
        {{ safe_divide('retained.unbounded_retained_users', 'cohort_days.cohort_size') }} as unbounded_retention_rate
    from cohort_days
    inner join retained
        on
            cohort_days.cohort_date = retained.cohort_date
            and cohort_days.day_number = retained.day_number
)

select * from final
