{% test planned_events_are_seen(model, events_model) %}
{{ config(
    severity=var('plan_coverage_severity', 'warn'),
    store_failures=true,
    meta={'fix': 'send the event, or mark it is_shipped = false in the tracking_plan seed; '
        ~ 'partial data warns by default, var plan_coverage_severity: error makes this fail the build'},
) }}
{#- The tracking plan tested in the other direction: every active planned event that is marked as
    shipped must appear among the clean events. A planned event nobody sends is either not shipped
    yet (set is_shipped = false in the plan) or broken instrumentation. -#}
with seen_events as (
    select distinct event_name from {{ events_model }}
)

select
    plan.event_name,
    plan.owner_team
from {{ model }} as plan
left join seen_events
    on plan.event_name = seen_events.event_name
where
    plan.status = 'active'
    and plan.is_shipped
    and seen_events.event_name is null
{% endtest %}
