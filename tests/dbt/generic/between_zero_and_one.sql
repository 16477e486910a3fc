{% test between_zero_and_one(model, column_name) %}
{#- Rates, ratios and shares must lie in [0, 1]; null (an empty denominator) is allowed. -#}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
