{% test expression_is_true(model, expression) %}
{#- Fails for every row where the SQL boolean expression is not true (an invariant). -#}
select *
from {{ model }}
where not coalesce({{ expression }}, false)
{% endtest %}
