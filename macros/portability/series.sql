{#- A query with one integer column `series_value`, from start_value to stop_value inclusive. -#}
{% macro integer_series(start_value, stop_value) -%}
    {{ return(adapter.dispatch('integer_series', 'product_metrics')(start_value, stop_value)) }}
{%- endmacro %}

{% macro default__integer_series(start_value, stop_value) -%}
    select cast(series.generate_series as integer) as series_value
    from generate_series({{ start_value }}, {{ stop_value }}) as series
{%- endmacro %}

{% macro spark__integer_series(start_value, stop_value) -%}
    select cast(series_value as integer) as series_value
    from (select explode(sequence({{ start_value }}, {{ stop_value }})) as series_value) as series
{%- endmacro %}

{#- A query with one date column `series_date`: every day from the start column to the end
    column of a one-row relation, inclusive. -#}
{% macro date_series(bounds_relation, start_column, end_column) -%}
    {{ return(adapter.dispatch('date_series', 'product_metrics')(bounds_relation, start_column, end_column)) }}
{%- endmacro %}

{% macro default__date_series(bounds_relation, start_column, end_column) -%}
    select cast(calendar.day_start as date) as series_date
    from {{ bounds_relation }},
        generate_series(
            cast({{ bounds_relation }}.{{ start_column }} as timestamp),
            cast({{ bounds_relation }}.{{ end_column }} as timestamp),
            interval 1 day
        ) as calendar (day_start)
{%- endmacro %}

{% macro spark__date_series(bounds_relation, start_column, end_column) -%}
    select explode(
        sequence(
            cast({{ bounds_relation }}.{{ start_column }} as date),
            cast({{ bounds_relation }}.{{ end_column }} as date),
            interval 1 day
        )
    ) as series_date
    from {{ bounds_relation }}
{%- endmacro %}
