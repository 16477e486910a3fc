{#- The reporting days: from the first day with a clean event to data end (the day before the
    latest clean event's day, the last complete day). Every daily metric is built on it. -#}
with events as (
    select * from {{ ref('int_events_sessionized') }}
),

bounds as (
    -- Read from the events rather than the user-days built on them, so that every metric sits
    -- one model closer to the raw events; the min and max of one date column is a cheap scan.
    select
        min(event_date) as first_data_date,
        cast({{ dbt.dateadd('day', -1, 'max(event_date)') }} as date) as data_end_date
    from events
),

days as (
    select series_date as calendar_date
    from ({{ date_series('bounds', 'first_data_date', 'data_end_date') }}) as calendar
),

final as (
    select
        days.calendar_date,
        cast({{ dbt.date_trunc('week', 'days.calendar_date') }} as date) as week_start_date,
        cast({{ dbt.date_trunc('month', 'days.calendar_date') }} as date) as month_start_date,
        bounds.first_data_date,
        bounds.data_end_date,
        cast({{ dbt.dateadd('day', 6, dbt.date_trunc('week', 'days.calendar_date')) }} as date)
        <= bounds.data_end_date as is_week_complete
    from days
    cross join bounds
)

select * from final
