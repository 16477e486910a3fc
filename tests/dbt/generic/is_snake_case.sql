{% test is_snake_case(model, column_name) %}
{#- Fails for values that are not snake_case (lowercase words of letters and digits joined by `_`). -#}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
    and not regexp_full_match({{ column_name }}, '[a-z][a-z0-9]*(_[a-z0-9]+)*')
{% endtest %}
