{#- Rejected raw rows with their reason and the raw values exactly as received (read back from
    the raw input, so the stored staging table stays lean). -#}
with validated as (
    select * from {{ ref('stg_events_validated') }}
),

raw_events as (
    select * from {{ ref('stg_raw_events') }}
),

quarantined as (
    select
        validated.source_file,
        validated.raw_row_number,
        validated.reason,
        validated.owner_team,
        validated.received_date,
        validated.event_name as resolved_event_name,
        raw_events.insert_id,
        raw_events.event_name,
        raw_events.user_id,
        raw_events.device_id,
        raw_events.event_time,
        raw_events.received_at,
        raw_events.platform,
        raw_events.app_version,
        raw_events.country,
        raw_events.properties,
        raw_events.source_line_number,
        raw_events.malformed_error,
        raw_events.malformed_text
    from validated
    inner join raw_events
        on
            validated.source_file = raw_events.source_file
            and validated.raw_row_number = raw_events.raw_row_number
    where not validated.is_clean
)

select * from quarantined
