{#- Distinct users active within a rolling window, computed without expanding user-days into
    windows: a user's activity on day d keeps them counted until d + window_days, or until
    their next active day starts a new span. Returns rows (change_date, user_change) whose
    running sum over days is the rolling distinct count. `activity` must hold one row per
    (user_key, activity_date). -#}
{% macro rolling_user_count_changes(activity, window_days) -%}
    select
        activity_date as change_date,
        1 as user_change
    from {{ activity }}
    union all
    select
        least(
            cast({{ dbt.dateadd('day', window_days, 'activity_date') }} as date),
            coalesce(next_active_date, cast({{ dbt.dateadd('day', window_days, 'activity_date') }} as date))
        ) as change_date,
        -1 as user_change
    from {{ activity }}
{%- endmacro %}

{#- Division that is null, never an error or 0, when the denominator is 0 or null. -#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0)
{%- endmacro %}

{#- Sums and means of doubles depend on the order rows are added in; incremental and full builds
    add them in different orders. Adding in exact decimals makes every build give the same bits. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 10))) as double)
{%- endmacro %}

{% macro exact_avg(expression) -%}
    cast(avg(cast({{ expression }} as decimal(38, 10))) as double)
{%- endmacro %}
