{#- The ten columns of the raw event format (contract, "Raw event format"). -#}
{% macro raw_event_columns() -%}
    {{ return(['insert_id', 'event_name', 'user_id', 'device_id', 'event_time', 'received_at',
               'platform', 'app_version', 'country', 'properties']) }}
{%- endmacro %}

{#- Where raw events come from: the `raw_events` seed by default, or the CSV/Parquet file
    (or glob) named by the var `raw_events_path`, read in place. Every column is read as text,
    as an SDK sends it. -#}
{% macro raw_events_relation() -%}
    {%- set raw_path = var('raw_events_path', '') | string | trim -%}
    {%- if raw_path == '' -%}
        {{ ref('raw_events') }}
    {%- else -%}
        {{ return(adapter.dispatch('raw_events_file_relation', 'product_metrics')(raw_path)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__raw_events_file_relation(raw_path) -%}
    {%- set quoted_path = "'" ~ (raw_path | replace("'", "''")) ~ "'" -%}
    {%- set lowered = raw_path | lower -%}
    {%- if lowered.endswith('.parquet') -%}
        read_parquet({{ quoted_path }}, union_by_name = true)
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz') -%}
        read_csv(
            {{ quoted_path }},
            header = true,
            all_varchar = true,
            delim = ',',
            quote = '"',
            escape = '"',
            union_by_name = true
        )
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var raw_events_path = '" ~ raw_path ~ "': expected a .csv, .csv.gz or .parquet file or glob"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- Fails the build, naming the input and the column, when a required raw column is missing.
    Runs only at execution time (the relation may not exist while dbt parses). -#}
{% macro assert_raw_event_columns(relation_sql) -%}
    {%- if execute -%}
        {%- set probe = run_query('select * from ' ~ relation_sql ~ ' limit 0') -%}
        {%- set present = probe.column_names | map('lower') | list -%}
        {%- set missing = [] -%}
        {%- for column_name in raw_event_columns() -%}
            {%- if column_name not in present -%}
                {%- do missing.append(column_name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if missing -%}
            {%- set source_name = var('raw_events_path', '') or 'seed raw_events' -%}
            {{ exceptions.raise_compiler_error(
                "raw events input " ~ source_name ~ " is missing required column(s): "
                ~ missing | join(', ') ~ " (found: " ~ present | join(', ') ~ ")"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
