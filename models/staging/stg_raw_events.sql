{%- set raw_relation = raw_events_relation() -%}
{{- assert_raw_event_columns(raw_relation) }}

with raw_source as (
    select * from {{ raw_relation }}
),

numbered as (
    select
        -- Input order is the tie-breaker of last resort for duplicates, so it is kept.
        row_number() over () as raw_row_number,
        {%- for column_name in raw_event_columns() %}
        cast({{ adapter.quote(column_name) }} as varchar) as {{ column_name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from raw_source
)

select * from numbered
