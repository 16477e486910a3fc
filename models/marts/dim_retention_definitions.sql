{#- The retention definitions as the retention facts and metrics read them: the staged
    `retention_definitions` seed, checked by retention_definitions_are_valid. -#}
with definitions as (
    select * from {{ ref('stg_retention_definitions') }}
),

final as (
    select
        retention_name,
        description,
        declared_start_event,
        start_event,
        declared_return_event,
        return_event,
        cohort_type,
        period,
        window_type,
        brackets
    from definitions
)

select * from final
