{#- The ten columns of the raw event format (contract, "Raw event format"). -#}
{% macro raw_event_columns() -%}
    {{ return(['insert_id', 'event_name', 'user_id', 'device_id', 'event_time', 'received_at',
               'platform', 'app_version', 'country', 'properties']) }}
{%- endmacro %}

{#- How to read the raw source `source('raw', 'events')`, as a dict: `relation` (what the
    engine reads), `source_file_sql` (the file a row came from), `row_number_sql` (its 1-based
    position in that file, or none when the scan order gives it) and `label` (the source_file of
    every row of the sample, or none when rows carry their own file name). The var
    `raw_events_path` names a CSV or Parquet file or glob; empty means the sample, the
    `raw_events` seed's file (raw_events_sample_source). -#}
{% macro raw_events_source(source_relation) -%}
    {%- set raw_path = var('raw_events_path', '') | string | trim -%}
    {%- if raw_path == '' -%}
        {{ return(adapter.dispatch('raw_events_sample_source', 'product_metrics')(source_relation)) }}
    {%- endif -%}
    {%- set file_source = adapter.dispatch('raw_events_file_source', 'product_metrics')(raw_path) -%}
    {%- do file_source.update({'label': none}) -%}
    {{ return(file_source) }}
{%- endmacro %}

{#- The sample's rows are labelled `seed:raw_events` on every engine, whatever reads them. -#}
{% macro raw_events_sample_label() -%}
    {{ return('seed:raw_events') }}
{%- endmacro %}

{#- DuckDB reads the sample CSV file in place with the same reader as any raw CSV file (its own
    header, malformed lines set aside), so an empty database needs no loaded seed. -#}
{% macro default__raw_events_sample_source(source_relation) -%}
    {{ return({
        'relation': csv_raw_events_relation(raw_events_sample_path()),
        'source_file_sql': sql_text_literal(raw_events_sample_label()),
        'row_number_sql': none,
        'label': raw_events_sample_label(),
    }) }}
{%- endmacro %}

{#- Spark cannot pass CSV options in a query: the source is the `raw_events` seed table, loaded
    first with each row's position in the file (spark__load_csv_rows). -#}
{% macro spark__raw_events_sample_source(source_relation) -%}
    {{ return({
        'relation': source_relation,
        'source_file_sql': sql_text_literal(raw_events_sample_label()),
        'row_number_sql': seed_row_number_column(),
        'label': raw_events_sample_label(),
    }) }}
{%- endmacro %}

{#- The sample file: the CSV file of the `raw_events` seed, as an absolute path. -#}
{% macro raw_events_sample_path() -%}
    {%- if not execute -%}{{ return('seeds/raw_events.csv') }}{%- endif -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'seed' and node.package_name == project_name and node.name == 'raw_events' -%}
            {{ return(node.root_path ~ '/' ~ node.original_file_path) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "var raw_events_path is empty and the sample seeds/raw_events.csv is missing: set raw_events_path to your raw files"
    ) }}
{%- endmacro %}

{#- The CSV file or glob DuckDB reads the raw events from (the sample or `raw_events_path`), or
    none when the input has no CSV lines (Parquet files; the seed table on Spark). -#}
{% macro raw_events_csv_path() -%}
    {%- set raw_path = var('raw_events_path', '') | string | trim -%}
    {%- if target.type != 'duckdb' -%}{{ return(none) }}{%- endif -%}
    {%- if raw_path == '' -%}{{ return(raw_events_sample_path()) }}{%- endif -%}
    {{ return(raw_path if (raw_path | lower).endswith(('.csv', '.csv.gz')) else none) }}
{%- endmacro %}

{#- The raw rows of the source, numbered: `source_file`, `raw_row_number` (1-based position in
    its file) and the ten raw columns as text, exactly as received. Both staging models that read
    rows of the source (stg_raw_events, stg_event_properties) number them with this one macro, so
    their keys agree. -#}
{% macro numbered_raw_rows(raw_source) -%}
    {%- set text_type = dbt.type_string() -%}
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
        cast({{ adapter.quote(column_name) }} as {{ text_type }}) as {{ column_name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            {{ raw_source.source_file_sql }} as located_source_file,
            {%- if raw_source.row_number_sql %}
            {{ raw_source.row_number_sql }} as located_row_number
            {%- else %}
            -- DuckDB keeps scan order (preserve_insertion_order), so positions follow the file.
            row_number() over () as located_row_number
            {%- endif %}
        from {{ raw_source.relation }}
    ) as located
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
    loading (a landed file is never changed; a changed file needs --full-refresh). The loaded
    files are listed as constants, read from the stored table when the model compiles: a
    constant filter reaches down through the views the model reads (to the Parquet scan, past
    the parsing and the joins), where a subquery would be applied only after every raw row was
    judged. -#}
{% macro only_unloaded_files(source_file_column='source_file') -%}
    {%- if is_incremental() -%}
        {%- set loaded = run_query('select distinct source_file from ' ~ this ~ ' order by 1').columns[0].values() | list -%}
        {%- if loaded %}
    where {{ source_file_column }} not in (
        {%- for loaded_file in loaded %}{{ sql_text_literal(loaded_file) }}{{ ', ' if not loop.last }}{% endfor -%}
    )
        {%- endif -%}
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
