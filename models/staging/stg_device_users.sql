{{ config(
    materialized='incremental',
    incremental_strategy=replace_by_key_strategy(),
    unique_key='device_id',
) }}

{#- Which signed-in user each device belongs to: the user_id of the device's earliest clean event
    that carries one (ties: smaller event_id); null while the device was only used anonymously.
    Incremental runs recompute the devices that appear in rows written since the last run and
    remember the previous owner, so downstream models know whose events moved. -#}
with validated as (
    select * from {{ ref('stg_events_validated') }}
),

previous_owners as (
    {% if is_incremental() -%}
    select * from {{ this }}
    {%- else -%}
        select
            cast(null as string) as device_id,
            cast(null as string) as device_user_id,
            cast(null as timestamp) as owner_changed_at,
            cast(null as string) as previous_device_user_id,
            cast(null as timestamp) as source_written_at
        where false
    {%- endif %}
),

touched_devices as (
    select distinct validated.device_id
    from validated
    where
        validated.device_id is not null
        and validated.written_at > coalesce(
            (select max(previous_owners.source_written_at) from previous_owners),
            cast('1900-01-01' as timestamp)
        )
),

owners as (
    select
        validated.device_id,
        {{ first_by('validated.user_id', ['validated.event_at', 'validated.event_id']) }}
        filter (where validated.is_clean and validated.user_id is not null) as device_user_id
    from validated
    inner join touched_devices
        on validated.device_id = touched_devices.device_id
    group by validated.device_id
),

final as (
    select
        owners.device_id,
        owners.device_user_id,
        case
            -- User ids are never empty text (staging nulls blanks), so '' stands for "no owner".
            when
                previous_owners.device_id is null
                or coalesce(owners.device_user_id, '') != coalesce(previous_owners.device_user_id, '')
                then {{ run_timestamp() }}
            else previous_owners.owner_changed_at
        end as owner_changed_at,
        case
            when coalesce(owners.device_user_id, '') != coalesce(previous_owners.device_user_id, '')
                then previous_owners.device_user_id
            else previous_owners.previous_device_user_id
        end as previous_device_user_id,
        (select max(validated.written_at) from validated) as source_written_at
    from owners
    left join previous_owners
        on owners.device_id = previous_owners.device_id
)

select * from final
