{#- The highest step number declared in the funnel_steps seed (1 when the seed is empty or while
    dbt parses), so a funnel model can unroll one CTE per step. Only the integer is used in SQL;
    no seed text is ever rendered into a query. -#}
{% macro funnel_max_step_number() -%}
    {%- if not execute -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set result = run_query('select coalesce(max(step_number), 1) from ' ~ ref('int_funnel_steps')) -%}
    {{ return([result.columns[0].values()[0] | int, 1] | max) }}
{%- endmacro %}

{#- Fails the build with a message naming the funnel and step when the funnel_steps seed breaks
    a rule: the event is not in the tracking plan, an event appears twice in one funnel, step
    numbers do not run 1..n, or a window is not a positive number of days. -#}
{% macro assert_valid_funnel_steps() -%}
    {%- if execute -%}
        {%- set check_sql -%}
            with steps as (
                select
                    funnel_name,
                    step_number,
                    declared_event_name as event_name,
                    event_name as normalized_event_name,
                    conversion_window_days
                from {{ ref('int_funnel_steps') }}
            ),

            numbered as (
                select
                    steps.*,
                    count(*) over (partition by funnel_name, normalized_event_name) as steps_with_event,
                    row_number() over (partition by funnel_name order by step_number) as step_position
                from steps
            ),

            window_counts as (
                select
                    funnel_name,
                    count(distinct conversion_window_days) as distinct_windows
                from steps
                group by funnel_name
            ),

            problems as (
                select
                    steps.funnel_name,
                    steps.step_number,
                    'event ''' || coalesce(steps.event_name, '') || ''' is not in the tracking plan' as problem
                from steps
                left join {{ ref('tracking_plan') }} as plan
                    on steps.normalized_event_name = {{ normalize_name('plan.event_name') }}
                where plan.event_name is null
                union all
                select
                    funnel_name,
                    step_number,
                    'event ''' || event_name || ''' appears in more than one step' as problem
                from numbered
                where steps_with_event > 1
                union all
                select
                    funnel_name,
                    step_number,
                    'step numbers must run 1..n without gaps or repeats' as problem
                from numbered
                where step_number is null or step_number != step_position
                union all
                select
                    funnel_name,
                    step_number,
                    'conversion_window_days must be a positive number of days' as problem
                from steps
                where coalesce(conversion_window_days, 0) <= 0
                union all
                select
                    steps.funnel_name,
                    steps.step_number,
                    'conversion_window_days differs between steps of the funnel' as problem
                from steps
                inner join window_counts
                    on steps.funnel_name = window_counts.funnel_name
                where window_counts.distinct_windows > 1
            )

            select funnel_name, step_number, problem
            from problems
            order by funnel_name, step_number
        {%- endset -%}
        {%- set problems = run_query(check_sql) -%}
        {%- if problems.rows | length > 0 -%}
            {%- set messages = [] -%}
            {%- for row in problems.rows -%}
                {%- do messages.append("funnel '" ~ row[0] ~ "' step " ~ row[1] ~ ": " ~ row[2]) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "Invalid funnel definition in seed funnel_steps:\n  " ~ messages | join("\n  ")
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
