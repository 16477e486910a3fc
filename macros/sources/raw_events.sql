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
    {%- set lowered = raw_path | lower -%}
    {%- if lowered.endswith('.parquet') -%}
        {%- do raw_event_files(raw_path) -%}
        {%- set relation -%}
            read_parquet(
                {{ sql_text_literal(raw_path) }}, union_by_name = true, filename = '_raw_source_file', file_row_number = true
            )
        {%- endset -%}
        {{ return({'relation': relation, 'source_file_sql': '_raw_source_file', 'row_number_sql': 'file_row_number + 1'}) }}
    {%- elif lowered.endswith('.csv') or lowered.endswith('.csv.gz') -%}
        {{ return({'relation': csv_raw_events_relation(raw_path), 'source_file_sql': '_raw_source_file', 'row_number_sql': none}) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var raw_events_path = '" ~ raw_path ~ "': expected a .csv, .csv.gz or .parquet file or glob"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- The files a raw_events_path glob matches now, in name order; fails naming the var and the path
    when it matches none. Empty at parse time. -#}
{% macro raw_event_files(raw_path) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set files = run_query('select file from glob(' ~ sql_text_literal(raw_path) ~ ') order by file').columns[0].values() | list -%}
    {%- if files | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "var raw_events_path = '" ~ raw_path ~ "' matches no file: check the path (a relative path is read from "
            ~ "the directory dbt runs in) or leave the var empty to use the raw_events seed"
        ) }}
    {%- endif -%}
    {{ return(files) }}
{%- endmacro %}

{#- CSV options shared by every read of raw CSV files: the dialect is fixed (RFC 4180, header
    line), never sniffed, because a sniffer gives up on a file with one malformed line. -#}
{% macro csv_read_options(columns) -%}
    header = true, auto_detect = false, delim = ',', quote = '"', escape = '"',
    columns = { {%- for column_name in columns %}{{ sql_text_literal(column_name) }}: 'varchar'{{ ', ' if not loop.last }}{% endfor -%} },
    filename = '_raw_source_file'
{%- endmacro %}

{#- The header of each raw CSV file, as {file: [column names as written]}, read from its first
    line only. Files are grouped by header so that files with other column orders or extra
    columns still load by name. -#}
{% macro csv_headers_by_file(files) -%}
    {%- set headers = {} -%}
    {%- if files -%}
        {%- set header_sql -%}
            {%- for file in files %}
            select {{ loop.index }} as file_index, header_line
            from (
                select header_line
                from read_csv(
                    {{ sql_text_literal(file) }}, header = false, auto_detect = false, delim = chr(31), quote = '',
                    escape = '', strict_mode = false, columns = {'header_line': 'varchar'},
                    ignore_errors = true
                )
                limit 1
            )
            {{ 'union all' if not loop.last }}
            {%- endfor %}
        {%- endset -%}
        {%- set result = run_query(header_sql) -%}
        {%- for row in result.rows -%}
            {%- set names = [] -%}
            {%- for name in (row[1] or '').replace('\ufeff', '').split(',') -%}
                {%- do names.append(name.strip().strip('"').strip()) -%}
            {%- endfor -%}
            {%- do headers.update({files[row[0] - 1]: names}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(headers) }}
{%- endmacro %}

{#- Every raw CSV file read with its own header, malformed lines skipped (they are read, with
    their line number and text, by stg_raw_events_malformed). `rejects` names the temporary
    tables where DuckDB records the skipped lines, or none. The filter on all ten columns makes
    every read check every column's encoding, so each read skips the same lines. -#}
{% macro csv_raw_events_relation(raw_path, rejects=none) -%}
    {%- if not execute -%}
        {#- Parsing renders the model without reading files; any relation with the columns will do. -#}
        {%- set placeholder_columns = [] -%}
        {%- for column_name in raw_event_columns() -%}
            {%- do placeholder_columns.append("'' as " ~ column_name) -%}
        {%- endfor -%}
        {{ return("(select '' as _raw_source_file, " ~ placeholder_columns | join(', ') ~ ")") }}
    {%- endif -%}
    {%- set files = raw_event_files(raw_path) -%}
    {%- set headers = csv_headers_by_file(files) -%}
    {%- set groups = {} -%}
    {%- for file in files -%}
        {%- do headers.setdefault(file, []) -%}
        {%- set lowered = headers[file] | map('lower') | list -%}
        {%- set missing = [] -%}
        {%- for column_name in raw_event_columns() -%}
            {%- if column_name not in lowered -%}{%- do missing.append(column_name) -%}{%- endif -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "raw events file " ~ file ~ " (var raw_events_path = '" ~ raw_path ~ "') is missing required column(s): "
                ~ missing | join(', ') ~ " (its header: " ~ headers[file] | join(', ') ~ ")"
            ) }}
        {%- endif -%}
        {%- set key = headers[file] | join(',') -%}
        {%- do groups.setdefault(key, {'columns': headers[file], 'files': []}) -%}
        {%- do groups[key]['files'].append(file) -%}
    {%- endfor -%}
    {%- set relation -%}
        (
            select *
            from (
                {%- for group in groups.values() %}
                select
                    _raw_source_file,
                    {%- for column_name in raw_event_columns() %}
                    {{ adapter.quote(group['columns'][(group['columns'] | map('lower') | list).index(column_name)]) }} as {{ column_name }}{{ ',' if not loop.last }}
                    {%- endfor %}
                from read_csv(
                    [{%- for file in group['files'] %}{{ sql_text_literal(file) }}{{ ', ' if not loop.last }}{% endfor -%}],
                    {{ csv_read_options(group['columns']) }},
                    ignore_errors = true
                    {%- if rejects %},
                    store_rejects = true,
                    rejects_table = '{{ rejects.errors }}',
                    rejects_scan = '{{ rejects.scans }}'
                    {%- endif %}
                )
                {{ 'union all' if not loop.last }}
                {%- endfor %}
            ) as raw_csv_rows
            where length(concat({{ raw_event_columns() | join(', ') }})) >= 0
        )
    {%- endset -%}
    {{ return(relation) }}
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

{#- Reads raw CSV files once, counting each file's readable rows into the temporary table
    `raw_csv_parsed_rows`, while DuckDB records the lines it skips in the `rejects` tables
    (pre-hook of stg_raw_events_malformed). -#}
{% macro count_readable_csv_rows(raw_path, rejects) -%}
    create or replace temporary table raw_csv_parsed_rows as
    select
        _raw_source_file as source_file,
        count(*) as parsed_rows
    from {{ csv_raw_events_relation(raw_path, rejects) }} as raw_rows
    group by _raw_source_file
{%- endmacro %}
