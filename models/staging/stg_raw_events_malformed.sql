{#- Raw CSV lines that cannot be read into the ten columns (too many or too few fields, an
    unclosed quote, a line beyond the reader's size limit, bytes that are not UTF-8). DuckDB skips
    them while reading and records each in temporary reject tables of the connection; the
    pre-hook reads the files once to fill those tables (and to count each file's good rows),
    and this model keeps them, so that they reach the quarantine as `malformed_row` instead of
    stopping the load. Parquet files (and Spark's seed table) have no such lines: the model is
    then empty. -#}
{#- The source is read by the pre-hook (DuckDB fills its reject tables while reading). -#}
{%- set raw_source = raw_events_source(source('raw', 'events')) -%}
{%- set reads_csv = raw_events_csv_path() is not none -%}
{%- set rejects = {'errors': 'raw_csv_reject_errors', 'scans': 'raw_csv_reject_scans'} -%}
{%- set text_type = dbt.type_string() -%}
{%- if reads_csv %}
{{ config(materialized='table', pre_hook=[
    "drop table if exists " ~ rejects.errors,
    "drop table if exists " ~ rejects.scans,
    "{{ count_readable_csv_rows(raw_events_csv_path(), "
    ~ "{'errors': '" ~ rejects.errors ~ "', 'scans': '" ~ rejects.scans ~ "'}) }}",
]) }}

with reject_errors as (
    select * from {{ rejects.errors }}
),

reject_scans as (
    select * from {{ rejects.scans }}
),

parsed_rows as (
    select * from raw_csv_parsed_rows
),

rejected_lines as (
    -- A line can break several rules (one error per missing field): it is one malformed row.
    select
        reject_scans.file_path as source_file,
        reject_errors.line as source_line_number,
        min(reject_errors.error_message) as malformed_error,
        min(reject_errors.csv_line) as malformed_text
    from reject_errors
    inner join reject_scans
        on
            reject_errors.scan_id = reject_scans.scan_id
            and reject_errors.file_id = reject_scans.file_id
    group by reject_scans.file_path, reject_errors.line
),

final as (
    -- Numbered after the file's readable rows, so (source_file, raw_row_number) stays a key.
    select
        {%- set file_sql = sql_text_literal(raw_source.label) if raw_source.label else 'rejected_lines.source_file' %}
        cast({{ file_sql }} as {{ text_type }}) as source_file,
        cast(
            coalesce(parsed_rows.parsed_rows, 0)
            + row_number() over (partition by rejected_lines.source_file order by rejected_lines.source_line_number)
            as bigint
        ) as raw_row_number,
        cast(rejected_lines.source_line_number as bigint) as source_line_number,
        cast(rejected_lines.malformed_error as {{ text_type }}) as malformed_error,
        cast(left(rejected_lines.malformed_text, 10240) as {{ text_type }}) as malformed_text
    from rejected_lines
    left join parsed_rows
        on rejected_lines.source_file = parsed_rows.source_file
)

select * from final
{%- else %}
{{ config(materialized='table') }}

with no_lines as (
    select
        cast(null as {{ text_type }}) as source_file,
        cast(null as bigint) as raw_row_number,
        cast(null as bigint) as source_line_number,
        cast(null as {{ text_type }}) as malformed_error,
        cast(null as {{ text_type }}) as malformed_text
)

select * from no_lines
where source_file is not null
{%- endif %}
