{#- A person's plan as an event shows it: the `plan` property as text, trimmed; null when absent,
    empty or blank (no value). Read by dim_users (latest plan) and dim_user_history. -#}
{% macro plan_property(properties_expression) -%}
    {{ clean_text('(' ~ json_text(properties_expression, '$.plan') ~ ')') }}
{%- endmacro %}
