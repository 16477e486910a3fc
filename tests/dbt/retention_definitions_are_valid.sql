{{ config(store_failures=true, group='data_platform') }}
{#- Every rule of the `retention_definitions` seed, checked on its staged rows. Each failing row
    names the definition, the column and the value (`invalid_value`), and says what is wrong. -#}
with definitions as (
    select * from {{ ref('stg_retention_definitions') }}
),

brackets as (
    select * from {{ ref('dim_retention_brackets') }}
),

plan as (
    select {{ normalize_name('event_name') }} as event_name
    from {{ ref('tracking_plan') }}
),

named as (
    select
        *,
        count(*) over (partition by retention_name) as rows_with_name
    from definitions
),

ordered_brackets as (
    -- Brackets of a repeated name cannot be told apart: the name is reported instead.
    select
        brackets.*,
        lag(brackets.last_period_number) over (
            partition by brackets.retention_name
            order by brackets.bracket_position
        ) as previous_last_period_number
    from brackets
    inner join named
        on brackets.retention_name = named.retention_name
    where named.rows_with_name = 1
),

problems as (
    select
        retention_name,
        'retention_name' as column_name,
        retention_name as invalid_value,
        'must be a non-empty name used by one row only' as problem
    from named
    where retention_name is null or retention_name = '' or rows_with_name > 1
    union all
    select
        definitions.retention_name,
        'start_event' as column_name,
        definitions.declared_start_event as invalid_value,
        'must be first_seen or an event of the tracking plan' as problem
    from definitions
    left join plan
        on definitions.start_event = plan.event_name
    where definitions.start_event != 'first_seen' and plan.event_name is null
    union all
    select
        definitions.retention_name,
        'return_event' as column_name,
        definitions.declared_return_event as invalid_value,
        'must be any_active or an event of the tracking plan' as problem
    from definitions
    left join plan
        on definitions.return_event = plan.event_name
    where definitions.return_event != 'any_active' and plan.event_name is null
    union all
    select
        retention_name,
        'cohort_type' as column_name,
        cohort_type as invalid_value,
        'must be first_time or recurring' as problem
    from definitions
    where cohort_type not in ('first_time', 'recurring')
    union all
    select
        retention_name,
        'cohort_type' as column_name,
        cohort_type as invalid_value,
        'recurring cohorts need a start event: first_seen happens once per person' as problem
    from definitions
    where cohort_type = 'recurring' and start_event = 'first_seen'
    union all
    select
        retention_name,
        'period' as column_name,
        period as invalid_value,
        'must be day, week or month' as problem
    from definitions
    where period is null or period not in ('day', 'week', 'month')
    union all
    select
        retention_name,
        'window_type' as column_name,
        window_type as invalid_value,
        'must be calendar or rolling_24h' as problem
    from definitions
    where window_type not in ('calendar', 'rolling_24h')
    union all
    select
        retention_name,
        'window_type' as column_name,
        window_type as invalid_value,
        'rolling_24h works with period day only' as problem
    from definitions
    where window_type = 'rolling_24h' and coalesce(period, '') != 'day'
    union all
    select
        retention_name,
        'brackets' as column_name,
        brackets as invalid_value,
        'must list at least one bracket' as problem
    from definitions
    where brackets is null
    union all
    select
        retention_name,
        'brackets' as column_name,
        declared_bracket as invalid_value,
        'each bracket must be a period number or an inclusive range a-b (up to 4 digits)' as problem
    from ordered_brackets
    where first_period_number is null
    union all
    select
        retention_name,
        'brackets' as column_name,
        declared_bracket as invalid_value,
        'a range must not end before it starts' as problem
    from ordered_brackets
    where first_period_number > last_period_number
    union all
    select
        retention_name,
        'brackets' as column_name,
        declared_bracket as invalid_value,
        'brackets must be ascending and must not overlap' as problem
    from ordered_brackets
    where first_period_number <= previous_last_period_number
)

select * from problems
