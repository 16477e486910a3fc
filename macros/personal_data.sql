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

{#- True when a text is a strict JSON object (the only valid shape for `properties`). DuckDB's
    parser also accepts trailing commas, NaN/Infinity and comments, which JSON does not: those
    are looked for outside string literals. -#}
{% macro is_json_object(expression) -%}
    case
        when not json_valid({{ expression }}) then false
        when
            -- Cheap look first; the exact check (outside string literals) only when it hits.
            regexp_matches({{ expression }}, ',[ \t\n\r]*[]}]|[nN][aA][nN]|[iI][nN][fF]|/[*/]')
            and regexp_matches(
                regexp_replace({{ expression }}, '"(\\.|[^"\\])*"', '""', 'g'),
                ',[ \t\n\r]*[]}]|(^|[^a-z0-9.])[+-]?(nan|inf)|/[*/]',
                'i'
            )
            then false
        else json_type({{ expression }}) = 'OBJECT'
    end
{%- endmacro %}

{#- The JSON type names (as json_type gives them) that a tracking plan type accepts, as a list;
    an unknown plan type accepts none. -#}
{% macro json_types_accepted(planned_type_expression) -%}
    case {{ planned_type_expression }}
        when 'string' then ['VARCHAR']
        when 'integer' then ['BIGINT', 'UBIGINT']
        when 'number' then ['BIGINT', 'UBIGINT', 'DOUBLE']
        when 'boolean' then ['BOOLEAN']
        else cast([] as varchar [])
    end
{%- endmacro %}

{#- True when a list of property keys is already canonical: distinct snake_case keys (an empty
    list is canonical). Such objects need no key normalization or settling of look-alike keys. -#}
{% macro has_canonical_property_keys(keys_expression) -%}
    (
        regexp_full_match(
            array_to_string({{ keys_expression }}, ','),
            '(([a-z0-9]+(_[a-z0-9]+)*)(,[a-z0-9]+(_[a-z0-9]+)*)*)?'
        )
        -- Most objects have one or two keys: compare those directly, hash only longer lists.
        and case
            when len({{ keys_expression }}) < 2 then true
            when len({{ keys_expression }}) = 2 then {{ keys_expression }}[1] != {{ keys_expression }}[2]
            else list_unique({{ keys_expression }}) = len({{ keys_expression }})
        end
    )
{%- endmacro %}

{#- True when a properties object must be rebuilt before it leaves staging: its keys are not
    canonical, or it may hold personal data (a personal-data key, or something shaped like an
    e-mail, IP address or phone number). Other objects are passed through unchanged. Only for
    texts that are JSON objects; the keys are parsed once by the caller. -#}
{% macro needs_property_rewrite(expression, keys_expression) -%}
    case
        when not {{ has_canonical_property_keys(keys_expression) }} then true
        else regexp_matches(
            {{ expression }},
            '@|u0040|[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:|[0-9][.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]|[0-9][0-9 ().-]{6,}[0-9]|"({{ var('personal_data_property_keys') | join('|') }})"'
        )
    end
{%- endmacro %}

{#- A JSON path that reads one key literally, whatever its characters: `$."<key>"` with the
    key's backslashes and double quotes escaped. chr(92) is a backslash: a literal one before a
    closing quote trips dbt's SQL statement splitter. -#}
{% macro json_key_path(key_expression) -%}
    '$."' || replace(replace({{ key_expression }}, chr(92), chr(92) || chr(92)), '"', chr(92) || '"') || '"'
{%- endmacro %}
