{#- dbt-spark's session cursor pastes seed values between quotes without escaping them, so a
    seed value with an apostrophe, a backslash or a percent sign breaks the insert. Values are
    written here as escaped Spark SQL literals instead. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set column_type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- set value = row[loop.index0] -%}
                    cast({{ spark_seed_literal(value) }} as {{ column_type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
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

{#- Spark check only: registers staging tables exported from a DuckDB build (Parquet files named
    after the models) in the Spark catalog, so the layers above staging can be built on Spark and
    compared with DuckDB. -#}
{% macro spark_register_staging_exports(export_dir, model_names) %}
    {%- do run_query('create database if not exists staging') -%}
    {%- for model_name in model_names -%}
        {%- do run_query('drop table if exists staging.' ~ model_name) -%}
        {%- do run_query(
            'create table staging.' ~ model_name ~ ' using parquet as select * from parquet.`'
            ~ export_dir ~ '/' ~ model_name ~ '.parquet`'
        ) -%}
        {{ log('registered staging.' ~ model_name, info=true) }}
    {%- endfor -%}
{% endmacro %}
