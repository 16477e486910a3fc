{#- The seed's default definitions reproduce v1 cell by cell: `daily` equals
    metrics_retention_daily_cohorts and `weekly` equals metrics_retention_weekly_cohorts. Fails
    for every row found on one side only (a missing row, an extra row or a different value). -#}
with daily_v1 as (
    select
        cohort_date,
        day_number,
        cohort_size,
        retained_users,
        retention_rate,
        unbounded_retained_users,
        unbounded_retention_rate
    from {{ ref('metrics_retention_daily_cohorts') }}
),

daily_v2 as (
    select
        cohort_start_date as cohort_date,
        first_period_number as day_number,
        cohort_size,
        retained_users,
        retention_rate,
        unbounded_retained_users,
        unbounded_retention_rate
    from {{ ref('metrics_retention') }}
    where retention_name = 'daily'
),

weekly_v1 as (
    select
        cohort_week_start_date,
        week_number,
        cohort_size,
        retained_users,
        retention_rate
    from {{ ref('metrics_retention_weekly_cohorts') }}
),

weekly_v2 as (
    select
        cohort_start_date as cohort_week_start_date,
        first_period_number as week_number,
        cohort_size,
        retained_users,
        retention_rate
    from {{ ref('metrics_retention') }}
    where retention_name = 'weekly'
),

differences as (
    select
        'daily: only in v1' as side,
        cohort_date as cohort_start_date,
        day_number as period_number
    from (
        select * from daily_v1
        except
        select * from daily_v2
    ) as only_v1
    union all
    select
        'daily: only in metrics_retention' as side,
        cohort_date as cohort_start_date,
        day_number as period_number
    from (
        select * from daily_v2
        except
        select * from daily_v1
    ) as only_v2
    union all
    select
        'weekly: only in v1' as side,
        cohort_week_start_date as cohort_start_date,
        week_number as period_number
    from (
        select * from weekly_v1
        except
        select * from weekly_v2
    ) as only_v1
    union all
    select
        'weekly: only in metrics_retention' as side,
        cohort_week_start_date as cohort_start_date,
        week_number as period_number
    from (
        select * from weekly_v2
        except
        select * from weekly_v1
    ) as only_v2
)

select * from differences
