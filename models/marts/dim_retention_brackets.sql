{#- The brackets of each retention definition: one row per bracket, parsed from the seed's text
    (`0,1,2,3,4-7`). A bracket that is not a period number or an inclusive range `a-b` keeps null
    period numbers; the test retention_definitions_are_valid reports it. -#}
with definitions as (
    select * from {{ ref('stg_retention_definitions') }}
),

items as (
    select
        retention_name,
        {{ unnest_with_position(split_on_commas('brackets'), 'bracket_item', 'item_position') }}
    from definitions
    where brackets is not null
),

parsed as (
    select
        retention_name,
        item_position,
        trim(bracket_item) as declared_bracket,
        {{ regexp_full_match('trim(bracket_item)', "'[0-9]{1,4}(-[0-9]{1,4})?'") }} as is_well_formed
    from items
),

bounds as (
    select
        retention_name,
        item_position,
        declared_bracket,
        case
            when is_well_formed then cast(split_part(declared_bracket, '-', 1) as integer)
        end as first_period_number,
        case
            when is_well_formed
                then cast(
                    coalesce(nullif(split_part(declared_bracket, '-', 2), ''), split_part(declared_bracket, '-', 1))
                    as integer
                )
        end as last_period_number
    from parsed
),

final as (
    select
        retention_name,
        cast(row_number() over (partition by retention_name order by item_position) as integer) as bracket_position,
        declared_bracket,
        case
            when first_period_number = last_period_number
                then cast(first_period_number as {{ dbt.type_string() }})
            else
                cast(first_period_number as {{ dbt.type_string() }})
                || '-'
                || cast(last_period_number as {{ dbt.type_string() }})
        end as bracket,
        first_period_number,
        last_period_number
    from bounds
)

select * from final
