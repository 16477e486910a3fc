{% test covers_reporting_days(model, column_name) %}
{#- A daily model has exactly one row for every reporting day (first day to data end). -#}
with calendar as (
    select calendar_date from {{ ref('dim_dates') }}
),

model_days as (
    select {{ column_name }} as calendar_date, count(*) as rows_per_day
    from {{ model }}
    group by {{ column_name }}
)

select
    coalesce(calendar.calendar_date, model_days.calendar_date) as calendar_date,
    coalesce(model_days.rows_per_day, 0) as rows_per_day
from calendar
full outer join model_days
    on calendar.calendar_date = model_days.calendar_date
where model_days.calendar_date is null
    or calendar.calendar_date is null
    or model_days.rows_per_day != 1
{% endtest %}
