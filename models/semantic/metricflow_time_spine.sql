{#- MetricFlow's daily time spine: exactly the reporting days (first day with a clean event to
    data end). Metrics joined to it report every reporting day, zeros included, and never a day
    after data end, as the contract's daily models do. -#}
with calendar as (
    select * from {{ ref('int_reporting_calendar') }}
),

final as (
    select cast(calendar_date as date) as date_day
    from calendar
)

select * from final
