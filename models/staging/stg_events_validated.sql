{{ config(
    materialized='incremental',
    incremental_strategy=replace_by_key_strategy(),
    unique_key=['source_file', 'raw_row_number'],
) }}

{#- Every raw row once, parsed and judged: `reason` is null for a clean row, else the first
    broken rule in the contract's order. stg_events and stg_events_quarantine split this model,
    so raw = clean + quarantined holds by construction.
    Incremental runs read only raw files not loaded yet; the rows already stored that share a
    deduplication key with a new row are judged again together with it, so a late row that
    was received earlier still wins, exactly as in a full refresh. -#}
{#- Rows with an insert_id share a key by id; rows without one by their raw values. Only the
    second part is stored (raw_values_key): the key is rebuilt from it, not written twice. -#}
{% set dedup_key_sql = "coalesce(raw_values_key, 'insert_id:' || insert_id)" -%}
{% set stored_columns = [
    'source_file', 'raw_row_number', 'raw_values_key', 'insert_id', 'rule_reason', 'normalized_event_name',
    'event_name', 'owner_team', 'user_id', 'device_id', 'event_at', 'received_at', 'platform',
    'app_version', 'country', 'is_revenue', 'revenue', 'currency', 'revenue_usd', 'properties'] -%}

{%- if is_incremental() %}{{ assert_stored_columns(this, stored_columns) }}{% endif %}

with raw_events as (
    select * from {{ ref('stg_raw_events') }}
    {{ only_unloaded_files() }}
),

event_names as (
    select * from {{ ref('stg_event_names') }}
),

tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

required_properties as (
    select * from {{ ref('stg_tracking_plan_properties') }}
),

event_properties as (
    select * from {{ ref('stg_event_properties') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

cleaned as (
    select
        source_file,
        raw_row_number,
        malformed_error is not null as is_malformed,
        {{ clean_identifier('insert_id') }} as insert_id,
        {{ clean_identifier('user_id') }} as user_id,
        {{ clean_identifier('device_id') }} as device_id,
        {{ clean_text('event_name') }} as event_name_text,
        {{ clean_text('event_time') }} as event_time_text,
        {{ clean_text('received_at') }} as received_at_text,
        {{ clean_text('platform') }} as platform,
        {{ clean_text('app_version') }} as app_version,
        {{ clean_text('country') }} as country,
        coalesce({{ clean_text('properties') }}, '{}') as properties_text,
        -- Rows without an insert_id are told apart by their raw values (see event_id).
        case
            -- An unreadable line is alone with its key: it is nobody's duplicate.
            when malformed_error is not null
                then 'malformed:' || source_file || ':' || cast(raw_row_number as {{ dbt.type_string() }})
            when {{ clean_identifier('insert_id') }} is null
                then 'raw:' || md5(concat_ws(
                    '|',
                    {%- for column_name in raw_event_columns() %}
                    coalesce({{ column_name }}, ''){% if not loop.last %},{% endif %}
                    {%- endfor %}
                ))
        end as raw_values_key
    from raw_events
),

shaped as (
    select
        *,
        {{ is_json_object('properties_text') }} as has_object_properties
    from cleaned
),

keyed as (
    select
        *,
        -- Keys are parsed only for objects: json_keys fails on malformed text.
        case when has_object_properties then {{ json_object_keys('properties_text') }} end as property_keys
    from shaped
),

parsed as (
    select
        source_file,
        raw_row_number,
        is_malformed,
        insert_id,
        user_id,
        device_id,
        {{ normalize_name('event_name_text') }} as normalized_event_name,
        {{ parse_timestamp_utc('event_time_text') }} as event_at,
        {{ parse_timestamp_utc('received_at_text') }} as received_at,
        platform,
        app_version,
        country,
        has_object_properties,
        has_object_properties
        and {{ needs_property_rewrite('properties_text', 'property_keys') }} as needs_property_rewrite,
        properties_text,
        raw_values_key,
        {{ dedup_key_sql }} as dedup_key
    from keyed
),

new_row_properties as (
    -- The same files as raw_events: a filter on the file, not a join with the parsed rows.
    select * from event_properties
    {{ only_unloaded_files() }}
),

resolved as (
    select
        parsed.*,
        event_names.event_name,
        tracking_plan.owner_team,
        coalesce(tracking_plan.is_revenue, false) as is_revenue
    from parsed
    left join event_names
        on parsed.normalized_event_name = event_names.normalized_name
    left join tracking_plan
        on event_names.event_name = tracking_plan.event_name
),

event_requirements as (
    -- Each event's required properties: the JSON path that reads the key literally, and the JSON
    -- types (json_type names) it accepts.
    select
        event_name,
        {{ required_property_list(json_key_path('property_key'), json_types_accepted('property_type')) }}
            as required_properties
    from required_properties
    group by event_name
),

sanitized_row_properties as (
    select
        source_file,
        raw_row_number,
        property_key,
        property_value,
        property_key in (
            {%- for property_key in var('personal_data_property_keys') %}
            '{{ property_key }}'{{ "," if not loop.last }}
            {%- endfor %}
        ) as is_personal_data_key,
        case
            -- A string is masked once decoded, so escapes like \u0040 cannot hide an e-mail.
            when property_json_type = 'VARCHAR'
                then {{ json_string_value(redact_personal_data(json_string_text('property_value'))) }}
            -- Masking can break a nested value's JSON (a long number becomes `[redacted phone]`):
            -- the whole value is then masked. Its text is not kept as a string, because its key
            -- order and number notation depend on the engine.
            when property_json_type in ('OBJECT', 'ARRAY')
                then {{ json_value_or_placeholder(
                    redact_personal_data(json_value_text('property_value')), "'[redacted value]'"
                ) }}
            else property_value
        end as sanitized_value
    from new_row_properties
),

rebuilt_properties as (
    -- Only objects whose keys are not distinct snake_case, or that may hold personal data, are in
    -- stg_event_properties; they are rebuilt from their normalized keys, in full for the checks
    -- and sanitized for storage (personal-data keys dropped; e-mails, phone numbers and IP
    -- addresses inside other values masked).
    select
        source_file,
        raw_row_number,
        {{ json_object_agg('property_key', 'property_value') }} as normalized_properties,
        {{ json_object_agg('property_key', 'sanitized_value', filter_condition='not is_personal_data_key') }}
            as sanitized_properties
    from sanitized_row_properties
    group by source_file, raw_row_number
),

documented as (
    select
        resolved.*,
        rebuilt_properties.sanitized_properties,
        event_requirements.required_properties,
        -- The object the checks read: keys normalized, nothing masked yet.
        case
            when resolved.has_object_properties
                then coalesce(rebuilt_properties.normalized_properties, resolved.properties_text)
        end as checked_properties
    from resolved
    left join rebuilt_properties
        on
            resolved.source_file = rebuilt_properties.source_file
            and resolved.raw_row_number = rebuilt_properties.raw_row_number
    left join event_requirements
        on resolved.event_name = event_requirements.event_name
),

property_checks as (
    select
        documented.*,
        case
            when documented.required_properties is null then true
            when documented.checked_properties is null then false
            else {{ has_required_properties('documented.checked_properties', 'documented.required_properties') }}
        end as has_required_properties,
        -- The text test skips the JSON parse for the many objects without these keys (a key could
        -- hide behind a JSON escape, so text with a backslash is always parsed).
        case
            when
                contains(documented.checked_properties, '"revenue"')
                or contains(documented.checked_properties, chr(92))
                then {{ json_text('documented.checked_properties', '$.revenue') }}
        end as revenue_text,
        case
            when
                contains(documented.checked_properties, '"currency"')
                or contains(documented.checked_properties, chr(92))
                then upper(trim({{ json_text('documented.checked_properties', '$.currency') }}))
        end as currency
    from documented
),

new_rows as (
    select
        property_checks.source_file,
        property_checks.raw_row_number,
        property_checks.raw_values_key,
        property_checks.dedup_key,
        property_checks.insert_id,
        case
            when property_checks.is_malformed then 'malformed_row'
            when property_checks.user_id is null and property_checks.device_id is null then 'missing_identity'
            when
                not {{ is_plausible_time('property_checks.event_at') }}
                or not {{ is_plausible_time('property_checks.received_at') }}
                then 'invalid_timestamp'
            when
                property_checks.event_at
                > {{ dbt.dateadd('hour', var('future_tolerance_hours'), 'property_checks.received_at') }}
                then 'future_timestamp'
            when property_checks.event_name is null then 'unplanned_event'
            when
                not property_checks.has_object_properties
                or not property_checks.has_required_properties
                or (property_checks.is_revenue and currency_rates.currency is null)
                then 'invalid_properties'
        end as rule_reason,
        property_checks.normalized_event_name,
        property_checks.event_name,
        coalesce(property_checks.owner_team, 'unassigned') as owner_team,
        property_checks.user_id,
        property_checks.device_id,
        property_checks.event_at,
        property_checks.received_at,
        property_checks.platform,
        property_checks.app_version,
        property_checks.country,
        property_checks.is_revenue,
        cast(property_checks.revenue_text as double) as revenue,
        property_checks.currency,
        cast(property_checks.revenue_text as double) * currency_rates.usd_rate as revenue_usd,
        case
            when not property_checks.has_object_properties then '{}'
            when property_checks.needs_property_rewrite then coalesce(property_checks.sanitized_properties, '{}')
            else {{ json_compact('property_checks.properties_text') }}
        end as properties
    from property_checks
    left join currency_rates
        on property_checks.currency = upper(trim(currency_rates.currency))
),

candidates as (
    select
        {{ stored_columns | join(', ') }},
        dedup_key
    from new_rows
    {%- if is_incremental() %}
    union all
    -- Stored rows that share a deduplication key with a new row are judged again with it.
    select
        {{ stored_columns | join(', ') }},
        {{ dedup_key_sql }} as dedup_key
    from {{ this }}
    where {{ dedup_key_sql }} in (select new_rows.dedup_key from new_rows)
    {%- endif %}
),

repeated_keys as (
    -- Only keys seen more than once need ordering; most rows are alone with their key.
    select dedup_key
    from candidates
    group by dedup_key
    having count(*) > 1
),

contested as (
    select
        *,
        row_number() over (
            partition by dedup_key, rule_reason is null
            order by received_at, source_file, raw_row_number
        ) as arrival_rank,
        row_number() over (partition by dedup_key order by source_file, raw_row_number) as occurrence
    from candidates
    where dedup_key in (select repeated_keys.dedup_key from repeated_keys)
),

ranked as (
    select
        *,
        1 as arrival_rank,
        1 as occurrence
    from candidates
    where dedup_key not in (select repeated_keys.dedup_key from repeated_keys)
    union all
    select * from contested
),

judged as (
    select
        *,
        case
            when rule_reason is not null then rule_reason
            when insert_id is not null and arrival_rank > 1 then 'duplicate_event'
        end as reason,
        coalesce(insert_id, md5(dedup_key || '|' || occurrence)) as event_id
    from ranked
),

final as (
    select
        source_file,
        raw_row_number,
        event_id,
        reason,
        reason is null as is_clean,
        raw_values_key,
        rule_reason,
        normalized_event_name,
        event_name,
        owner_team,
        insert_id,
        user_id,
        device_id,
        event_at,
        received_at,
        {{ reporting_date('received_at') }} as received_date,
        platform,
        app_version,
        country,
        is_revenue,
        revenue,
        currency,
        revenue_usd,
        properties,
        {{ run_timestamp() }} as written_at
    from judged
)

select * from final
