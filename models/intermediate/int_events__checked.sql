{{ config(materialized='view') }}

{#- Every raw row once (readable rows and malformed lines) with what the row rules look at: its
    canonical name (null when unplanned) and whether its properties are valid (a JSON object
    with the event's required properties, and a known currency on a revenue event). A view:
    int_events__judged reads it once per build, only for files it has not loaded yet, and
    applies the rules in the contract's order. Only masked properties leave it. -#}
with raw_events as (
    select * from {{ ref('stg_raw_events') }}
),

malformed_lines as (
    select * from {{ ref('stg_raw_events_malformed') }}
),

event_properties as (
    select * from {{ ref('stg_event_properties') }}
),

event_names as (
    select * from {{ ref('int_event_names__resolved') }}
),

planned_properties as (
    select * from {{ ref('int_planned_properties__unnested') }}
),

currency_rates as (
    select * from {{ ref('stg_currency_rates') }}
),

raw_rows as (
    select
        source_file,
        raw_row_number,
        false as is_malformed,
        insert_id,
        user_id,
        device_id,
        {{ normalize_name('event_name') }} as normalized_event_name,
        event_at,
        received_at,
        platform,
        app_version,
        country,
        properties as properties_text,
        has_object_properties,
        needs_property_rewrite,
        raw_values_key
    from raw_events
    union all
    -- An unreadable line is alone with its key: it is nobody's duplicate.
    select
        source_file,
        raw_row_number,
        true as is_malformed,
        {%- for column_name in ['insert_id', 'user_id', 'device_id', 'normalized_event_name', 'event_at', 'received_at',
            'platform', 'app_version', 'country'] %}
        cast(null as {{ 'timestamp' if column_name.endswith('_at') else dbt.type_string() }}) as {{ column_name }},
        {%- endfor %}
        '{}' as properties_text,
        true as has_object_properties,
        false as needs_property_rewrite,
        'malformed:' || source_file || ':' || cast(raw_row_number as {{ dbt.type_string() }}) as raw_values_key
    from malformed_lines
),

event_requirements as (
    -- Each event's planned properties as one list, checked by a lambda on every row.
    select
        planned_property.event_name,
        {{ planned_property_list('planned_property') }} as planned_properties
    from planned_properties as planned_property
    group by planned_property.event_name
),

documented as (
    select
        raw_rows.*,
        event_names.event_name,
        event_names.owner_team,
        coalesce(event_names.is_revenue, false) as is_revenue,
        event_properties.sanitized_properties,
        event_requirements.planned_properties,
        -- The object the checks read: keys normalized, nothing masked yet.
        case
            when raw_rows.has_object_properties
                then coalesce(event_properties.normalized_properties, raw_rows.properties_text)
        end as checked_properties
    from raw_rows
    left join event_names
        on raw_rows.normalized_event_name = event_names.normalized_name
    left join event_properties
        on
            raw_rows.source_file = event_properties.source_file
            and raw_rows.raw_row_number = event_properties.raw_row_number
    left join event_requirements
        on event_names.event_name = event_requirements.event_name
),

property_checks as (
    select
        documented.*,
        case
            when documented.planned_properties is null then true
            when documented.checked_properties is null then false
            else {{ has_valid_planned_properties('documented.checked_properties', 'documented.planned_properties') }}
        end as has_planned_properties,
        -- The text test skips the JSON parse for the many objects without these keys (a key could
        -- hide behind a JSON escape, so text with a backslash is always parsed).
        case
            when
                contains(documented.checked_properties, '"revenue"')
                or contains(documented.checked_properties, chr(92))
                then {{ json_text('documented.checked_properties', '$.revenue') }}
        end as revenue_text,
        case
            when
                contains(documented.checked_properties, '"currency"')
                or contains(documented.checked_properties, chr(92))
                then upper(trim({{ json_text('documented.checked_properties', '$.currency') }}))
        end as currency
    from documented
),

sanitized as (
    select
        property_checks.source_file,
        property_checks.raw_row_number,
        property_checks.is_malformed,
        property_checks.raw_values_key,
        property_checks.insert_id,
        property_checks.normalized_event_name,
        property_checks.event_name,
        coalesce(property_checks.owner_team, 'unassigned') as owner_team,
        property_checks.user_id,
        property_checks.device_id,
        property_checks.event_at,
        property_checks.received_at,
        property_checks.platform,
        property_checks.app_version,
        property_checks.country,
        property_checks.is_revenue,
        property_checks.has_object_properties
        and property_checks.has_planned_properties
        and not (property_checks.is_revenue and currency_rates.currency is null) as has_valid_properties,
        cast(property_checks.revenue_text as double) as revenue,
        property_checks.currency,
        cast(property_checks.revenue_text as double) * currency_rates.usd_rate as revenue_usd,
        case
            when not property_checks.has_object_properties then '{}'
            when property_checks.needs_property_rewrite then coalesce(property_checks.sanitized_properties, '{}')
            else {{ json_compact('property_checks.properties_text') }}
        end as properties,
        property_checks.planned_properties
    from property_checks
    left join currency_rates
        on property_checks.currency = currency_rates.currency
),

final as (
    select
        sanitized.source_file,
        sanitized.raw_row_number,
        sanitized.is_malformed,
        sanitized.raw_values_key,
        sanitized.insert_id,
        sanitized.normalized_event_name,
        sanitized.event_name,
        sanitized.owner_team,
        sanitized.user_id,
        sanitized.device_id,
        sanitized.event_at,
        sanitized.received_at,
        sanitized.platform,
        sanitized.app_version,
        sanitized.country,
        sanitized.is_revenue,
        sanitized.has_valid_properties,
        sanitized.revenue,
        sanitized.currency,
        sanitized.revenue_usd,
        sanitized.properties,
        -- Keys the plan does not declare for the event: the event stays clean, and
        -- metrics_unplanned_properties_daily reports them. Personal-data keys are gone already.
        case
            when sanitized.event_name is not null and sanitized.has_valid_properties and sanitized.properties != '{}'
                then {{ unplanned_property_keys('sanitized.properties', 'sanitized.planned_properties') }}
        end as unplanned_property_keys
    from sanitized
)

select * from final
