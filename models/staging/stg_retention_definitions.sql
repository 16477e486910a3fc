{#- The retention definitions of the `retention_definitions` seed, with event names normalized
    the tracking plan's way, options lowercased and empty cells set to the v1 defaults. Checked by
    the tests of this model before any retention is computed. -#}
with definitions as (
    select * from {{ ref('retention_definitions') }}
),

trimmed as (
    select
        trim(retention_name) as retention_name,
        description,
        nullif(trim(start_event), '') as declared_start_event,
        nullif(trim(return_event), '') as declared_return_event,
        lower(nullif(trim(cohort_type), '')) as declared_cohort_type,
        lower(nullif(trim(period), '')) as period,
        lower(nullif(trim(window_type), '')) as declared_window_type,
        nullif(trim(brackets), '') as brackets
    from definitions
),

final as (
    select
        retention_name,
        description,
        declared_start_event,
        case
            when declared_start_event is null or lower(declared_start_event) = 'first_seen' then 'first_seen'
            else {{ normalize_name('declared_start_event') }}
        end as start_event,
        declared_return_event,
        case
            when declared_return_event is null or lower(declared_return_event) = 'any_active' then 'any_active'
            else {{ normalize_name('declared_return_event') }}
        end as return_event,
        coalesce(declared_cohort_type, 'first_time') as cohort_type,
        period,
        coalesce(declared_window_type, 'calendar') as window_type,
        brackets
    from trimmed
)

select * from final
