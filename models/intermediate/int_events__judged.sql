{{ config(
    materialized='incremental',
    incremental_strategy=replace_by_key_strategy(),
    unique_key=['source_file', 'raw_row_number'],
) }}

{#- Every raw row once with its verdict: `reason` is null for a clean row, else the first broken
    rule in the contract's order (deduplication last). Its clean and quarantined children split
    it, so raw = clean + quarantined holds by construction.
    Incremental runs read only raw files not loaded yet; the rows already stored that share a
    deduplication key with a new row are judged again together with it, so a late row that
    was received earlier still wins, exactly as in a full refresh. -#}
{#- Rows with an insert_id share a key by id; rows without one by their raw values. Only the
    second part is stored (raw_values_key): the key is rebuilt from it, not written twice. -#}
{% set dedup_key_sql = "coalesce(raw_values_key, 'insert_id:' || insert_id)" -%}
{% set stored_columns = [
    'source_file', 'raw_row_number', 'raw_values_key', 'insert_id', 'rule_reason', 'normalized_event_name',
    'event_name', 'owner_team', 'user_id', 'device_id', 'event_at', 'received_at', 'platform',
    'app_version', 'country', 'is_revenue', 'revenue', 'currency', 'revenue_usd', 'properties',
    'unplanned_property_keys'] -%}

{%- if is_incremental() %}{{ assert_stored_columns(this, stored_columns) }}{% endif %}

with checked as (
    select * from {{ ref('int_events__checked') }}
),

new_rows as (
    select
        source_file,
        raw_row_number,
        raw_values_key,
        {{ dedup_key_sql }} as dedup_key,
        insert_id,
        -- The row rules in the contract's order; duplicates are judged below.
        case
            when is_malformed then 'malformed_row'
            when user_id is null and device_id is null then 'missing_identity'
            when not {{ is_plausible_time('event_at') }} or not {{ is_plausible_time('received_at') }}
                then 'invalid_timestamp'
            when event_at > {{ dbt.dateadd('hour', var('future_tolerance_hours'), 'received_at') }}
                then 'future_timestamp'
            when event_name is null then 'unplanned_event'
            when not has_valid_properties then 'invalid_properties'
        end as rule_reason,
        normalized_event_name,
        event_name,
        owner_team,
        user_id,
        device_id,
        event_at,
        received_at,
        platform,
        app_version,
        country,
        is_revenue,
        revenue,
        currency,
        revenue_usd,
        properties,
        unplanned_property_keys
    from checked
    -- Files are the unit of loading: an incremental run judges the rows of new files only.
    {{ only_unloaded_files() }}
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
        unplanned_property_keys,
        {{ run_timestamp() }} as written_at
    from judged
)

select * from final
