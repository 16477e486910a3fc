{{ config(materialized='table') }}

{#- Every raw row once, parsed and judged: `reason` is null for a clean row, else the first
    broken rule in the contract's order. stg_events and stg_events_quarantine split this model,
    so raw = clean + quarantined holds by construction. -#}
with raw_events as (
    select * from {{ ref('stg_raw_events') }}
),

event_names as (
    select * from {{ ref('stg_event_names') }}
),

tracking_plan as (
    select * from {{ ref('stg_tracking_plan') }}
),

required_properties as (
    select * from {{ ref('stg_tracking_plan_properties') }}
),

event_properties as (
    select * from {{ ref('stg_event_properties') }}
),

currency_rates as (
    select * from {{ ref('currency_rates') }}
),

parsed as (
    select
        raw_row_number,
        {{ clean_text('insert_id') }} as insert_id,
        {{ clean_text('user_id') }} as user_id,
        {{ clean_text('device_id') }} as device_id,
        {{ normalize_name(clean_text('event_name')) }} as normalized_event_name,
        {{ parse_timestamp_utc(clean_text('event_time')) }} as event_at,
        {{ parse_timestamp_utc(clean_text('received_at')) }} as received_at,
        {{ clean_text('platform') }} as platform,
        {{ clean_text('app_version') }} as app_version,
        {{ clean_text('country') }} as country,
        {{ is_json_object("coalesce(" ~ clean_text('properties') ~ ", '{}')") }} as has_object_properties,
        -- Rows without an insert_id are identified by their raw values (see event_id).
        case
            when {{ clean_text('insert_id') }} is null
                then concat_ws(
                    '|',
                    {% for column_name in raw_event_columns() -%}
                    coalesce({{ column_name }}, ''){{ "," if not loop.last }}
                    {% endfor %}
                )
        end as raw_row_text
    from raw_events
),

resolved as (
    select
        parsed.*,
        event_names.event_name,
        tracking_plan.owner_team,
        coalesce(tracking_plan.is_revenue, false) as is_revenue
    from parsed
    left join event_names
        on parsed.normalized_event_name = event_names.normalized_name
    left join tracking_plan
        on event_names.event_name = tracking_plan.event_name
),

property_checks as (
    select
        resolved.raw_row_number,
        bool_and(
            coalesce(
                {{ json_value_has_type('event_properties.property_json_type', 'required_properties.property_type') }},
                false
            )
        ) as has_required_properties
    from resolved
    inner join required_properties
        on resolved.event_name = required_properties.event_name
    left join event_properties
        on
            resolved.raw_row_number = event_properties.raw_row_number
            and required_properties.property_key = event_properties.property_key
    group by resolved.raw_row_number
),

revenue_amounts as (
    select
        resolved.raw_row_number,
        max(case when event_properties.property_key = 'revenue' then event_properties.property_value ->> '$' end)
            as revenue_text,
        max(
            case
                when
                    event_properties.property_key = 'currency'
                    then upper(trim(event_properties.property_value ->> '$'))
            end
        )
            as currency
    from resolved
    inner join event_properties
        on resolved.raw_row_number = event_properties.raw_row_number
    where resolved.is_revenue and event_properties.property_key in ('revenue', 'currency')
    group by resolved.raw_row_number
),

judged as (
    select
        resolved.*,
        revenue_amounts.currency,
        cast(revenue_amounts.revenue_text as double) as revenue,
        cast(revenue_amounts.revenue_text as double) * currency_rates.usd_rate as revenue_usd,
        case
            when resolved.user_id is null and resolved.device_id is null then 'missing_identity'
            when resolved.event_at is null or resolved.received_at is null then 'invalid_timestamp'
            when
                resolved.event_at
                > {{ dbt.dateadd('hour', var('future_tolerance_hours'), 'resolved.received_at') }}
                then 'future_timestamp'
            when resolved.event_name is null then 'unplanned_event'
            when
                not resolved.has_object_properties
                or not coalesce(property_checks.has_required_properties, true)
                or (resolved.is_revenue and currency_rates.currency is null)
                then 'invalid_properties'
        end as rule_reason
    from resolved
    left join property_checks
        on resolved.raw_row_number = property_checks.raw_row_number
    left join revenue_amounts
        on resolved.raw_row_number = revenue_amounts.raw_row_number
    left join currency_rates
        on revenue_amounts.currency = upper(trim(currency_rates.currency))
),

deduplicated as (
    select
        *,
        case
            when rule_reason is not null then rule_reason
            when
                insert_id is not null
                and row_number() over (
                    partition by insert_id, rule_reason is null
                    order by received_at, raw_row_number
                ) > 1
                then 'duplicate_event'
        end as reason,
        coalesce(
            insert_id,
            md5(raw_row_text || '|' || row_number() over (
                partition by raw_row_text order by raw_row_number
            ))
        ) as event_id
    from judged
),

final as (
    select
        raw_row_number,
        event_id,
        reason,
        reason is null as is_clean,
        normalized_event_name,
        event_name,
        coalesce(owner_team, 'unassigned') as owner_team,
        insert_id,
        user_id,
        device_id,
        event_at,
        received_at,
        cast(received_at as date) as received_date,
        platform,
        app_version,
        country,
        is_revenue,
        revenue,
        currency,
        revenue_usd
    from deduplicated
)

select * from final
