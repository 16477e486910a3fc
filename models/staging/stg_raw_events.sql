{%- set raw_source = raw_events_source() -%}
{%- set text_type = dbt.type_string() -%}
{{- assert_raw_event_columns(raw_source.relation) }}

with raw_source as (
    select * from {{ raw_source.relation }}
),

located as (
    select
        *,
        {{ raw_source.source_file_sql }} as located_source_file,
    {%- if raw_source.row_number_sql %}
        {{ raw_source.row_number_sql }} as located_row_number
        {%- else %}
    -- DuckDB keeps scan order (preserve_insertion_order), so positions follow the file.
    row_number() over () as located_row_number
    {%- endif %}
    from raw_source
),

numbered as (
    select
        cast(located_source_file as {{ text_type }}) as source_file,
        {%- if raw_source.row_number_sql %}
        cast(located_row_number as bigint) as raw_row_number,
        {%- else %}
        cast(
            located_row_number - min(located_row_number) over (partition by located_source_file) + 1 as bigint
        ) as raw_row_number,
        {%- endif %}
        {%- for column_name in raw_event_columns() %}
        cast({{ adapter.quote(column_name) }} as {{ text_type }}) as {{ column_name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from located
)

select * from numbered
