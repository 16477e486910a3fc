with complete_weeks as (
    select * from {{ ref('dim_weeks') }}
),

users as (
    select * from {{ ref('dim_users') }}
),

active_weeks as (
    select * from {{ ref('fct_user_weeks') }}
),

week_numbers as (
    select
        series_value as week_number,
        cast(7 * series_value as integer) as days_after_cohort_week
    from ({{ integer_series(0, var('retention_max_week_number') | int) }}) as week_series
),

cohort_users as (
    select
        users.user_key,
        users.first_seen_week_start_date as cohort_week_start_date
    from users
    inner join complete_weeks
        on users.first_seen_week_start_date = complete_weeks.week_start_date
),

cohort_sizes as (
    select
        cohort_week_start_date,
        count(*) as cohort_size
    from cohort_users
    group by cohort_week_start_date
),

cohort_weeks as (
    select
        cohort_sizes.cohort_week_start_date,
        cohort_sizes.cohort_size,
        week_numbers.week_number,
        complete_weeks.week_start_date as target_week_start_date
    from cohort_sizes
    cross join week_numbers
    inner join complete_weeks
        on
            complete_weeks.week_start_date = cast(
                {{ dbt.dateadd('day', 'week_numbers.days_after_cohort_week', 'cohort_sizes.cohort_week_start_date') }}
                as date
            )
),

retained as (
    select
        cohort_weeks.cohort_week_start_date,
        cohort_weeks.week_number,
        count(distinct active_weeks.user_key) as retained_users
    from cohort_weeks
    inner join cohort_users
        on cohort_weeks.cohort_week_start_date = cohort_users.cohort_week_start_date
    left join active_weeks
        on
            cohort_users.user_key = active_weeks.user_key
            and cohort_weeks.target_week_start_date = active_weeks.week_start_date
    group by cohort_weeks.cohort_week_start_date, cohort_weeks.week_number
),

final as (
    select
        cohort_weeks.cohort_week_start_date,
        cohort_weeks.week_number,
        cast(cohort_weeks.cohort_size as bigint) as cohort_size,
        cast(retained.retained_users as bigint) as retained_users,
        {{ safe_divide('retained.retained_users', 'cohort_weeks.cohort_size') }} as retention_rate
    from cohort_weeks
    inner join retained
        on
            cohort_weeks.cohort_week_start_date = retained.cohort_week_start_date
            and cohort_weeks.week_number = retained.week_number
)

select * from final
