with event_outcomes as (
    select * from {{ ref('fct_event_outcomes_daily') }}
),

final as (
    select
        received_date,
        owner_team,
        reason,
        cast(raw_rows as bigint) as rows
    from event_outcomes
)

select * from final
