{#- Masks e-mail addresses, IPv4 addresses and phone numbers inside free text, so personal
    data sent under an unexpected property key never leaves staging in clear text. -#}
{% macro redact_personal_data(expression) -%}
    {{ regexp_replace_all(
        regexp_replace_all(
            regexp_replace_all(
                regexp_replace_all(
                    expression,
                    "'[^ \t\n\r\f\v\"@<>(),;:\\[\\]{}]+(@|\\\\u0040)[^ \t\n\r\f\v\"@<>(),;:\\[\\]{}]+[.][A-Za-z]{2,}'",
                    "'[redacted email]'"
                ),
                "'[0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}'",
                "'[redacted ip]'"
            ),
            "'([0-9A-Fa-f]{0,4}:){3,7}[0-9A-Fa-f]{1,4}'",
            "'[redacted ip]'"
        ),
        "'[+]?[0-9][0-9 ().-]{6,}[0-9]'",
        "'[redacted phone]'"
    ) }}
{%- endmacro %}

{#- True when a list of property keys is already canonical: distinct snake_case keys (an empty
    list is canonical). Such objects need no key normalization or settling of look-alike keys. -#}
{% macro has_canonical_property_keys(keys_expression) -%}
    {{ return(adapter.dispatch('has_canonical_property_keys', 'product_metrics')(keys_expression)) }}
{%- endmacro %}

{% macro default__has_canonical_property_keys(keys_expression) -%}
    (
        regexp_full_match(
            array_to_string({{ keys_expression }}, ','),
            '{{ canonical_key_list_pattern() }}'
        )
        -- Most objects have one or two keys: compare those directly, hash only longer lists.
        and case
            when len({{ keys_expression }}) < 2 then true
            when len({{ keys_expression }}) = 2 then {{ keys_expression }}[1] != {{ keys_expression }}[2]
            else list_unique({{ keys_expression }}) = len({{ keys_expression }})
        end
    )
{%- endmacro %}

{% macro spark__has_canonical_property_keys(keys_expression) -%}
    (
        {{ regexp_full_match("array_join(" ~ keys_expression ~ ", ',')", "'" ~ canonical_key_list_pattern() ~ "'") }}
        and size(array_distinct({{ keys_expression }})) = size({{ keys_expression }})
    )
{%- endmacro %}

{#- Comma-separated snake_case keys (or none). -#}
{% macro canonical_key_list_pattern() -%}
    (([a-z0-9]+(_[a-z0-9]+)*)(,[a-z0-9]+(_[a-z0-9]+)*)*)?
{%- endmacro %}

{#- True when a properties object must be rebuilt before it leaves staging: its keys are not
    canonical, or it may hold personal data (a personal-data key, or something shaped like an
    e-mail, IP address or phone number). Other objects are passed through unchanged. Only for
    texts that are JSON objects; the keys are parsed once by the caller. -#}
{% macro needs_property_rewrite(expression, keys_expression) -%}
    case
        when not {{ has_canonical_property_keys(keys_expression) }} then true
        else {{ regexp_contains(
            expression,
            "'@|u0040|[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:|[0-9][.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]|[0-9][0-9 ().-]{6,}[0-9]|\"("
            ~ var('personal_data_property_keys') | join('|') ~ ")\"'"
        ) }}
    end
{%- endmacro %}
