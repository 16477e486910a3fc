{#- The latest non-null value of an expression over a window (the window follows the call):
    DuckDB `last_value(x ignore nulls)`, Spark `last(x, true)`. -#}
{% macro last_value_ignoring_nulls(value_expression) -%}
    {{ return(adapter.dispatch('last_value_ignoring_nulls', 'product_metrics')(value_expression)) }}
{%- endmacro %}

{% macro default__last_value_ignoring_nulls(value_expression) -%}
    last_value({{ value_expression }} ignore nulls)
{%- endmacro %}

{% macro spark__last_value_ignoring_nulls(value_expression) -%}
    last({{ value_expression }}, true)
{%- endmacro %}
