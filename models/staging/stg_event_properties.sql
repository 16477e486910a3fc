{{ config(materialized='incremental', incremental_strategy='append') }}

with raw_events as (
    select * from {{ ref('stg_raw_events') }}
    {{ only_unloaded_files() }}
),

object_properties as (
    select
        source_file,
        raw_row_number,
        {{ clean_text('properties') }} as properties_text
    from raw_events
    where {{ is_json_object(clean_text('properties')) }}
),

exploded as (
    select
        object_properties.source_file,
        object_properties.raw_row_number,
        {{ normalize_name('property.key') }} as property_key,
        property.value as property_value,
        property.type as property_json_type,
        property.id as property_position
    from object_properties,
        json_each(object_properties.properties_text) as property
),

first_occurrence as (
    select
        source_file,
        raw_row_number,
        property_key,
        property_value,
        property_json_type
    from exploded
    -- Two keys that normalize alike (`songId`, `song_id`): the first one in the text wins.
    qualify row_number() over (
        partition by source_file, raw_row_number, property_key
        order by property_position
    ) = 1
)

select * from first_occurrence
