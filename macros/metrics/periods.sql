{#- Calendar periods (day, ISO week, calendar month) named by a SQL expression, so one model
    serves every period a seed row asks for. Built on dbt's cross-database date macros. -#}

{#- The first day of the period holding a date: the date itself, its Monday, or the 1st. -#}
{% macro period_start_date(period_expression, date_expression) -%}
    case {{ period_expression }}
        when 'week' then cast({{ dbt.date_trunc('week', date_expression) }} as date)
        when 'month' then cast({{ dbt.date_trunc('month', date_expression) }} as date)
        else cast({{ date_expression }} as date)
    end
{%- endmacro %}

{#- How many whole periods separate two period start dates (0 when they are the same period). -#}
{% macro periods_between(period_expression, start_date_expression, end_date_expression) -%}
    case {{ period_expression }}
        when 'week' then cast(floor({{ dbt.datediff(start_date_expression, end_date_expression, 'day') }} / 7) as integer)
        when 'month' then cast(
            (extract(year from {{ end_date_expression }}) - extract(year from {{ start_date_expression }})) * 12
            + extract(month from {{ end_date_expression }}) - extract(month from {{ start_date_expression }})
            as integer
        )
        else cast({{ dbt.datediff(start_date_expression, end_date_expression, 'day') }} as integer)
    end
{%- endmacro %}

{#- The last day of the period that comes `periods` periods after the period starting on a date
    (periods = 0: the last day of that period itself). -#}
{% macro period_last_date(period_expression, start_date_expression, periods_expression) -%}
    case {{ period_expression }}
        when 'week' then cast({{ dbt.dateadd('day', '7 * (' ~ periods_expression ~ ') + 6', start_date_expression) }} as date)
        when 'month' then cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', '(' ~ periods_expression ~ ') + 1', start_date_expression)) }}
            as date
        )
        else cast({{ dbt.dateadd('day', periods_expression, start_date_expression) }} as date)
    end
{%- endmacro %}
