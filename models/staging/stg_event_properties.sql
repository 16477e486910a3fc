{{ config(materialized='incremental', incremental_strategy='append') }}

{#- Properties of raw rows, keys normalized and personal data masked (cleaning, not judgement).
    Reads the source itself, numbered like stg_raw_events (macro numbered_raw_rows). -#}
{%- set raw_source = raw_events_source(source('raw', 'events')) %}

with raw_rows as (
    {{ numbered_raw_rows(raw_source) }}
),

raw_events as (
    select
        source_file,
        raw_row_number,
        properties
    from raw_rows
    {{ only_unloaded_files() }}
),

object_properties as (
    select
        source_file,
        raw_row_number,
        properties_text,
        {{ json_object_keys('properties_text') }} as raw_keys
    from (
        select
            source_file,
            raw_row_number,
            {{ clean_text('properties') }} as properties_text
        from raw_events
    ) as trimmed
    where {{ is_json_object('properties_text') }}
),

rebuilt_objects as (
    -- Only objects that staging must rebuild are split into properties; the others pass through
    -- int_events__checked as they are, which keeps this table small.
    select * from object_properties
    where {{ needs_property_rewrite('properties_text', 'raw_keys') }}
),

classified as (
    select
        *,
        -- Most objects already have distinct snake_case keys: nothing to normalize or settle.
        {{ has_canonical_property_keys('raw_keys') }} as has_canonical_keys
    from rebuilt_objects
),

exploded as (
    select
        source_file,
        raw_row_number,
        properties_text,
        has_canonical_keys,
        {{ unnest_with_position('raw_keys', 'raw_key', 'property_position') }}
    from classified
),

keyed as (
    select
        source_file,
        raw_row_number,
        has_canonical_keys,
        property_position,
        case when has_canonical_keys then raw_key else {{ normalize_name('raw_key') }} end as property_key,
        -- A JSON path that quotes the key, so any key text is read literally.
        case when raw_key != '' then {{ json_key_path('raw_key') }} end as property_path,
        properties_text
    from exploded
),

extracted as (
    select
        source_file,
        raw_row_number,
        has_canonical_keys,
        property_position,
        property_key,
        {{ json_value_at('properties_text', 'property_path') }} as property_value,
        {{ json_type_at('properties_text', 'property_path') }} as property_json_type
    from keyed
    where property_path is not null and property_key != ''
),

numbered_keys as (
    select
        *,
        row_number() over (
            partition by source_file, raw_row_number, property_key
            order by property_position
        ) as key_occurrence
    from extracted
),

first_occurrence as (
    -- Two keys that normalize alike (`songId`, `song_id`): the first one in the text wins.
    -- One pass over `extracted`: a union of two filters on it would parse every raw row twice.
    select * from numbered_keys
    where has_canonical_keys or key_occurrence = 1
),

masked as (
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
    from first_occurrence
),

final as (
    -- Each object rebuilt from its normalized keys: in full for the checks, and sanitized for
    -- storage (personal-data keys dropped; e-mails, phone numbers and IP addresses masked).
    select
        source_file,
        raw_row_number,
        {{ json_object_agg('property_key', 'property_value') }} as normalized_properties,
        -- An object of personal data only is `{}` on every engine (DuckDB's filtered list is null).
        coalesce(
            {{ json_object_agg('property_key', 'sanitized_value', filter_condition='not is_personal_data_key') }}, '{}'
        ) as sanitized_properties
    from masked
    group by source_file, raw_row_number
)

select * from final
