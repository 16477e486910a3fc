{#- SQL that DuckDB and Spark write differently, behind one name each. The DuckDB (default)
    form is what the models always rendered; the spark__ form gives the same result on Spark. -#}

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

{#- A text value inside a JSON text, by JSONPath (`$.plan`); null when absent. -#}
{% macro json_text(json_expression, path) -%}
    {{ return(adapter.dispatch('json_text', 'product_metrics')(json_expression, path)) }}
{%- endmacro %}

{% macro default__json_text(json_expression, path) -%}
    {{ json_expression }} ->> '{{ path }}'
{%- endmacro %}

{% macro spark__json_text(json_expression, path) -%}
    get_json_object({{ json_expression }}, '{{ path }}')
{%- endmacro %}

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

{#- A FROM-clause fragment, placed after a relation, that joins each of its rows to one row per
    entry of a flat JSON object: `<alias>.key`, and the value as text via json_entry_text. -#}
{% macro join_json_object_entries(json_expression, alias) -%}
    {{ return(adapter.dispatch('join_json_object_entries', 'product_metrics')(json_expression, alias)) }}
{%- endmacro %}

{% macro default__join_json_object_entries(json_expression, alias) -%}
    , json_each({{ json_expression }}) as {{ alias }}
{%- endmacro %}

{% macro spark__join_json_object_entries(json_expression, alias) -%}
    lateral view explode(from_json({{ json_expression }}, 'map<string, string>')) {{ alias }} as key, value
{%- endmacro %}

{#- The value of an entry from join_json_object_entries, as text (a JSON string unquoted). -#}
{% macro json_entry_text(alias) -%}
    {{ return(adapter.dispatch('json_entry_text', 'product_metrics')(alias)) }}
{%- endmacro %}

{% macro default__json_entry_text(alias) -%}
    {{ alias }}.value ->> '$'
{%- endmacro %}

{% macro spark__json_entry_text(alias) -%}
    {{ alias }}.value
{%- endmacro %}

{#- Incremental strategy of models that replace rows by key. Spark tables on plain Parquet cannot
    delete rows, so a Spark build is a full build (every incremental model created from scratch);
    a cluster on Delta or Iceberg would use `merge` here. -#}
{% macro replace_by_key_strategy() -%}
    {{ return(adapter.dispatch('replace_by_key_strategy', 'product_metrics')()) }}
{%- endmacro %}

{% macro default__replace_by_key_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__replace_by_key_strategy() -%}
    {{ return('append') }}
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

{#- A text split on commas into a list (DuckDB `string_split`, Spark `split`, whose separator is a
    regular expression: a comma is the same in both). -#}
{% macro split_on_commas(expression) -%}
    {{ return(adapter.dispatch('split_on_commas', 'product_metrics')(expression)) }}
{%- endmacro %}

{% macro default__split_on_commas(expression) -%}
    string_split({{ expression }}, ',')
{%- endmacro %}

{% macro spark__split_on_commas(expression) -%}
    split({{ expression }}, ',')
{%- endmacro %}
