{% test in_tracking_plan(model, column_name) %}
{#- Fails for event names that are not planned events of the tracking plan seed. -#}
select events.{{ column_name }}
from {{ model }} as events
left join {{ ref('tracking_plan') }} as plan
    on events.{{ column_name }} = plan.event_name
where events.{{ column_name }} is not null
    and plan.event_name is null
{% endtest %}
