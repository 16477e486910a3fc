{#- The readable raw rows of the source, numbered and cleaned: identifiers without placeholders,
    text trimmed, timestamps parsed to UTC, properties parsed as a JSON object or not, each row's
    raw-values key; the values as received are
    kept beside them (raw_*) for the quarantine. Lines that cannot be read are in
    stg_raw_events_malformed. -#}
{%- set raw_source = raw_events_source(source('raw', 'events')) -%}
{{- assert_raw_event_columns(raw_source.relation) }}

with raw_rows as (
    {{ numbered_raw_rows(raw_source) }}
),

trimmed as (
    select
        source_file,
        raw_row_number,
        {%- for column_name in raw_event_columns() %}
        {{ column_name }} as raw_{{ column_name }},
        {%- endfor %}
        {{ clean_identifier('insert_id') }} as insert_id,
        {{ clean_identifier('user_id') }} as user_id,
        {{ clean_identifier('device_id') }} as device_id,
        {{ clean_text('event_name') }} as event_name,
        {{ clean_text('event_time') }} as event_time_text,
        {{ clean_text('received_at') }} as received_at_text,
        {{ clean_text('platform') }} as platform,
        {{ clean_text('app_version') }} as app_version,
        {{ clean_text('country') }} as country,
        coalesce({{ clean_text('properties') }}, '{}') as properties,
        -- Rows without an insert_id are told apart by their raw values (see event_id).
        case
            when {{ clean_identifier('insert_id') }} is null
                then 'raw:' || md5(concat_ws(
                    '|',
                    {%- for column_name in raw_event_columns() %}
                    coalesce({{ column_name }}, ''){% if not loop.last %},{% endif %}
                    {%- endfor %}
                ))
        end as raw_values_key
    from raw_rows
),

parsed as (
    select
        source_file,
        raw_row_number,
        {%- for column_name in raw_event_columns() %}
        raw_{{ column_name }},
        {%- endfor %}
        insert_id,
        user_id,
        device_id,
        event_name,
        {{ parse_timestamp_utc('event_time_text') }} as event_at,
        {{ parse_timestamp_utc('received_at_text') }} as received_at,
        platform,
        app_version,
        country,
        properties,
        raw_values_key,
        {{ is_json_object('properties') }} as has_object_properties
    from trimmed
),

keyed as (
    select
        *,
        -- Keys are parsed only for objects: json_keys fails on malformed text.
        case when has_object_properties then {{ json_object_keys('properties') }} end as property_keys
    from parsed
),

final as (
    select
        {%- for column_name in raw_event_columns() %}
        raw_{{ column_name }},
        {%- endfor %}
        source_file,
        raw_row_number,
        insert_id,
        user_id,
        device_id,
        event_name,
        event_at,
        received_at,
        platform,
        app_version,
        country,
        properties,
        raw_values_key,
        has_object_properties,
        -- Objects that stg_event_properties rebuilds (keys to normalize, or possible personal data).
        has_object_properties and {{ needs_property_rewrite('properties', 'property_keys') }} as needs_property_rewrite
    from keyed
)

select * from final
