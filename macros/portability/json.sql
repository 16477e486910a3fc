{#- JSON handling that DuckDB and Spark write differently. DuckDB has a JSON type and path
    functions; Spark 4 parses text into its VARIANT type (try_parse_json) and reads paths from
    text with get_json_object. Both forms give the same verdicts and values: the contract's
    rules are in docs/decisions/0001, the engine differences in docs/decisions/0003. -#}

{#- True when a text is a strict JSON object (the only valid shape for `properties`). -#}
{% macro is_json_object(expression) -%}
    {{ return(adapter.dispatch('is_json_object', 'product_metrics')(expression)) }}
{%- endmacro %}

{#- DuckDB's parser also accepts trailing commas, NaN/Infinity and comments, which JSON does
    not: those are looked for outside string literals. -#}
{% macro default__is_json_object(expression) -%}
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

{#- Spark's parser is strict but stops after the first value, so `{"a": 1} x` parses: with the
    string literals blanked out, the brackets must close exactly once, at the end (whitespace
    aside). The possessive quantifiers keep Java's regex from recursing on long strings. -#}
{% macro spark__is_json_object(expression) -%}
    case
        when try_parse_json({{ expression }}) is null then false
        when not startswith(schema_of_variant(try_parse_json({{ expression }})), 'OBJECT') then false
        else aggregate(
            split(regexp_replace({{ expression }}, '"(?:[^"\\\\]++|\\\\.)*+"', '""'), ''),
            0,
            (depth, character) -> case
                when depth < 0 then if(character in (' ', chr(9), chr(10), chr(13)), depth, -2)
                when character in ('{', '[') then depth + 1
                when character in ('}', ']') then if(depth = 1, -1, depth - 1)
                else depth
            end
        ) = -1
    end
{%- endmacro %}

{#- The keys of a JSON object text, in text order, repeats included. -#}
{% macro json_object_keys(expression) -%}
    {{ return(adapter.dispatch('json_object_keys', 'product_metrics')(expression)) }}
{%- endmacro %}

{% macro default__json_object_keys(expression) -%}
    json_keys({{ expression }})
{%- endmacro %}

{% macro spark__json_object_keys(expression) -%}
    json_object_keys({{ expression }})
{%- endmacro %}

{#- A JSON path that reads one top-level key literally, whatever its characters. -#}
{% macro json_key_path(key_expression) -%}
    {{ return(adapter.dispatch('json_key_path', 'product_metrics')(key_expression)) }}
{%- endmacro %}

{#- `$."<key>"` with the key's backslashes and double quotes escaped. chr(92) is a backslash: a
    literal one before a closing quote trips dbt's SQL statement splitter. -#}
{% macro default__json_key_path(key_expression) -%}
    '$."' || replace(replace({{ key_expression }}, chr(92), chr(92) || chr(92)), '"', chr(92) || '"') || '"'
{%- endmacro %}

{#- Spark paths have no escapes: `$['<key>']`, or `$.<key>` for a key with an apostrophe (a key
    with both an apostrophe and a dot or bracket cannot be addressed; see decision 0003). -#}
{% macro spark__json_key_path(key_expression) -%}
    case
        when contains({{ key_expression }}, "'") then '$.' || {{ key_expression }}
        else concat("$['", {{ key_expression }}, "']")
    end
{%- endmacro %}

{#- The JSON type of the value at a path, as DuckDB's json_type names it (VARCHAR, BIGINT for a
    negative integer, UBIGINT for a non-negative one, DOUBLE, BOOLEAN, NULL, OBJECT, ARRAY);
    null when the path is absent. -#}
{% macro json_type_at(json_expression, path_expression) -%}
    {{ return(adapter.dispatch('json_type_at', 'product_metrics')(json_expression, path_expression)) }}
{%- endmacro %}

{% macro default__json_type_at(json_expression, path_expression) -%}
    json_type({{ json_expression }}, {{ path_expression }})
{%- endmacro %}

{#- The variant gives the kind of value; a number's kind comes from its text, since the variant
    reads `1.0` as an integer-valued decimal. An integer beyond 64 bits is a DOUBLE, as in DuckDB. -#}
{% macro spark__json_type_at(json_expression, path_expression) -%}
    {%- set variant_type = 'schema_of_variant(variant_get(try_parse_json(' ~ json_expression ~ '), ' ~ path_expression ~ '))' -%}
    {%- set value_text = 'get_json_object(' ~ json_expression ~ ', ' ~ path_expression ~ ')' -%}
    case
        when {{ variant_type }} is null then null
        when {{ variant_type }} = 'STRING' then 'VARCHAR'
        when {{ variant_type }} = 'BOOLEAN' then 'BOOLEAN'
        when {{ variant_type }} = 'VOID' then 'NULL'
        when startswith({{ variant_type }}, 'OBJECT') then 'OBJECT'
        when startswith({{ variant_type }}, 'ARRAY') then 'ARRAY'
        when not regexp_like({{ value_text }}, '^-?[0-9]+$') then 'DOUBLE'
        when startswith({{ value_text }}, '-')
            then if(try_cast({{ value_text }} as decimal(38, 0)) >= -9223372036854775808, 'BIGINT', 'DOUBLE')
        when try_cast({{ value_text }} as decimal(38, 0)) <= 18446744073709551615 then 'UBIGINT'
        else 'DOUBLE'
    end
{%- endmacro %}

{#- The JSON value at a path (DuckDB JSON, Spark VARIANT); for a key written twice, the first. -#}
{% macro json_value_at(json_expression, path_expression) -%}
    {{ return(adapter.dispatch('json_value_at', 'product_metrics')(json_expression, path_expression)) }}
{%- endmacro %}

{% macro default__json_value_at(json_expression, path_expression) -%}
    json_extract({{ json_expression }}, {{ path_expression }})
{%- endmacro %}

{#- get_json_object reads the first of repeated keys, as DuckDB does, but gives a string
    unquoted: json_type_at tells strings apart. -#}
{% macro spark__json_value_at(json_expression, path_expression) -%}
    case
        when {{ json_type_at(json_expression, path_expression) }} = 'VARCHAR'
            then cast(get_json_object({{ json_expression }}, {{ path_expression }}) as variant)
        else try_parse_json(get_json_object({{ json_expression }}, {{ path_expression }}))
    end
{%- endmacro %}

{#- The text of the value at a path given as an SQL expression: a string unquoted and
    unescaped, any other value as JSON text; null when the path is absent. -#}
{% macro json_text_at(json_expression, path_expression) -%}
    {{ return(adapter.dispatch('json_text_at', 'product_metrics')(json_expression, path_expression)) }}
{%- endmacro %}

{% macro default__json_text_at(json_expression, path_expression) -%}
    json_extract_string({{ json_expression }}, {{ path_expression }})
{%- endmacro %}

{% macro spark__json_text_at(json_expression, path_expression) -%}
    get_json_object({{ json_expression }}, {{ path_expression }})
{%- endmacro %}

{#- A JSON string value's text, unquoted and unescaped. -#}
{% macro json_string_text(json_value) -%}
    {{ return(adapter.dispatch('json_string_text', 'product_metrics')(json_value)) }}
{%- endmacro %}

{% macro default__json_string_text(json_value) -%}
    {{ json_value }} ->> '$'
{%- endmacro %}

{% macro spark__json_string_text(json_value) -%}
    cast({{ json_value }} as string)
{%- endmacro %}

{#- A text as a JSON string value. -#}
{% macro json_string_value(text_expression) -%}
    {{ return(adapter.dispatch('json_string_value', 'product_metrics')(text_expression)) }}
{%- endmacro %}

{% macro default__json_string_value(text_expression) -%}
    to_json({{ text_expression }})
{%- endmacro %}

{% macro spark__json_string_value(text_expression) -%}
    cast({{ text_expression }} as variant)
{%- endmacro %}

{#- A JSON value's text (compact). -#}
{% macro json_value_text(json_value) -%}
    {{ return(adapter.dispatch('json_value_text', 'product_metrics')(json_value)) }}
{%- endmacro %}

{% macro default__json_value_text(json_value) -%}
    cast({{ json_value }} as varchar)
{%- endmacro %}

{% macro spark__json_value_text(json_value) -%}
    to_json({{ json_value }})
{%- endmacro %}

{#- A JSON text as a JSON value; text that is not JSON becomes the JSON string `placeholder`. -#}
{% macro json_value_or_placeholder(text_expression, placeholder) -%}
    {{ return(adapter.dispatch('json_value_or_placeholder', 'product_metrics')(text_expression, placeholder)) }}
{%- endmacro %}

{% macro default__json_value_or_placeholder(text_expression, placeholder) -%}
    case
        when json_valid({{ text_expression }}) then cast({{ text_expression }} as json)
        else to_json({{ placeholder }})
    end
{%- endmacro %}

{% macro spark__json_value_or_placeholder(text_expression, placeholder) -%}
    coalesce(try_parse_json({{ text_expression }}), cast({{ placeholder }} as variant))
{%- endmacro %}

{#- A JSON object text in compact form (known to be valid JSON). -#}
{% macro json_compact(text_expression) -%}
    {{ return(adapter.dispatch('json_compact', 'product_metrics')(text_expression)) }}
{%- endmacro %}

{% macro default__json_compact(text_expression) -%}
    cast(json({{ text_expression }}) as varchar)
{%- endmacro %}

{#- Spark writes a variant object's keys in sorted order. -#}
{% macro spark__json_compact(text_expression) -%}
    to_json(parse_json({{ text_expression }}))
{%- endmacro %}

{#- Aggregate: the JSON object text of a group's (key, JSON value) rows, keys in order; rows
    failing the optional filter are left out. -#}
{% macro json_object_agg(key_expression, value_expression, filter_condition=none) -%}
    {{ return(adapter.dispatch('json_object_agg', 'product_metrics')(key_expression, value_expression, filter_condition)) }}
{%- endmacro %}

{% macro default__json_object_agg(key_expression, value_expression, filter_condition=none) -%}
    cast(to_json(map_from_entries(
        list(row({{ key_expression }}, {{ value_expression }}) order by {{ key_expression }})
        {%- if filter_condition %} filter (where {{ filter_condition }}){% endif %}
    )) as varchar)
{%- endmacro %}

{% macro spark__json_object_agg(key_expression, value_expression, filter_condition=none) -%}
    to_json(map_from_entries(array_sort(
        collect_list(named_struct('entry_key', {{ key_expression }}, 'entry_value', {{ value_expression }}))
        {%- if filter_condition %} filter (where {{ filter_condition }}){% endif %},
        (left_entry, right_entry) -> case
            when left_entry.entry_key < right_entry.entry_key then -1
            when left_entry.entry_key > right_entry.entry_key then 1
            else 0
        end
    )))
{%- endmacro %}

{#- SELECT-list items that unnest a list into one row per element, with its position. -#}
{% macro unnest_with_position(list_expression, value_alias, position_alias) -%}
    {{ return(adapter.dispatch('unnest_with_position', 'product_metrics')(list_expression, value_alias, position_alias)) }}
{%- endmacro %}

{% macro default__unnest_with_position(list_expression, value_alias, position_alias) -%}
    unnest({{ list_expression }}) as {{ value_alias }},
    generate_subscripts({{ list_expression }}, 1) as {{ position_alias }}
{%- endmacro %}

{#- posexplode counts from 0: positions are only compared with each other. -#}
{% macro spark__unnest_with_position(list_expression, value_alias, position_alias) -%}
    posexplode({{ list_expression }}) as ({{ position_alias }}, {{ value_alias }})
{%- endmacro %}

{#- A text value inside a JSON text, by JSONPath (`$.plan`); null when absent. -#}
{% macro json_text(json_expression, path) -%}
    {{ return(adapter.dispatch('json_text', 'product_metrics')(json_expression, path)) }}
{%- endmacro %}

{% macro default__json_text(json_expression, path) -%}
    {{ json_expression }} ->> '{{ path }}'
{%- endmacro %}

{% macro spark__json_text(json_expression, path) -%}
    get_json_object({{ json_expression }}, '{{ path }}')
{%- endmacro %}

{#- A FROM-clause fragment, placed after a relation, that joins each of its rows to one row per
    entry of a flat JSON object: `<alias>.key`, and the value as text via json_entry_text. -#}
{% macro join_json_object_entries(json_expression, alias) -%}
    {{ return(adapter.dispatch('join_json_object_entries', 'product_metrics')(json_expression, alias)) }}
{%- endmacro %}

{% macro default__join_json_object_entries(json_expression, alias) -%}
    , json_each({{ json_expression }}) as {{ alias }}
{%- endmacro %}

{% macro spark__join_json_object_entries(json_expression, alias) -%}
    lateral view explode(from_json({{ json_expression }}, 'map<string, string>')) {{ alias }} as key, value
{%- endmacro %}

{#- The value of an entry from join_json_object_entries, as text (a JSON string unquoted). -#}
{% macro json_entry_text(alias) -%}
    {{ return(adapter.dispatch('json_entry_text', 'product_metrics')(alias)) }}
{%- endmacro %}

{% macro default__json_entry_text(alias) -%}
    {{ alias }}.value ->> '$'
{%- endmacro %}

{% macro spark__json_entry_text(alias) -%}
    {{ alias }}.value
{%- endmacro %}
