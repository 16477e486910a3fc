{#- SQL that DuckDB and Spark write differently, behind one name each. The DuckDB (default)
    form is what the models always rendered; the spark__ form gives the same result on Spark. -#}

{#- Division that is null, never an error or 0, when the denominator is 0 or null. -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}

{#- Sums and means of doubles depend on the order rows are added in; incremental and full builds
    add them in different orders. Adding in exact decimals makes every build give the same bits. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 10))) as double)
{%- endmacro %}

{% macro exact_avg(expression) -%}
    cast(avg(cast({{ expression }} as decimal(38, 10))) as double)
{%- endmacro %}

{#- The value of the first row in a given order (a null value counts: it is that row's value). -#}
{% macro first_by(value_expression, order_expressions, descending=false) -%}
    {{ return(adapter.dispatch('first_by', 'product_metrics')(value_expression, order_expressions, descending)) }}
{%- endmacro %}

{% macro default__first_by(value_expression, order_expressions, descending=false) -%}
    first({{ value_expression }} order by {{ order_expressions | join(' desc, ' if descending else ', ') }}{{ ' desc' if descending }})
{%- endmacro %}

{% macro spark__first_by(value_expression, order_expressions, descending=false) -%}
    {{ 'max_by' if descending else 'min_by' }}({{ value_expression }}, struct({{ order_expressions | join(', ') }}))
{%- endmacro %}

{#- The value of the row with the smallest ordering value. -#}
{% macro min_by(value_expression, order_expression) -%}
    {{ return(adapter.dispatch('min_by', 'product_metrics')(value_expression, order_expression)) }}
{%- endmacro %}

{% macro default__min_by(value_expression, order_expression) -%}
    arg_min({{ value_expression }}, {{ order_expression }})
{%- endmacro %}

{% macro spark__min_by(value_expression, order_expression) -%}
    min_by({{ value_expression }}, {{ order_expression }})
{%- endmacro %}

{#- A continuous percentile (linear interpolation between the two nearest values), as median. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'product_metrics')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}
