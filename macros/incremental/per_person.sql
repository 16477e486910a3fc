{#- Incremental design, downstream of staging: every per-person model (sessions, user-days,
    users, events) is a function of one person's clean events only. int_affected_users logs the
    people whose events changed in a run (new or re-judged rows, devices that changed owner);
    each per-person model deletes those people's rows and rebuilds them from their whole history.
    The result is exactly what a full refresh gives, whatever arrives late. -#}

{#- The people whose rows this model must rebuild: everyone on a full build, else those logged
    as affected after this model's last processing stamp. -#}
{% macro affected_user_keys() -%}
    select distinct affected.user_key
    from {{ ref('int_affected_users') }} as affected
    {%- if is_incremental() %}
    where affected.affected_at > (select coalesce(max(processed.processed_at), cast('1900-01-01' as timestamp)) from {{ this }} as processed)
    {%- endif %}
{%- endmacro %}

{#- pre_hook of per-person incremental models: drop the rows of the people about to be rebuilt,
    including people who no longer have any event (their events moved to another person). -#}
{% macro delete_rows_of_affected_users() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where user_key in ({{ affected_user_keys() }})
    {%- endif -%}
{%- endmacro %}

{#- Config shared by the per-person incremental models. -#}
{% macro per_person_incremental_config() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook="{{ delete_rows_of_affected_users() }}",
    ) }}
{%- endmacro %}

{#- The rows of a per-person relation that this model must rebuild (all rows on a full build). -#}
{% macro rows_of_affected_users(relation) -%}
    {#- Referenced on every build, so dbt always knows the dependency. -#}
    {%- set affected_users_relation = ref('int_affected_users') -%}
    select * from {{ relation }}
    {%- if is_incremental() %}
    where user_key in ({{ affected_user_keys() }})
    {%- endif %}
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
