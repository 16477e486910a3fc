{#- The highest step number of the `step` rows of the funnel_steps seed (1 when the seed is empty
    or while dbt parses), so a funnel model can unroll one CTE per step. Only the integer is used
    in SQL; no seed text is ever rendered into a query. -#}
{% macro funnel_max_step_number() -%}
    {%- if not execute -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set result = run_query(
        "select coalesce(max(step_number), 1) from " ~ ref('dim_funnel_steps') ~ " where step_type = 'step'"
    ) -%}
    {{ return([result.columns[0].values()[0] | int, 1] | max) }}
{%- endmacro %}

{#- A whole number of hours written as text, as an integer; null when empty or not a number (the
    funnel data tests report such values). -#}
{% macro funnel_whole_hours(text_expression) -%}
    case
        when {{ regexp_full_match(text_expression, "'[0-9]{1,7}'") }} then cast({{ text_expression }} as integer)
    end
{%- endmacro %}

{#- The value of a property (compact JSON text) that a funnel holds constant; null when the
    event does not carry it (absent or JSON null). -#}
{% macro funnel_property_value(properties_expression, key_expression) -%}
    case
        when {{ json_type_at(properties_expression, json_key_path(key_expression)) }} != 'NULL'
            then {{ json_value_text(json_value_at(properties_expression, json_key_path(key_expression))) }}
    end
{%- endmacro %}

{#- The funnel progress rows of reported entries: those whose whole window ends on or before
    data end (the last day of the reporting calendar). -#}
{% macro funnel_reported_progress(progress_relation, calendar_relation) -%}
    select progress.*
    from {{ progress_relation }} as progress
    where {{ reporting_date('progress.window_ends_at') }} <= (
        select max(calendar.calendar_date) from {{ calendar_relation }} as calendar
    )
{%- endmacro %}

{#- Funnel conversion rows from reported progress rows: one row per funnel, group (the given
    columns, e.g. a segment), entry date with at least one entry, and step of the funnel, with
    the people who reached the step, conversion from the start and from the previous step, and
    the median and quartiles of seconds from entry. -#}
{% macro funnel_step_rows(reported_relation, funnel_steps_relation, group_columns=[]) -%}
    {%- set group_list = [] -%}
    {%- for column in group_columns -%}
        {%- do group_list.append(column ~ ', ') -%}
    {%- endfor -%}
    {%- set groups = group_list | join('') -%}
    select
        funnel_name,
        {{ groups }}entry_date,
        step_number,
        step_event_name,
        users,
        {{ safe_divide(
            'users',
            'first_value(users) over (partition by funnel_name, ' ~ groups ~ 'entry_date order by step_number)'
        ) }} as conversion_from_start,
        {{ safe_divide(
            'users',
            'coalesce(lag(users) over (partition by funnel_name, ' ~ groups ~ 'entry_date order by step_number), users)'
        ) }} as conversion_from_previous,
        median_seconds_from_start,
        p25_seconds_from_start,
        p75_seconds_from_start,
        p90_seconds_from_start
    from (
        select
            entry_groups.funnel_name,
            {% for column in group_columns %}entry_groups.{{ column }}, {% endfor %}
            entry_groups.entry_date,
            steps.step_number,
            steps.event_name as step_event_name,
            coalesce(step_users.users, 0) as users,
            step_users.median_seconds_from_start,
            step_users.p25_seconds_from_start,
            step_users.p75_seconds_from_start,
            step_users.p90_seconds_from_start
        from (
            select distinct
                funnel_name,
                {{ groups }}entry_date
            from {{ reported_relation }}
            where step_number = 1
        ) as entry_groups
        inner join {{ funnel_steps_relation }} as steps
            on entry_groups.funnel_name = steps.funnel_name
        left join (
            select
                funnel_name,
                {{ groups }}entry_date,
                step_number,
                count(*) as users,
                median({{ seconds_between('entry_at', 'reached_at') }}) as median_seconds_from_start,
                {{ percentile_cont(seconds_between('entry_at', 'reached_at'), 0.25) }} as p25_seconds_from_start,
                {{ percentile_cont(seconds_between('entry_at', 'reached_at'), 0.75) }} as p75_seconds_from_start,
                {{ percentile_cont(seconds_between('entry_at', 'reached_at'), 0.9) }} as p90_seconds_from_start
            from {{ reported_relation }}
            group by funnel_name, {{ groups }}entry_date, step_number
        ) as step_users
            on
                entry_groups.funnel_name = step_users.funnel_name
                {% for column in group_columns %}and entry_groups.{{ column }} = step_users.{{ column }}
                {% endfor %}and entry_groups.entry_date = step_users.entry_date
                and steps.step_number = step_users.step_number
        where steps.step_type = 'step'
    ) as step_grid
{%- endmacro %}

{#- Time-to-convert buckets, half-open [start, end) in seconds, as a query of literal rows. -#}
{% macro funnel_time_buckets() -%}
    {%- set buckets = [
        ('<1m', 0, 60), ('1-5m', 60, 300), ('5-30m', 300, 1800), ('30m-2h', 1800, 7200),
        ('2-24h', 7200, 86400), ('1-3d', 86400, 259200), ('3-7d', 259200, 604800), ('>=7d', 604800, none),
    ] -%}
    {%- for label, start_seconds, end_seconds in buckets %}
    select
        '{{ label }}' as bucket,
        cast({{ start_seconds }} as bigint) as bucket_start_seconds,
        cast({{ end_seconds if end_seconds is not none else 'null' }} as bigint) as bucket_end_seconds
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The rows of a funnel check query, and each one logged as a line naming funnel, step, column
    and value, so that the failing test's output says what to fix. The query has the columns
    funnel_name, step_number (null for a funnel-level setting), column_name, column_value, problem. -#}
{% macro report_funnel_problems(problems_sql) -%}
    {%- if execute -%}
        {%- set problems = run_query('select * from (' ~ problems_sql ~ ') as problems order by 1, 2, 3') -%}
        {%- for row in problems.rows -%}
            {%- do log(
                "Invalid funnel definition: funnel '" ~ row[0] ~ "'"
                ~ (" step " ~ row[1] if row[1] is not none else "")
                ~ ", column " ~ row[2] ~ ", value '" ~ (row[3] if row[3] is not none else "") ~ "': " ~ row[4],
                info=true
            ) -%}
        {%- endfor -%}
    {%- endif %}
    select * from ({{ problems_sql }}) as problems
{%- endmacro %}
