{#- The clean events under their stable name: consumers query staging.stg_events. Nothing in the
    project reads this model; it only projects int_events__clean (decision 0010). -#}
with clean_events as (
    select * from {{ ref('int_events__clean') }}
),

final as (
    select
        event_id,
        event_name,
        user_key,
        user_id,
        device_id,
        event_at,
        event_date,
        received_at,
        platform,
        app_version,
        country,
        event_category,
        is_active,
        is_revenue,
        revenue,
        currency,
        revenue_usd,
        properties,
        source_file,
        raw_row_number,
        written_at
    from clean_events
)

select * from final
