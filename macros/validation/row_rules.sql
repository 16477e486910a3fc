{#- Row rules of staging v2 that look at one value: identifiers and plausible time. -#}

{#- An identifier as an SDK sent it (insert_id, user_id, device_id), or null when it is missing
    (contract v2, "Placeholder ids"): control characters are removed, then the text is trimmed;
    empty text and the placeholders SDKs send for "no value" (var `placeholder_ids`, compared
    ignoring case: `undefined`, `null`, ...) are missing, so they never become a person. -#}
{% macro clean_identifier(expression) -%}
    {%- set control_characters = "'[\\x{00}-\\x{1F}\\x{7F}-\\x{9F}]'" -%}
    {#- Control characters are rare: the cheaper match decides whether to rewrite the text. -#}
    {%- set stripped -%}
        trim(case
            when {{ regexp_contains(expression, control_characters) }}
                then {{ regexp_replace_all(expression, control_characters, "''") }}
            else {{ expression }}
        end)
    {%- endset -%}
    {%- set placeholders = [''] + var('placeholder_ids') | map('lower') | list -%}
    case
        -- Only text as short as the longest placeholder can be one: real ids skip the lookup.
        when
            length({{ stripped }}) <= {{ placeholders | map('length') | max }}
            and lower({{ stripped }}) in (
                {%- for placeholder in placeholders -%}
                    '{{ placeholder | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
                {%- endfor -%}
            )
            then null
        else {{ stripped }}
    end
{%- endmacro %}

{#- True when a parsed timestamp is inside the plausible window (vars `earliest_valid_time` and
    `latest_valid_time`, bounds included); false for null or implausible times, such as epoch
    seconds read as milliseconds (1970) or year 9999. -#}
{% macro is_plausible_time(expression) -%}
    coalesce(
        {{ expression }} between {{ parse_timestamp_utc(sql_text_literal(var('earliest_valid_time'))) }}
        and {{ parse_timestamp_utc(sql_text_literal(var('latest_valid_time'))) }},
        false
    )
{%- endmacro %}
