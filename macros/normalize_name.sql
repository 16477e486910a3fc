{#- Tracking-plan name normalization (event names and property keys):
    split camelCase and acronyms, turn whitespace, dashes, dots and underscores into one `_`,
    strip edge underscores, lowercase. `Song Played`, `songPlayed`, `song-played` and
    `SONG_PLAYED` all become `song_played`. The Python twin in tests/oracle.py is checked
    against this macro by a property-based test. -#}
{% macro normalize_name(expression) -%}
    case
        -- Fast path: most names already follow the convention.
        when {{ regexp_full_match(expression, "'[a-z0-9]+(_[a-z0-9]+)*'") }} then {{ expression }}
        -- Only ASCII letters change case (Unicode case folding would merge look-alike names).
        else translate(
            {{ trim_characters(
                regexp_replace_all(
                    regexp_replace_all(
                        regexp_replace_all(expression, "'([A-Z]+)([A-Z][a-z])'", "'\\1_\\2'"),
                        "'([a-z0-9])([A-Z])'",
                        "'\\1_\\2'"
                    ),
                    "'[ \\t\\n\\r\\f\\x0B._-]+'",
                    "'_'"
                ),
                "'_'"
            ) }},
            'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
            'abcdefghijklmnopqrstuvwxyz'
        )
    end
{%- endmacro %}

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
