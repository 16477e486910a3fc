{#- Properties that clean events carry but the tracking plan does not declare, counted per
    received day: the fact behind metrics_unplanned_properties_daily. Reads the stored verdicts,
    where each row's unplanned keys were listed once when it was judged. -#}
with judged as (
    select * from {{ ref('int_events__judged') }}
),

unplanned_keys as (
    select
        received_date,
        owner_team,
        event_name,
        {{ unnest_list('unplanned_property_keys', 'property_key') }}
    from judged
    where is_clean and {{ list_length('unplanned_property_keys') }} > 0
),

final as (
    select
        received_date,
        owner_team,
        event_name,
        property_key,
        count(*) as clean_rows
    from unplanned_keys
    group by received_date, owner_team, event_name, property_key
)

select * from final
