{#- Incremental design, downstream of staging: every per-person model (sessions, user-days,
    users, events) is a function of one person's clean events only. int_affected_users logs the
    people whose events changed in a run (new or re-judged rows, devices that changed owner);
    each per-person model rebuilds exactly those people from their whole history with the custom
    incremental strategy `per_person` below. The result is exactly what a full refresh gives,
    whatever arrives late.

    A per-person model reads like this (the log is a visible ref of the model):

        {{ config(materialized='incremental', incremental_strategy=per_person_strategy()) }}

        with events as (
            {{ rows_of_affected_users(ref('int_events_sessionized'), ref('int_affected_users')) }}
        ), ... -#}

{#- The people whose rows this model must rebuild: everyone on a full build, else those logged
    as affected after this model's last processing stamp (its newest `processed_at`). -#}
{% macro affected_users(affected_users_relation) -%}
    select distinct affected.user_key
    from {{ affected_users_relation }} as affected
    {%- if is_incremental() %}
    where affected.affected_at > (select coalesce(max(processed.processed_at), cast('1900-01-01' as timestamp)) from {{ this }} as processed)
    {%- endif %}
{%- endmacro %}

{#- The rows of a per-person relation that this model must rebuild: all rows on a full build,
    else the rows of the people logged as affected since the model's last run. -#}
{% macro rows_of_affected_users(relation, affected_users_relation) -%}
    select * from {{ relation }}
    {%- if is_incremental() %}
    where user_key in ({{ affected_users(affected_users_relation) }})
    {%- endif %}
{%- endmacro %}

{#- The custom incremental strategy `per_person` (dbt calls get_incremental_<strategy>_sql):
    delete the rows of every person logged as affected, including people who no longer have any
    event (their events moved to another person), then insert the rebuilt rows. The people are
    read from the same log (the model's ref), with the same stamp, as rows_of_affected_users did
    in the model: the model's rows were computed before this statement runs, so both see the same
    target. -#}
{% macro get_incremental_per_person_sql(arg_dict) -%}
    {%- set target_relation = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target_relation }}
    where user_key in ({{ affected_users(ref('int_affected_users')) }});

    insert into {{ target_relation }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- The incremental strategy of per-person models. Spark's incremental materialization accepts
    only its own strategies, and Spark tables on plain Parquet cannot delete rows: there a
    per-person model appends, and a Spark build is a full build (every incremental model created
    from scratch). -#}
{% macro per_person_strategy() -%}
    {{ return(adapter.dispatch('per_person_strategy', 'product_metrics')()) }}
{%- endmacro %}

{% macro default__per_person_strategy() -%}
    {{ return('per_person') }}
{%- endmacro %}

{% macro spark__per_person_strategy() -%}
    {{ return('append') }}
{%- endmacro %}

{#- Incremental strategy of models that replace rows by key. Spark tables on plain Parquet cannot
    delete rows, so a Spark build is a full build (every incremental model created from scratch);
    a cluster on Delta or Iceberg would use `merge` here. -#}
{% macro replace_by_key_strategy() -%}
    {{ return(adapter.dispatch('replace_by_key_strategy', 'product_metrics')()) }}
{%- endmacro %}

{% macro default__replace_by_key_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__replace_by_key_strategy() -%}
    {{ return('append') }}
{%- endmacro %}
