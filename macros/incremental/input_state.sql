{#- Input state (contract v2): after any run, every model holds what a full refresh over the
    current inputs would hold. The inputs are the raw source (the seed, or every file the
    `raw_events_path` glob matches now), the reference seeds, the vars that shape results, and
    the SQL of the project's models (dbt gives hooks no view of macro code: a changed macro
    needs `--full-refresh`). on-run-start compares them with those of the last
    complete build; when only new raw files arrived, incremental models load just those; any
    other change rebuilds every incremental model in full (var `on_input_change: rebuild`, the
    default) or stops the run before it writes anything (`fail`). on-run-end records the inputs
    once every incremental model was built, so a run that failed or was killed is judged again
    by the next one. -#}

{#- Vars whose value changes what the models hold. Vars that only steer a run (severities,
    `on_input_change`) are not inputs; `raw_events_path` is covered by the file list. -#}
{% macro input_state_vars() -%}
    {{ return(['session_gap_minutes', 'future_tolerance_hours', 'wau_window_days', 'mau_window_days',
               'retention_day_numbers', 'retention_max_week_number', 'default_plan',
               'personal_data_property_keys', 'earliest_valid_time', 'latest_valid_time',
               'placeholder_ids', 'session_end_label', 'reporting_timezone']) }}
{%- endmacro %}

{#- The database of the input-state tables: the target's, on engines that have one (Spark has
    only schemas). -#}
{% macro input_state_database() -%}
    {{ return(target.database if target.database is defined else none) }}
{%- endmacro %}

