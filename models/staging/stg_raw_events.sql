{%- set raw_source = raw_events_source() -%}
{%- set text_type = dbt.type_string() -%}
{{- assert_raw_event_columns(raw_source.relation) }}

with raw_source as (
    select * from {{ raw_source.relation }}
),

malformed_lines as (
    select * from {{ ref('stg_raw_events_malformed') }}
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
        cast({{ adapter.quote(column_name) }} as {{ text_type }}) as {{ column_name }},
        {%- endfor %}
        cast(null as bigint) as source_line_number,
        cast(null as {{ text_type }}) as malformed_error,
        cast(null as {{ text_type }}) as malformed_text
    from located
),

unreadable as (
    select
        source_file,
        raw_row_number,
        {%- for column_name in raw_event_columns() %}
        cast(null as {{ text_type }}) as {{ column_name }},
        {%- endfor %}
        source_line_number,
        malformed_error,
        malformed_text
    from malformed_lines
),

final as (
    select * from numbered
    union all
    select * from unreadable
)

select * from final
