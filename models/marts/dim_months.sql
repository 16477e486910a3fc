{#- The complete calendar months of the reporting calendar (last day on or before data end): the
    only months monthly metrics report. -#}
{{ config(materialized='view') }}

with calendar as (
    select * from {{ ref('dim_dates') }}
),

months as (
    select
        month_start_date,
        max(data_end_date) as data_end_date
    from calendar
    group by month_start_date
),

final as (
    select
        month_start_date,
        cast({{ dbt.dateadd('month', -1, 'month_start_date') }} as date) as previous_month_start_date,
        cast(extract(day from {{ period_last_date("'month'", 'month_start_date', 0) }}) as integer) as days_in_month
    from months
    where {{ period_last_date("'month'", 'month_start_date', 0) }} <= data_end_date
)

select * from final
