with calendar as (
    select * from {{ ref('int_reporting_calendar') }}
),

events as (
    select * from {{ ref('int_events_sessionized') }}
),

final as (
    select
        events.event_date as activity_date,
        events.event_name,
        cast(count(*) as bigint) as events,
        cast(count(distinct events.user_key) as bigint) as users
    from events
    inner join calendar
        on events.event_date = calendar.calendar_date
    group by events.event_date, events.event_name
)

select * from final
