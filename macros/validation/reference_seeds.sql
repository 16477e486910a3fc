{#- Reference seeds are a public interface (contract v2): the contract's columns are required, a
    column the project adds is optional with a documented default. Returns {column: SQL} for the
    seed's columns: the column itself when the file has it, else the default; fails with one line
    naming the seed and the column when a required column is missing. -#}
{% macro seed_columns(seed_relation, seed_name, required, optional={}) -%}
    {%- set expressions = {} -%}
    {%- set present = [] -%}
    {%- if execute -%}
        {%- set present = adapter.get_columns_in_relation(seed_relation) | map(attribute='name') | map('lower') | list -%}
        {%- for column_name in required -%}
            {%- if column_name not in present -%}
                {{ exceptions.raise_compiler_error(
                    "seed " ~ seed_name ~ " (seeds/" ~ seed_name ~ ".csv) is missing required column '" ~ column_name
                    ~ "': add it to the file's header (found: " ~ present | join(', ') ~ ")"
                ) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for column_name in required -%}
        {%- do expressions.update({column_name: adapter.quote(column_name)}) -%}
    {%- endfor -%}
    {%- for column_name, default_sql in optional.items() -%}
        {%- do expressions.update({column_name: adapter.quote(column_name) if (column_name in present or not execute) else default_sql}) -%}
    {%- endfor -%}
    {{ return(expressions) }}
{%- endmacro %}
