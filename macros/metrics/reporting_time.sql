{#- The reporting time zone (var `reporting_timezone`, an IANA name, default UTC): every public
    date and period is the calendar day of the instant in that zone. Timestamps stay UTC
    instants; durations (funnel windows, 24-hour retention, the session gap) stay exact. -#}

{% macro reporting_timezone() -%}
    {{ return(var('reporting_timezone', 'UTC') | string) }}
{%- endmacro %}

{#- Run start: an unknown zone stops the run before anything is written, in one line. -#}
{% macro check_reporting_timezone() -%}
    {%- set zone = reporting_timezone() -%}
    {%- if zone not in modules.pytz.all_timezones_set -%}
        {{ exceptions.raise_compiler_error(
            "var reporting_timezone is '" ~ zone ~ "', which is not an IANA time zone name: "
            ~ "use one such as 'UTC', 'America/New_York' or 'Europe/Berlin', e.g. "
            ~ "--vars '{reporting_timezone: Europe/Berlin}'"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- The wall-clock time (a `timestamp` without zone) of a UTC timestamp in the reporting time
    zone; with UTC the timestamp itself, so the default build's SQL does not change. -#}
{% macro reporting_local_time(timestamp_expression) -%}
    {{ return(adapter.dispatch('reporting_local_time', 'product_metrics')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__reporting_local_time(timestamp_expression) -%}
    {%- if reporting_timezone() == 'UTC' -%}
        {{ timestamp_expression }}
    {%- else -%}
        timezone('{{ reporting_timezone() }}', timezone('UTC', {{ timestamp_expression }}))
    {%- endif -%}
{%- endmacro %}

{#- The session time zone is UTC (profiles.yml): from_utc_timestamp gives the wall-clock time. -#}
{% macro spark__reporting_local_time(timestamp_expression) -%}
    {%- if reporting_timezone() == 'UTC' -%}
        {{ timestamp_expression }}
    {%- else -%}
        from_utc_timestamp({{ timestamp_expression }}, '{{ reporting_timezone() }}')
    {%- endif -%}
{%- endmacro %}

{#- The calendar day (a `date`) of a UTC timestamp in the reporting time zone: days of 23 and
    25 hours around daylight-saving changes are whole days. -#}
{% macro reporting_date(timestamp_expression) -%}
    cast({{ reporting_local_time(timestamp_expression) }} as date)
{%- endmacro %}
