{{ config(materialized='ephemeral') }}

{#- Rejected raw rows with their reason and the raw values exactly as received, read back from
    staging so that the stored judgement stays lean. Ephemeral: the raw values hold personal data
    in clear text, which no relation outside staging may hold (stg_events_quarantine shows it). -#}
with judged as (
    select * from {{ ref('int_events__judged') }}
),

raw_events as (
    select * from {{ ref('stg_raw_events') }}
),

malformed_lines as (
    select * from {{ ref('stg_raw_events_malformed') }}
),

quarantined as (
    select
        judged.source_file,
        judged.raw_row_number,
        judged.reason,
        judged.owner_team,
        judged.received_date,
        judged.event_name as resolved_event_name,
        {%- for column_name in raw_event_columns() %}
        raw_events.raw_{{ column_name }} as {{ column_name }},
        {%- endfor %}
        malformed_lines.source_line_number,
        malformed_lines.malformed_error,
        malformed_lines.malformed_text
    from judged
    left join raw_events
        on
            judged.source_file = raw_events.source_file
            and judged.raw_row_number = raw_events.raw_row_number
    left join malformed_lines
        on
            judged.source_file = malformed_lines.source_file
            and judged.raw_row_number = malformed_lines.raw_row_number
    where not judged.is_clean
)

select * from quarantined
