{% test valid_funnel_steps(model, definitions) %}
{#- Fails for each funnel step row that breaks a rule (stg_funnel_steps, the staged
    `funnel_steps` seed; `definitions` is the staged `funnels` seed), and logs each one naming
    funnel, step, column and value: an event missing from the tracking plan, an event twice among
    a funnel's steps, step numbers not running 1..n, an unknown step type, a per-step window that
    is not a positive whole number of hours or sits on step 1 or an exclusion, an exclusion
    outside steps 1..n-1 (step 1 in an any-order funnel), and, when the window comes from
    `conversion_window_days` (no `conversion_window_hours`), a value that is not positive or
    differs between steps. -#}
{%- set problems_sql -%}
    with steps as (
        select
            funnel_steps.*,
            count(*) over (partition by funnel_steps.funnel_name, funnel_steps.event_name) as steps_with_event,
            row_number() over (partition by funnel_steps.funnel_name order by funnel_steps.step_number) as step_position
        from {{ model }} as funnel_steps
        where funnel_steps.step_type = 'step'
    ),

    funnels as (
        select
            steps.funnel_name,
            count(*) as step_count,
            min(steps.conversion_window_days) as conversion_window_days,
            count(distinct steps.conversion_window_days) as distinct_window_days,
            max(definitions.declared_order_mode) as order_mode,
            max(definitions.declared_conversion_window_hours) as declared_conversion_window_hours
        from steps
        left join {{ definitions }} as definitions
            on steps.funnel_name = definitions.funnel_name
        group by steps.funnel_name
    ),

    all_rows as (
        select
            funnel_steps.*,
            coalesce(funnels.step_count, 0) as step_count,
            funnels.order_mode
        from {{ model }} as funnel_steps
        left join funnels
            on funnel_steps.funnel_name = funnels.funnel_name
    )

    select
        all_rows.funnel_name,
        all_rows.step_number,
        'event_name' as column_name,
        all_rows.declared_event_name as column_value,
        'not in the tracking plan' as problem
    from all_rows
    left join {{ ref('tracking_plan') }} as plan
        on all_rows.event_name = {{ normalize_name('plan.event_name') }}
    where plan.event_name is null
    union all
    select
        funnel_name,
        step_number,
        'event_name' as column_name,
        declared_event_name as column_value,
        'appears in more than one step' as problem
    from steps
    where steps_with_event > 1
    union all
    select
        funnel_name,
        step_number,
        'step_number' as column_name,
        cast(step_number as string) as column_value,
        'step numbers must run 1..n without gaps or repeats' as problem
    from steps
    where step_number is null or step_number != step_position
    union all
    select
        funnel_name,
        step_number,
        'step_type' as column_name,
        declared_step_type as column_value,
        'must be step or exclude' as problem
    from all_rows
    where step_type not in ('step', 'exclude')
    union all
    select
        funnel_name,
        step_number,
        'max_hours_from_previous' as column_name,
        declared_max_hours_from_previous as column_value,
        case
            when coalesce(max_hours_from_previous, 0) <= 0 then 'must be a positive whole number of hours'
            else 'only steps 2..n have a window from the previous step'
        end as problem
    from all_rows
    where
        declared_max_hours_from_previous is not null
        and (coalesce(max_hours_from_previous, 0) <= 0 or step_type != 'step' or step_number < 2)
    union all
    select
        funnel_name,
        step_number,
        'step_number' as column_name,
        cast(step_number as string) as column_value,
        case
            when order_mode = 'any' then 'an exclusion of an any-order funnel has step_number 1'
            else 'an exclusion has a step_number from 1 to the last step minus 1'
        end as problem
    from all_rows
    where
        step_type = 'exclude'
        and (
            step_number is null
            or step_number < 1
            or step_number >= step_count
            or (order_mode = 'any' and step_number != 1)
        )
    union all
    select
        funnel_name,
        cast(null as integer) as step_number,
        'conversion_window_days' as column_name,
        cast(conversion_window_days as string) as column_value,
        case
            when distinct_window_days > 1 then 'differs between steps of the funnel'
            else 'must be a positive number of days (or set conversion_window_hours in the funnels seed)'
        end as problem
    from funnels
    where
        declared_conversion_window_hours is null
        and (coalesce(conversion_window_days, 0) <= 0 or distinct_window_days > 1)
{%- endset -%}
{{ report_funnel_problems(problems_sql) }}
{% endtest %}
