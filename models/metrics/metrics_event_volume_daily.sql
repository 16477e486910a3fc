with calendar as (
    select * from {{ ref('dim_dates') }}
),

user_events as (
    select * from {{ ref('fct_user_event_days') }}
),

final as (
    select
        user_events.activity_date,
        user_events.event_name,
        cast(sum(user_events.events) as bigint) as events,
        -- One row per person, day and event: rows are distinct users.
        cast(count(*) as bigint) as users
    from user_events
    inner join calendar
        on user_events.activity_date = calendar.calendar_date
    group by user_events.activity_date, user_events.event_name
)

select * from final
