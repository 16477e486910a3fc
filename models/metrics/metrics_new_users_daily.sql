with calendar as (
    select * from {{ ref('dim_dates') }}
),

users as (
    select * from {{ ref('dim_users') }}
),

new_by_day as (
    select
        first_seen_date,
        count(*) as new_users
    from users
    where first_seen_date is not null
    group by first_seen_date
),

final as (
    select
        calendar.calendar_date as activity_date,
        cast(coalesce(new_by_day.new_users, 0) as bigint) as new_users,
        cast(sum(coalesce(new_by_day.new_users, 0)) over (
            order by calendar.calendar_date rows between unbounded preceding and current row
        ) as bigint) as cumulative_users
    from calendar
    left join new_by_day
        on calendar.calendar_date = new_by_day.first_seen_date
)

select * from final
