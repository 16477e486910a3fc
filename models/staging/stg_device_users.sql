{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='device_id',
) }}

{#- Which signed-in user each device belongs to: the user_id of the device's earliest clean event
    that carries one (ties: smaller event_id); null while the device was only used anonymously.
    Incremental runs recompute the devices that appear in rows written since the last run and
    remember the previous owner, so downstream models know whose events moved. -#}
with validated as (
    select * from {{ ref('stg_events_validated') }}
),

{% if is_incremental() -%}
previous_owners as (
    select * from {{ this }}
),

{% endif -%}
touched_devices as (
    select distinct device_id
    from validated
    where
        device_id is not null
        {%- if is_incremental() %}
        and written_at > (select max(previous_owners.source_written_at) from previous_owners)
        {%- endif %}
),

owners as (
    select
        validated.device_id,
        first(validated.user_id order by validated.event_at, validated.event_id)
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
        {%- if is_incremental() %}
        case
            when previous_owners.device_id is null or owners.device_user_id is distinct from previous_owners.device_user_id
                then {{ run_timestamp() }}
            else previous_owners.owner_changed_at
        end as owner_changed_at,
        case
            when owners.device_user_id is distinct from previous_owners.device_user_id
                then previous_owners.device_user_id
            else previous_owners.previous_device_user_id
        end as previous_device_user_id,
        {%- else %}
        {{ run_timestamp() }} as owner_changed_at,
        cast(null as varchar) as previous_device_user_id,
        {%- endif %}
        (select max(validated.written_at) from validated) as source_written_at
    from owners
    {%- if is_incremental() %}
    left join previous_owners
        on owners.device_id = previous_owners.device_id
    {%- endif %}
)

select * from final
