{#- dbt-spark's session cursor pastes seed values between quotes without escaping them, so a
    seed value with an apostrophe, a backslash or a percent sign breaks the insert. Values are
    written here as escaped Spark SQL literals instead. A seed with `meta: {keep_row_order: true}`
    also gets its rows' 1-based positions in the file (seed_row_number_column): Spark tables
    have no row order, and the raw events' positions decide which copy of a duplicate wins. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set keep_row_order = model['config'].get('meta', {}).get('keep_row_order', false) -%}
    {%- set batch_size = get_batch_size() -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set chunk_start = loop.index0 * batch_size -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                {%- set row_number = chunk_start + loop.index -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set column_type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- set value = row[loop.index0] -%}
                    cast({{ spark_seed_literal(value) }} as {{ column_type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
                {%- if keep_row_order %}, cast({{ row_number }} as bigint){% endif -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{#- The seed table: the CSV's columns, plus the row-number column for seeds that keep their
    row order (see spark__load_csv_rows). -#}
{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', none) -%}
    {%- set keep_row_order = model['config'].get('meta', {}).get('keep_row_order', false) -%}
    {%- set sql -%}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names %}
            {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }}
            {{ column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) }}
            {%- if not loop.last or keep_row_order %},{% endif %}
            {%- endfor %}
            {%- if keep_row_order %}
            {{ seed_row_number_column() }} bigint
            {%- endif %}
        )
        {{ file_format_clause() }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {%- endset -%}
    {%- call statement('_') -%}
        {{ sql }}
    {%- endcall -%}
    {{ return(sql) }}
{% endmacro %}

{#- A seed value as a Spark SQL literal: backslashes and quotes escaped, null as null. -#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{#- Spark check only (`metrics_tools spark-check`): copies views into Parquet tables of a `spark_check`
    schema, so their rows can be read from the files and compared with DuckDB. -#}
{% macro spark_materialize_views(schema_name, model_names) %}
    {%- do run_query('create database if not exists ' ~ schema_name) -%}
    {%- for model_name in model_names -%}
        {%- do run_query('drop table if exists ' ~ schema_name ~ '.' ~ model_name) -%}
        {%- do run_query(
            'create table ' ~ schema_name ~ '.' ~ model_name ~ ' using parquet as select * from staging.' ~ model_name
        ) -%}
        {{ log('materialized staging.' ~ model_name ~ ' as ' ~ schema_name ~ '.' ~ model_name, info=true) }}
    {%- endfor -%}
{% endmacro %}
