{#- The quarantine under its stable name: consumers query staging.stg_events_quarantine. It only
    projects int_events__quarantined (decision 0010). -#}
with quarantined as (
    select * from {{ ref('int_events__quarantined') }}
),

final as (
    select
        source_file,
        raw_row_number,
        reason,
        owner_team,
        received_date,
        resolved_event_name,
        {%- for column_name in raw_event_columns() %}
        {{ column_name }},
        {%- endfor %}
        source_line_number,
        malformed_error,
        malformed_text
    from quarantined
)

select * from final
