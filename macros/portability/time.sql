{#- A timestamp plus a whole number of hours (an exact duration). -#}
{% macro add_hours(timestamp_expression, hours_expression) -%}
    {{ return(adapter.dispatch('add_hours', 'product_metrics')(timestamp_expression, hours_expression)) }}
{%- endmacro %}

{% macro default__add_hours(timestamp_expression, hours_expression) -%}
    ({{ timestamp_expression }} + to_hours(cast({{ hours_expression }} as bigint)))
{%- endmacro %}

{% macro spark__add_hours(timestamp_expression, hours_expression) -%}
    timestampadd(hour, {{ hours_expression }}, {{ timestamp_expression }})
{%- endmacro %}

{#- Parses an SDK timestamp to a UTC `timestamp`, or null when it is not one of the accepted
    shapes: ISO 8601 with or without an offset (none means UTC), or epoch milliseconds.
    A date alone is not a timestamp. -#}
{% macro parse_timestamp_utc(expression) -%}
    {{ return(adapter.dispatch('parse_timestamp_utc', 'product_metrics')(expression)) }}
{%- endmacro %}

{#- ISO 8601 date and time; the offset, if any, within the +-18:00 that time zones use. -#}
{% macro iso_timestamp_pattern() -%}
    '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-](0[0-9]|1[0-7])(:?[0-5][0-9])?|[+-]18(:?00)?)?'
{%- endmacro %}

{% macro default__parse_timestamp_utc(expression) -%}
    case
        -- ISO text first: it is the common shape, so most rows take one regex test.
        when regexp_full_match({{ expression }}, {{ iso_timestamp_pattern() }})
            then timezone('UTC', try_cast({{ expression }} as timestamptz))
        when regexp_full_match({{ expression }}, '-?[0-9]{1,15}')
            then epoch_ms(cast({{ expression }} as bigint))
    end
{%- endmacro %}

{#- The session time zone is UTC (profiles.yml), so a text without an offset is read as UTC. -#}
{% macro spark__parse_timestamp_utc(expression) -%}
    case
        when {{ regexp_full_match(expression, iso_timestamp_pattern()) }}
            then try_cast({{ expression }} as timestamp)
        when {{ regexp_full_match(expression, "'-?[0-9]{1,15}'") }}
            then timestamp_millis(cast({{ expression }} as bigint))
    end
{%- endmacro %}

{#- Exact seconds (with fractions) from one timestamp to a later one. -#}
{% macro seconds_between(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('seconds_between', 'product_metrics')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro default__seconds_between(start_expression, end_expression) -%}
    (epoch_us({{ end_expression }}) - epoch_us({{ start_expression }})) / 1000000.0
{%- endmacro %}

{#- When this dbt invocation started (UTC): the load stamp that incremental models compare. -#}
{% macro run_timestamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro spark__seconds_between(start_expression, end_expression) -%}
    cast(unix_micros({{ end_expression }}) - unix_micros({{ start_expression }}) as double) / 1000000.0
{%- endmacro %}
