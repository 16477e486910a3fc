{% test not_after_data_end(model, column_name) %}
{#- Metrics never report a day after data end (the last complete day). -#}
select {{ column_name }}
from {{ model }}
where {{ column_name }} > (select max(calendar_date) from {{ ref('dim_dates') }})
{% endtest %}
