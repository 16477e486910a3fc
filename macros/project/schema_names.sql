{#- Layers land in plainly named schemas (staging, metrics, ...) instead of dbt's
    default `<target schema>_<custom schema>`, so consumers type `metrics.metrics_...`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
