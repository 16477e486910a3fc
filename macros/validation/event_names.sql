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
