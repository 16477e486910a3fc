with complete_weeks as (
    select * from {{ ref('dim_weeks') }}
),

transitions as (
    select * from {{ ref('fct_event_transitions') }}
),

weekly as (
    select
        transitions.week_start_date,
        transitions.event_name,
        transitions.next_event_name,
        sum(transitions.transitions) as transitions,
        count(*) as users
    from transitions
    inner join complete_weeks
        on transitions.week_start_date = complete_weeks.week_start_date
    group by transitions.week_start_date, transitions.event_name, transitions.next_event_name
),

final as (
    select
        week_start_date,
        event_name,
        next_event_name,
        cast(transitions as bigint) as transitions,
        cast(users as bigint) as users
    from weekly
)

select * from final
