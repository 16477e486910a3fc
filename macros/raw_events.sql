{#- The ten columns of the raw event format (contract, "Raw event format"). -#}
{% macro raw_event_columns() -%}
    {{ return(['insert_id', 'event_name', 'user_id', 'device_id', 'event_time', 'received_at',
               'platform', 'app_version', 'country', 'properties']) }}
{%- endmacro %}

{#- Where raw events come from, as a dict with the relation to read and how to name each row:
    `relation` (the `raw_events` seed by default, or the CSV/Parquet file or glob named by the
    var `raw_events_path`, read in place with every column as text), `source_file_sql` (the file a
    row came from) and `row_number_sql` (its 1-based position in that file, or null when it must
    be derived from the scan order, which DuckDB preserves). -#}
{% macro raw_events_source() -%}
    {%- set raw_path = var('raw_events_path', '') | string | trim -%}
    {%- if raw_path == '' -%}
        {{ return({
            'relation': ref('raw_events'),
            'source_file_sql': "'seed:raw_events'",
            'row_number_sql': adapter.dispatch('seed_row_number_sql', 'product_metrics')()
        }) }}
    {%- endif -%}
    {{ return(adapter.dispatch('raw_events_file_source', 'product_metrics')(raw_path)) }}
{%- endmacro %}

{#- How the rows of a seed are numbered: DuckDB keeps the file order when it scans; a Spark
    table has no row order, so seeds with `meta: {keep_row_order: true}` are loaded with their
    row number (spark__load_csv_rows). -#}
{% macro default__seed_row_number_sql() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__seed_row_number_sql() -%}
    {{ return(seed_row_number_column()) }}
{%- endmacro %}

{#- The column that holds a seed row's 1-based position in its CSV file where the engine needs one. -#}
{% macro seed_row_number_column() -%}
    {{ return('_seed_row_number') }}
{%- endmacro %}

{#- The loader's own file-name column is `_raw_source_file`, not DuckDB's default `filename`, so
    that a raw file with an extra column called `filename` still loads (extra columns are
    ignored). -#}
{% macro default__raw_events_file_source(raw_path) -%}
    {%- set quoted_path = "'" ~ (raw_path | replace("'", "''")) ~ "'" -%}
    {%- set lowered = raw_path | lower -%}
    {%- if lowered.endswith('.parquet') -%}
        {%- set relation -%}
            read_parquet(
                {{ quoted_path }}, union_by_name = true, filename = '_raw_source_file', file_row_number = true
            )
        {%- endset -%}
        {{ return({'relation': relation, 'source_file_sql': '_raw_source_file', 'row_number_sql': 'file_row_number + 1'}) }}
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz') -%}
        {%- set relation -%}
            read_csv(
                {{ quoted_path }},
                header = true,
                all_varchar = true,
                delim = ',',
                quote = '"',
                escape = '"',
                union_by_name = true,
                filename = '_raw_source_file'
            )
        {%- endset -%}
        {{ return({'relation': relation, 'source_file_sql': '_raw_source_file', 'row_number_sql': none}) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var raw_events_path = '" ~ raw_path ~ "': expected a .csv, .csv.gz or .parquet file or glob"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- Spark reads Parquet files in place; `_metadata` gives each row's file and position in it.
    Spark SQL cannot pass CSV options (header, quoting) in a query, so CSV input must be
    converted to Parquet first. -#}
{% macro spark__raw_events_file_source(raw_path) -%}
    {%- if not (raw_path | lower).endswith('.parquet') -%}
        {{ exceptions.raise_compiler_error(
            "var raw_events_path = '" ~ raw_path ~ "': on Spark, raw events are read from .parquet files or globs "
            ~ "(convert CSV to Parquet first)"
        ) }}
    {%- endif -%}
    {%- set relation -%}
        (
            select
                *,
                regexp_replace(_metadata.file_path, '^file:(//)?', '') as _raw_source_file,
                _metadata.row_index + 1 as _raw_row_number
            from parquet.`{{ raw_path | replace('`', '``') }}`
        ) as raw_file_rows
    {%- endset -%}
    {{ return({'relation': relation, 'source_file_sql': '_raw_source_file', 'row_number_sql': '_raw_row_number'}) }}
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

{#- Raw rows not yet loaded by the incremental model being built: files are the unit of
    loading (a landed file is never changed; a changed file needs --full-refresh). -#}
{% macro only_unloaded_files(source_file_column='source_file') -%}
    {%- if is_incremental() -%}
        where {{ source_file_column }} not in (select distinct loaded.source_file from {{ this }} as loaded)
    {%- endif -%}
{%- endmacro %}

{#- Fails an incremental run, naming the model and the columns, when the stored table lacks
    columns the model reads back from it: the table was built by an older version of the model,
    and only a full refresh rebuilds it (otherwise the run dies on a bare binder error). -#}
{% macro assert_stored_columns(relation, column_names) -%}
    {%- if execute -%}
        {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- set missing = [] -%}
        {%- for column_name in column_names -%}
            {%- if column_name | lower not in present -%}
                {%- do missing.append(column_name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "model " ~ model.name ~ ": the stored table " ~ relation ~ " lacks column(s) " ~ missing | join(', ')
                ~ ": it was built by an older version of the model. Rebuild it with "
                ~ "`dbt build --full-refresh --select " ~ model.name ~ "+`"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
