with calendar as (
    select * from {{ ref('dim_dates') }}
),

definitions as (
    select * from {{ ref('dim_retention_definitions') }}
),

brackets as (
    select * from {{ ref('dim_retention_brackets') }}
),

cohorts as (
    select * from {{ ref('fct_retention_cohorts') }}
),

returns as (
    select * from {{ ref('fct_retention_returns') }}
),

data_end as (
    select max(calendar_date) as data_end_date
    from calendar
),

cohort_sizes as (
    select
        retention_name,
        cohort_start_date,
        count(*) as cohort_size
    from cohorts
    group by retention_name, cohort_start_date
),

reported_cells as (
    -- A bracket is reported once its last period is complete.
    select
        cohort_sizes.retention_name,
        cohort_sizes.cohort_start_date,
        cohort_sizes.cohort_size,
        definitions.period,
        brackets.bracket,
        brackets.bracket_position,
        brackets.first_period_number,
        brackets.last_period_number,
        data_end.data_end_date
    from cohort_sizes
    inner join definitions
        on cohort_sizes.retention_name = definitions.retention_name
    inner join brackets
        on cohort_sizes.retention_name = brackets.retention_name
    cross join data_end
    where
        {{ period_last_date('definitions.period', 'cohort_sizes.cohort_start_date', 'brackets.last_period_number') }}
        <= data_end.data_end_date
),

returns_in_data as (
    -- Returns count up to the data end only.
    select
        returns.retention_name,
        returns.cohort_start_date,
        returns.user_key,
        returns.period_number
    from returns
    cross join data_end
    where returns.first_return_date <= data_end.data_end_date
),

latest_returns as (
    -- Without a bound, a person is retained in every bracket up to their latest return.
    select
        retention_name,
        cohort_start_date,
        user_key,
        max(period_number) as latest_period_number
    from returns_in_data
    group by retention_name, cohort_start_date, user_key
),

bounded_retained as (
    -- Returns within the bracket: each return period meets only the brackets that hold it.
    select
        reported_cells.retention_name,
        reported_cells.cohort_start_date,
        reported_cells.bracket,
        count(distinct returns_in_data.user_key) as retained_users
    from reported_cells
    inner join returns_in_data
        on
            reported_cells.retention_name = returns_in_data.retention_name
            and reported_cells.cohort_start_date = returns_in_data.cohort_start_date
            and returns_in_data.period_number between reported_cells.first_period_number
            and reported_cells.last_period_number
    group by reported_cells.retention_name, reported_cells.cohort_start_date, reported_cells.bracket
),

unbounded_retained as (
    -- Returns in a period from the bracket's first on.
    select
        reported_cells.retention_name,
        reported_cells.cohort_start_date,
        reported_cells.bracket,
        count(*) as unbounded_retained_users
    from reported_cells
    inner join latest_returns
        on
            reported_cells.retention_name = latest_returns.retention_name
            and reported_cells.cohort_start_date = latest_returns.cohort_start_date
            and reported_cells.first_period_number <= latest_returns.latest_period_number
    group by reported_cells.retention_name, reported_cells.cohort_start_date, reported_cells.bracket
),

retained as (
    select
        reported_cells.retention_name,
        reported_cells.cohort_start_date,
        reported_cells.bracket,
        coalesce(bounded_retained.retained_users, 0) as retained_users,
        coalesce(unbounded_retained.unbounded_retained_users, 0) as unbounded_retained_users
    from reported_cells
    left join bounded_retained
        on
            reported_cells.retention_name = bounded_retained.retention_name
            and reported_cells.cohort_start_date = bounded_retained.cohort_start_date
            and reported_cells.bracket = bounded_retained.bracket
    left join unbounded_retained
        on
            reported_cells.retention_name = unbounded_retained.retention_name
            and reported_cells.cohort_start_date = unbounded_retained.cohort_start_date
            and reported_cells.bracket = unbounded_retained.bracket
),

final as (
    select
        reported_cells.retention_name,
        reported_cells.cohort_start_date,
        reported_cells.bracket,
        reported_cells.period,
        cast(reported_cells.bracket_position as integer) as bracket_position,
        cast(reported_cells.first_period_number as integer) as first_period_number,
        cast(reported_cells.last_period_number as integer) as last_period_number,
        cast(reported_cells.cohort_size as bigint) as cohort_size,
        cast(retained.retained_users as bigint) as retained_users,
        {{ safe_divide('retained.retained_users', 'reported_cells.cohort_size') }} as retention_rate,
        cast(retained.unbounded_retained_users as bigint) as unbounded_retained_users,
        {{ safe_divide('retained.unbounded_retained_users', 'reported_cells.cohort_size') }}
            as unbounded_retention_rate
    from reported_cells
    inner join retained
        on
            reported_cells.retention_name = retained.retention_name
            and reported_cells.cohort_start_date = retained.cohort_start_date
            and reported_cells.bracket = retained.bracket
)

select * from final
