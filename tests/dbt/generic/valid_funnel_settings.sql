{% test valid_funnel_settings(model) %}
{#- Fails for each funnel setting outside the contract's lists (stg_funnels, the staged
    `funnels` seed), and logs each one naming funnel, column and value. -#}
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
{%- endset -%}
{{ report_funnel_problems(problems_sql) }}
{% endtest %}
