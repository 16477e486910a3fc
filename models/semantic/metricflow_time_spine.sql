{#- MetricFlow's daily time spine: exactly the reporting days (first day with a clean event to
    data end). Metrics joined to it report every reporting day, zeros included, and never a day
    after data end, as the contract's daily models do. Custom granularities: `reporting_month` is
    the month of a reporting day (a day after data end has none); `complete_week` and
    `complete_month` are the period's first day when the whole period lies inside the data (first
    day of data to data end), else null, so partial first and last periods group apart. -#}
with calendar as (
    select * from {{ ref('dim_dates') }}
),

final as (
    select
        cast(calendar_date as date) as date_day,
        month_start_date as reporting_month,
        case
            when week_start_date >= first_data_date and is_week_complete
                then week_start_date
        end as complete_week,
        case
            when
                month_start_date >= first_data_date
                and cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month_start_date')) }} as date)
                <= data_end_date
                then month_start_date
        end as complete_month
    from calendar
)

select * from final
