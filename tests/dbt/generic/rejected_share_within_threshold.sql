{% test rejected_share_within_threshold(model, quality_model, severity_level) %}
{#- One instance per severity (`error`, `warn`): each returns the breaches of the teams whose
    threshold row has that severity. Var `data_quality_threshold_severity: warn` turns every
    breach into a warning (crafted or partial data); the default `seed` keeps each row's own. -#}
{%- set cap = var('data_quality_threshold_severity', 'seed') -%}
{{ config(
    severity=severity_level,
    store_failures=true,
    meta={'fix': "fix the team's tracking, or raise its max_rejected_share in the data_quality_thresholds seed"},
) }}
with thresholds as (
    select * from {{ model }}
),

quality as (
    select * from {{ quality_model }}
),

team_days as (
    select
        received_date,
        owner_team,
        sum(case when reason = 'accepted' then 0 else rows end) as rejected_rows,
        sum(rows) as total_rows
    from quality
    where received_date is not null
    group by received_date, owner_team
),

judged as (
    select
        team_days.owner_team,
        team_days.received_date,
        team_days.rejected_rows,
        team_days.total_rows,
        cast(team_days.rejected_rows as double) / team_days.total_rows as rejected_share,
        thresholds.max_rejected_share,
        case when '{{ cap }}' = 'warn' then 'warn' else lower(trim(thresholds.severity)) end as severity_level
    from team_days
    inner join thresholds
        on team_days.owner_team = thresholds.owner_team
)

select
    owner_team,
    received_date,
    round(rejected_share, 4) as rejected_share,
    max_rejected_share,
    rejected_rows,
    total_rows
from judged
where
    rejected_share > max_rejected_share
    and severity_level = '{{ severity_level }}'
{% endtest %}
