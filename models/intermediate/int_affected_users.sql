{{ config(materialized='incremental', incremental_strategy='append') }}

{#- A log of the people whose clean events changed, one row per person and run: the people of
    raw rows written (new or judged again) since the last run, and the previous and new owners of
    devices that changed owner. Per-person models rebuild exactly these people. -#}
with validated as (
    select * from {{ ref('int_events__judged') }}
),

device_users as (
    select * from {{ ref('int_devices__owners') }}
),

{% if is_incremental() -%}
last_run as (
    select max(affected_at) as affected_at from {{ this }}
),

{% endif -%}
written_rows as (
    select
        validated.user_id,
        validated.device_id
    from validated
    {%- if is_incremental() %}
    where validated.written_at > (select last_run.affected_at from last_run)
    {%- endif %}
),

people_of_written_rows as (
    select
        {{ user_key('written_rows.user_id', 'device_users.device_user_id', 'written_rows.device_id') }} as user_key
    from written_rows
    left join device_users
        on written_rows.device_id = device_users.device_id
),

changed_devices as (
    select * from device_users
    {%- if is_incremental() %}
    where owner_changed_at > (select last_run.affected_at from last_run)
    {%- endif %}
),

people_of_changed_devices as (
    select {{ user_key('null', 'device_user_id', 'device_id') }} as user_key
    from changed_devices
    union all
    select {{ user_key('null', 'previous_device_user_id', 'device_id') }} as user_key
    from changed_devices
),

final as (
    select distinct
        user_key,
        {{ run_timestamp() }} as affected_at
    from (
        select user_key from people_of_written_rows
        union all
        select user_key from people_of_changed_devices
    ) as affected
    where user_key is not null
)

select * from final
