{#- The complete ISO weeks of the reporting calendar (last day on or before data end): the only
    weeks weekly metrics report. -#}
{{ config(materialized='view') }}

with calendar as (
    select * from {{ ref('dim_dates') }}
),

final as (
    select distinct
        week_start_date,
        cast({{ dbt.dateadd('day', -7, 'week_start_date') }} as date) as previous_week_start_date
    from calendar
    where is_week_complete
)

select * from final
