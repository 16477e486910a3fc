{#- Masks e-mail addresses, IPv4 addresses and phone numbers inside free text, so personal
    data sent under an unexpected property key never leaves staging in clear text. -#}
{% macro redact_personal_data(expression) -%}
    {{ regexp_replace_all(
        regexp_replace_all(
            regexp_replace_all(
                expression,
                "'[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}'",
                "'[redacted email]'"
            ),
            "'[0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}'",
            "'[redacted ip]'"
        ),
        "'[+]?[0-9][0-9 ().-]{6,}[0-9]'",
        "'[redacted phone]'"
    ) }}
{%- endmacro %}

{#- True when a text is a strict JSON object (the only valid shape for `properties`). DuckDB's
    parser also accepts trailing commas, NaN/Infinity and comments, which JSON does not: those
    are looked for outside string literals. -#}
{% macro is_json_object(expression) -%}
    case
        when
            json_valid({{ expression }})
            and not regexp_matches(
                regexp_replace({{ expression }}, '"(\\.|[^"\\])*"', '""', 'g'),
                ',[ \t\n\r]*[]}]|(^|[^a-z0-9.])[+-]?(nan|inf)|/[*/]',
                'i'
            )
            then json_type({{ expression }}) = 'OBJECT'
        else false
    end
{%- endmacro %}

{#- True when a JSON value (type name from json_each/json_type) has the tracking plan type. -#}
{% macro json_value_has_type(json_type_expression, planned_type_expression) -%}
    case {{ planned_type_expression }}
        when 'string' then {{ json_type_expression }} = 'VARCHAR'
        when 'integer' then {{ json_type_expression }} in ('BIGINT', 'UBIGINT')
        when 'number' then {{ json_type_expression }} in ('BIGINT', 'UBIGINT', 'DOUBLE')
        when 'boolean' then {{ json_type_expression }} = 'BOOLEAN'
        else false
    end
{%- endmacro %}
