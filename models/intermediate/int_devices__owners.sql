{{ config(
    materialized='incremental',
    incremental_strategy=replace_by_key_strategy(),
    unique_key='device_id',
) }}

{#- Which signed-in user each device belongs to: the user_id of the device's earliest clean event
    that carries one (ties: smaller event_id); null while the device was only used anonymously.
    Incremental runs recompute the devices that appear in rows written since the last run and
    remember the previous owner, so downstream models know whose events moved. -#}
with judged as (
    select * from {{ ref('int_events__judged') }}
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
    select distinct judged.device_id
    from judged
    where
        judged.device_id is not null
        and judged.written_at > coalesce(
            (select max(previous_owners.source_written_at) from previous_owners),
            cast('1900-01-01' as timestamp)
        )
),

owners as (
    select
        judged.device_id,
        {{ first_by('judged.user_id', ['judged.event_at', 'judged.event_id']) }}
        filter (where judged.is_clean and judged.user_id is not null) as device_user_id
    from judged
    inner join touched_devices
        on judged.device_id = touched_devices.device_id
    group by judged.device_id
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
        (select max(judged.written_at) from judged) as source_written_at
    from owners
    left join previous_owners
        on owners.device_id = previous_owners.device_id
)

select * from final
