with unplanned_properties as (
    select * from {{ ref('fct_unplanned_properties_daily') }}
),

final as (
    select
        received_date,
        owner_team,
        event_name,
        property_key,
        cast(clean_rows as bigint) as rows
    from unplanned_properties
)

select * from final