{#- Where the recorded and the pending input states live (the staging schema). -#}
{% macro input_state_relation(identifier) -%}
    {{ return(api.Relation.create(
        database=input_state_database(),
        schema=generate_schema_name('staging', none) | trim,
        identifier=identifier,
        type='table'
    )) }}
{%- endmacro %}

{#- The raw files a glob matches now: {path: 'size|modification time'}. -#}
{% macro raw_file_fingerprints(raw_path) -%}
    {{ return(adapter.dispatch('raw_file_fingerprints', 'product_metrics')(raw_path)) }}
{%- endmacro %}

{% macro default__raw_file_fingerprints(raw_path) -%}
    {%- do raw_event_files(raw_path) -%}
    {%- set result = run_query(
        'select filename, cast(size as varchar) || \'|\' || cast(last_modified as varchar) from read_blob('
        ~ sql_text_literal(raw_path) ~ ') order by filename'
    ) -%}
    {%- set fingerprints = {} -%}
    {%- for row in result.rows -%}
        {%- do fingerprints.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(fingerprints) }}
{%- endmacro %}

{% macro spark__raw_file_fingerprints(raw_path) -%}
    {%- set result = run_query(
        'select distinct regexp_replace(_metadata.file_path, \'^file:(//)?\', \'\'), '
        ~ 'concat(cast(_metadata.file_size as string), \'|\', cast(_metadata.file_modification_time as string)) '
        ~ 'from parquet.`' ~ raw_path | replace('`', '``') ~ '`'
    ) -%}
    {%- set fingerprints = {} -%}
    {%- for row in result.rows -%}
        {%- do fingerprints.update({row[0]: row[1]}) -%}
    {%- endfor -%}
    {{ return(fingerprints) }}
{%- endmacro %}

{#- A seed file's size and modification time, for seeds dbt checksums by path only (over
    1 MB); engines that cannot read file metadata keep dbt's checksum. -#}
{% macro seed_file_fingerprint(path, checksum) -%}
    {{ return(adapter.dispatch('seed_file_fingerprint', 'product_metrics')(path, checksum)) }}
{%- endmacro %}

{% macro default__seed_file_fingerprint(path, checksum) -%}
    {{ return(raw_file_fingerprints(path).values() | join(',')) }}
{%- endmacro %}

{% macro spark__seed_file_fingerprint(path, checksum) -%}
    {{ return(checksum) }}
{%- endmacro %}

{#- The current inputs as a list of [component, item, fingerprint]. -#}
{% macro current_input_state() -%}
    {%- set state = [] -%}
    {%- set raw_path = var('raw_events_path', '') | string | trim -%}
    {%- set code_checksums = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.package_name == project_name and node.resource_type == 'seed' -%}
            {#- dbt checksums a seed over 1 MB by its path only: its size and time stand in. -#}
            {%- set fingerprint = node.checksum.checksum if node.checksum.name != 'path'
                else seed_file_fingerprint(node.root_path ~ '/' ~ node.original_file_path, node.checksum.checksum) -%}
            {%- if node.name != 'raw_events' -%}
                {%- do state.append(['seed', node.name, fingerprint]) -%}
            {%- elif raw_path == '' -%}
                {%- do state.append(['raw_source', 'seed raw_events', fingerprint]) -%}
            {%- endif -%}
        {%- elif node.package_name == project_name and node.resource_type == 'model' -%}
            {%- do code_checksums.append(node.checksum.checksum) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do state.append(['code', 'models', local_md5(code_checksums | join(','))]) -%}
    {%- if raw_path != '' -%}
        {%- for path, fingerprint in raw_file_fingerprints(raw_path).items() -%}
            {%- do state.append(['raw_file', path, fingerprint]) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for var_name in input_state_vars() -%}
        {%- do state.append(['var', var_name, tojson(var(var_name, none))]) -%}
    {%- endfor -%}
    {{ return(state) }}
{%- endmacro %}

{#- What differs between the recorded inputs and the current ones, in words; new raw files
    alone are no change (they are what an incremental run loads). -#}
{% macro input_state_changes(recorded, current) -%}
    {%- set changes = [] -%}
    {%- set recorded_by_key = {} -%}
    {%- set current_by_key = {} -%}
    {%- for row in recorded -%}{%- do recorded_by_key.update({row[0] ~ ':' ~ row[1]: row}) -%}{%- endfor -%}
    {%- for row in current -%}{%- do current_by_key.update({row[0] ~ ':' ~ row[1]: row}) -%}{%- endfor -%}
    {%- set recorded_source = 'the raw_events seed' if 'raw_source:seed raw_events' in recorded_by_key else 'raw files' -%}
    {%- set current_source = 'the raw_events seed' if 'raw_source:seed raw_events' in current_by_key else "raw files ('" ~ var('raw_events_path', '') ~ "')" -%}
    {%- if (recorded_source == 'the raw_events seed') != (current_source == 'the raw_events seed') -%}
        {%- do changes.append('raw source switched from ' ~ recorded_source ~ ' to ' ~ current_source) -%}
    {%- else -%}
        {%- for key, row in recorded_by_key.items() -%}
            {%- set now = current_by_key.get(key) -%}
            {%- if row[0] == 'raw_file' and now is none -%}
                {%- do changes.append('raw file ' ~ row[1] ~ ' is gone') -%}
            {%- elif row[0] in ('raw_file', 'raw_source') and now is not none and now[2] != row[2] -%}
                {%- do changes.append(('raw file ' ~ row[1] if row[0] == 'raw_file' else 'seed raw_events') ~ ' changed') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- for key, row in current_by_key.items() -%}
        {%- set before = recorded_by_key.get(key) -%}
        {%- if row[0] == 'seed' and (before is none or before[2] != row[2]) -%}
            {%- do changes.append('seed ' ~ row[1] ~ ' changed') -%}
        {%- elif row[0] == 'var' and (before is none or before[2] != row[2]) -%}
            {%- do changes.append('var ' ~ row[1] ~ ' changed from ' ~ (before[2] if before else 'unset') ~ ' to ' ~ row[2]) -%}
        {%- elif row[0] == 'code' and (before is none or before[2] != row[2]) -%}
            {%- do changes.append('the project\'s model code changed') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for key, row in recorded_by_key.items() -%}
        {%- if row[0] == 'seed' and key not in current_by_key -%}
            {%- do changes.append('seed ' ~ row[1] ~ ' was removed') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(changes) }}
{%- endmacro %}

{#- Rows of a state table, or none when it does not exist. -#}
{% macro read_input_state(identifier) -%}
    {%- set relation = adapter.get_relation(
        database=input_state_database(), schema=generate_schema_name('staging', none) | trim, identifier=identifier
    ) -%}
    {%- if relation is none -%}{{ return(none) }}{%- endif -%}
    {%- set result = run_query('select component, item, fingerprint from ' ~ relation) -%}
    {%- set rows = [] -%}
    {%- for row in result.rows -%}{%- do rows.append([row[0], row[1], row[2]]) -%}{%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}

{#- True when the database holds any incremental model of the project (so it has history). -#}
{% macro has_incremental_history() -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.package_name == project_name and node.resource_type == 'model'
            and node.config.materialized == 'incremental' -%}
            {%- if adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) is not none -%}
                {{ return(true) }}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(false) }}
{%- endmacro %}

{#- Writes rows of [component, item, fingerprint] as a table, replacing it. -#}
{% macro write_input_state(identifier, rows) -%}
    {%- set relation = input_state_relation(identifier) -%}
    {%- do adapter.create_schema(relation) -%}
    {%- set select_rows = [] -%}
    {%- for row in rows -%}
        {%- do select_rows.append(
            'select ' ~ sql_text_literal(row[0]) ~ ' as component, ' ~ sql_text_literal(row[1]) ~ ' as item, '
            ~ sql_text_literal(row[2]) ~ ' as fingerprint'
        ) -%}
    {%- endfor -%}
    {%- do run_query('drop table if exists ' ~ relation) -%}
    {%- do run_query('create table ' ~ relation ~ ' as ' ~ select_rows | join(' union all ')) -%}
    {#- dbt's relation cache only knows what existed when the run started. -#}
    {%- do adapter.cache_added(relation) -%}
{%- endmacro %}

{#- on-run-start: compare the inputs with those of the last complete build and decide. -#}
{% macro check_input_state() -%}
    {%- if execute and flags.WHICH in ('build', 'run', 'retry') -%}
        {%- set current = current_input_state() -%}
        {%- set recorded = read_input_state('dbt_input_state') -%}
        {%- if recorded is none -%}
            {%- set changes = ['no record of the inputs the stored tables were built from'] if has_incremental_history() else [] -%}
        {%- else -%}
            {%- set changes = input_state_changes(recorded, current) -%}
        {%- endif -%}
        {%- set rebuild = changes | length > 0 and not flags.FULL_REFRESH -%}
        {%- if rebuild -%}
            {%- set summary = changes[:3] | join('; ') ~ ('; and ' ~ (changes | length - 3) ~ ' more' if changes | length > 3 else '') -%}
            {%- if var('on_input_change', 'rebuild') == 'fail' -%}
                {{ exceptions.raise_compiler_error(
                    "inputs changed since the last complete build (" ~ summary ~ "): nothing was written; run "
                    ~ "`dbt build --full-refresh` to rebuild from the current inputs (or set var on_input_change: rebuild)"
                ) }}
            {%- endif -%}
            {{ log("Inputs changed since the last complete build (" ~ summary ~ "): every incremental model is rebuilt in full.", info=true) }}
        {%- endif -%}
        {%- do write_input_state('dbt_input_state_pending', current + [['decision', 'full_rebuild', 'true' if rebuild else 'false']]) -%}
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: the pending inputs become the recorded ones once every incremental model of the
    project was built by this run (a partial, failed or killed run leaves the old record). -#}
{% macro record_input_state(results) -%}
    {%- if execute and flags.WHICH in ('build', 'run', 'retry') -%}
        {%- set built = [] -%}
        {%- for result in results -%}
            {%- if result.status == 'success' -%}{%- do built.append(result.node.unique_id) -%}{%- endif -%}
        {%- endfor -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.package_name == project_name and node.resource_type == 'model'
                and node.config.materialized == 'incremental' and node.unique_id not in built -%}
                {{ return('') }}
            {%- endif -%}
        {%- endfor -%}
        {%- set pending = read_input_state('dbt_input_state_pending') or [] -%}
        {%- set inputs = [] -%}
        {%- for row in pending -%}
            {%- if row[0] != 'decision' -%}{%- do inputs.append(row) -%}{%- endif -%}
        {%- endfor -%}
        {%- if inputs -%}
            {%- do write_input_state('dbt_input_state', inputs) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- dbt's own should_full_refresh, plus the input-state decision of this run for incremental
    models: materializations and is_incremental() ask it, so a changed input rebuilds them. -#}
{% macro should_full_refresh() -%}
    {%- set configured = config.get('full_refresh') -%}
    {%- if configured is not none -%}{{ return(configured) }}{%- endif -%}
    {%- if flags.FULL_REFRESH -%}{{ return(true) }}{%- endif -%}
    {%- if execute and model is defined and model.resource_type == 'model'
        and model.config.materialized == 'incremental' -%}
        {%- set pending = adapter.get_relation(
            database=input_state_database(), schema=generate_schema_name('staging', none) | trim,
            identifier='dbt_input_state_pending'
        ) -%}
        {%- if pending is not none -%}
            {%- set decision = run_query(
                "select count(*) from " ~ pending ~ " where component = 'decision' and fingerprint = 'true'"
            ).columns[0].values()[0] -%}
            {{ return(decision > 0) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(false) }}
{%- endmacro %}
