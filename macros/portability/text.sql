{#- Replace every match of a regular expression; backreferences are written `\1`. -#}
{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'product_metrics')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ pattern }}, {{ replacement }}, 'g')
{%- endmacro %}

{#- Spark reads backslash escapes in string literals before the regex engine sees them, and
    writes backreferences as `$1`. -#}
{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace(
        {{ expression }},
        {{ pattern | replace('\\', '\\\\') }},
        {{ replacement | replace('\\1', '$1') | replace('\\2', '$2') }}
    )
{%- endmacro %}

{#- True when the whole text matches a regular expression (not just a part of it). -#}
{% macro regexp_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'product_metrics')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_full_match(expression, pattern) -%}
    regexp_like({{ expression }}, concat('^(?:', {{ pattern | replace('\\', '\\\\') }}, ')$'))
{%- endmacro %}

{#- True when a regular expression matches somewhere in the text. -#}
{% macro regexp_contains(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains', 'product_metrics')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_contains(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern | replace('\\', '\\\\') }})
{%- endmacro %}

{#- Strips the given characters from both ends of a text. -#}
{% macro trim_characters(expression, characters) -%}
    {{ return(adapter.dispatch('trim_characters', 'product_metrics')(expression, characters)) }}
{%- endmacro %}

{% macro default__trim_characters(expression, characters) -%}
    trim({{ expression }}, {{ characters }})
{%- endmacro %}

{#- Spark's two-argument trim takes the characters first: the explicit form avoids the doubt. -#}
{% macro spark__trim_characters(expression, characters) -%}
    trim(both {{ characters }} from {{ expression }})
{%- endmacro %}

{#- Blank text (empty or only whitespace) becomes null; other text is trimmed. -#}
{% macro clean_text(expression) -%}
    {{ return(adapter.dispatch('clean_text', 'product_metrics')(expression)) }}
{%- endmacro %}

{#- Trimming a character set is costly per row, and almost no text has whitespace at its
    edges: text whose first and last characters are above the control range is kept as it is. -#}
{% macro default__clean_text(expression) -%}
    case
        when ord({{ expression }}[1]) > 32 and ord({{ expression }}[-1]) > 32 then {{ expression }}
        else nullif({{ trim_characters(expression, edge_whitespace()) }}, '')
    end
{%- endmacro %}

{% macro spark__clean_text(expression) -%}
    nullif({{ trim_characters(expression, edge_whitespace()) }}, '')
{%- endmacro %}

{#- The whitespace clean_text strips from both ends: space, tab, line feed, vertical tab, form
    feed, carriage return (ASCII only, as SDKs pad values). -#}
{% macro edge_whitespace() -%}
    ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)
{%- endmacro %}

{#- A text split on commas into a list (DuckDB `string_split`, Spark `split`, whose separator is a
    regular expression: a comma is the same in both). -#}
{% macro split_on_commas(expression) -%}
    {{ return(adapter.dispatch('split_on_commas', 'product_metrics')(expression)) }}
{%- endmacro %}

{% macro default__split_on_commas(expression) -%}
    string_split({{ expression }}, ',')
{%- endmacro %}

{% macro spark__split_on_commas(expression) -%}
    split({{ expression }}, ',')
{%- endmacro %}

{#- A text literal in SQL. -#}
{% macro sql_text_literal(text) -%}
    '{{ text | replace("'", "''") }}'
{%- endmacro %}
