with calendar as (
    select * from {{ ref('dim_dates') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

daily_sessions as (
    select
        session_date,
        count(*) as sessions,
        count(distinct user_key) as users_with_sessions,
        {{ exact_avg("session_seconds") }} as avg_session_seconds,
        median(session_seconds) as median_session_seconds
    from sessions
    group by session_date
),

final as (
    select
        calendar.calendar_date as activity_date,
        cast(coalesce(daily_sessions.sessions, 0) as bigint) as sessions,
        cast(coalesce(daily_sessions.users_with_sessions, 0) as bigint) as users_with_sessions,
        {{ safe_divide('daily_sessions.sessions', 'daily_sessions.users_with_sessions') }} as sessions_per_user,
        cast(daily_sessions.avg_session_seconds as double) as avg_session_seconds,
        cast(daily_sessions.median_session_seconds as double) as median_session_seconds
    from calendar
    left join daily_sessions
        on calendar.calendar_date = daily_sessions.session_date
)

select * from final
