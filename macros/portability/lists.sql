{#- True when a list holds a value; null when the value is null. -#}
{% macro list_has_value(list_expression, value_expression) -%}
    {{ return(adapter.dispatch('list_has_value', 'product_metrics')(list_expression, value_expression)) }}
{%- endmacro %}

{% macro default__list_has_value(list_expression, value_expression) -%}
    list_contains({{ list_expression }}, {{ value_expression }})
{%- endmacro %}

{% macro spark__list_has_value(list_expression, value_expression) -%}
    array_contains({{ list_expression }}, {{ value_expression }})
{%- endmacro %}

{#- The number of elements of a list (null or below one for a null list). -#}
{% macro list_length(list_expression) -%}
    {{ return(adapter.dispatch('list_length', 'product_metrics')(list_expression)) }}
{%- endmacro %}

{% macro default__list_length(list_expression) -%}
    len({{ list_expression }})
{%- endmacro %}

{% macro spark__list_length(list_expression) -%}
    size({{ list_expression }})
{%- endmacro %}

{#- A SELECT-list item that unnests a list into one row per element. -#}
{% macro unnest_list(list_expression, value_alias) -%}
    {{ return(adapter.dispatch('unnest_list', 'product_metrics')(list_expression, value_alias)) }}
{%- endmacro %}

{% macro default__unnest_list(list_expression, value_alias) -%}
    unnest({{ list_expression }}) as {{ value_alias }}
{%- endmacro %}

{% macro spark__unnest_list(list_expression, value_alias) -%}
    explode({{ list_expression }}) as {{ value_alias }}
{%- endmacro %}
