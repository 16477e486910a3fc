{% test valid_funnel_settings(model) %}
{#- Fails for each funnel setting outside the contract's lists (int_funnel_definitions), and
    logs each one naming funnel, column and value. -#}
{%- set problems_sql -%}
    select
        funnel_name,
        cast(null as integer) as step_number,
        'order_mode' as column_name,
        declared_order_mode as column_value,
        'must be ordered, strict or any' as problem
    from {{ model }}
    where declared_order_mode not in ('ordered', 'strict', 'any')
    union all
    select
        funnel_name,
        cast(null as integer) as step_number,
        'entry_rule' as column_name,
        declared_entry_rule as column_value,
        'must be first_ever or first_per_day' as problem
    from {{ model }}
    where declared_entry_rule not in ('first_ever', 'first_per_day')
    union all
    select
        funnel_name,
        cast(null as integer) as step_number,
        'conversion_window_hours' as column_name,
        declared_conversion_window_hours as column_value,
        'must be a positive whole number of hours' as problem
    from {{ model }}
    where
        declared_conversion_window_hours is not null
        and coalesce({{ funnel_whole_hours('declared_conversion_window_hours') }}, 0) <= 0
    union all
    select
        funnel_name,
        cast(null as integer) as step_number,
        'hold_constant' as column_name,
        declared_hold_constant as column_value,
        'must be empty, session, platform, device_id or property:<key>' as problem
    from {{ model }}
    where
        declared_hold_constant is not null
        and (hold_kind is null or (hold_kind = 'property' and coalesce(hold_property_key, '') = ''))
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
    from {{ model }}
    where
        declared_conversion_window_hours is null
        and (coalesce(conversion_window_days, 0) <= 0 or distinct_window_days > 1)
{%- endset -%}
{{ report_funnel_problems(problems_sql) }}
{% endtest %}
