{#- Raw rows per received day, owning team and outcome (`accepted` or the quarantine reason).
    This is the only path from staging's row-level verdicts to the public data-quality model. -#}
with validated as (
    select * from {{ ref('int_events__judged') }}
),

final as (
    select
        received_date,
        owner_team,
        coalesce(reason, 'accepted') as reason,
        count(*) as raw_rows
    from validated
    group by received_date, owner_team, coalesce(reason, 'accepted')
)

select * from final
