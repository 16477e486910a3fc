{#- The JSON type names (as json_type_at gives them) that a tracking plan type accepts, as a
    list; an unknown plan type accepts none. -#}
{% macro json_types_accepted(planned_type_expression) -%}
    {{ return(adapter.dispatch('json_types_accepted', 'product_metrics')(planned_type_expression)) }}
{%- endmacro %}

{% macro default__json_types_accepted(planned_type_expression) -%}
    case {{ planned_type_expression }}
        when 'string' then ['VARCHAR']
        when 'integer' then ['BIGINT', 'UBIGINT']
        when 'number' then ['BIGINT', 'UBIGINT', 'DOUBLE']
        when 'boolean' then ['BOOLEAN']
        else cast([] as varchar [])
    end
{%- endmacro %}

{% macro spark__json_types_accepted(planned_type_expression) -%}
    case {{ planned_type_expression }}
        when 'string' then array('VARCHAR')
        when 'integer' then array('BIGINT', 'UBIGINT')
        when 'number' then array('BIGINT', 'UBIGINT', 'DOUBLE')
        when 'boolean' then array('BOOLEAN')
        else cast(array() as array<string>)
    end
{%- endmacro %}

{#- Aggregate: an event's planned properties as a list of structs: the JSON path that reads the
    key, the key, the JSON types it accepts (null: any), whether it is required, whether the plan
    declares it (required or optional), and the comparison keys of its allowed values (null: any
    value). -#}
{% macro planned_property_list(property) -%}
    {{ return(adapter.dispatch('planned_property_list', 'product_metrics')(property)) }}
{%- endmacro %}

{% macro default__planned_property_list(property) -%}
    list({
        'property_path': {{ json_key_path(property ~ '.property_key') }},
        'property_key': {{ property }}.property_key,
        'accepted_types': case
            when {{ property }}.property_type is not null then {{ json_types_accepted(property ~ '.property_type') }}
        end,
        'is_required': {{ property }}.is_required,
        'is_declared': {{ property }}.property_type is not null,
        'allowed_value_keys': {{ property }}.allowed_value_keys
    })
{%- endmacro %}

{% macro spark__planned_property_list(property) -%}
    collect_list(named_struct(
        'property_path', {{ json_key_path(property ~ '.property_key') }},
        'property_key', {{ property }}.property_key,
        'accepted_types', case
            when {{ property }}.property_type is not null then {{ json_types_accepted(property ~ '.property_type') }}
        end,
        'is_required', {{ property }}.is_required,
        'is_declared', {{ property }}.property_type is not null,
        'allowed_value_keys', {{ property }}.allowed_value_keys
    ))
{%- endmacro %}

{#- True when a JSON object satisfies every property of a planned_property_list: a required one is
    present (a JSON null counts as absent); a present one has an accepted type and, when the plan
    lists allowed values, one of them. A few planned keys per event: reading each by its path
    parses less than a map of all keys. -#}
{% macro has_valid_planned_properties(json_expression, planned_list_expression) -%}
    {{ return(adapter.dispatch('has_valid_planned_properties', 'product_metrics')(json_expression, planned_list_expression)) }}
{%- endmacro %}

{#- The verdict on one planned property (`checked.planned`) given the JSON type of its value
    (`checked.value_type`, 'NULL' when absent or JSON null): the callers read the type once per
    property, as parsing the object is the costly part and the verdict looks at the type thrice. -#}
{%- macro planned_property_verdict(json_expression) -%}
    case
        when checked.value_type = 'NULL' then not checked.planned.is_required
        else
            (
                checked.planned.accepted_types is null
                or coalesce({{ list_has_value('checked.planned.accepted_types', 'checked.value_type') }}, false)
            )
            and (
                checked.planned.allowed_value_keys is null
                or coalesce({{ list_has_value(
                    'checked.planned.allowed_value_keys',
                    json_scalar_key('checked.value_type', json_text_at(json_expression, 'checked.planned.property_path'))
                ) }}, false)
            )
    end
{%- endmacro %}

{% macro default__has_valid_planned_properties(json_expression, planned_list_expression) -%}
    list_bool_and(list_transform(
        list_transform(
            {{ planned_list_expression }},
            lambda planned: {
                'planned': planned,
                'value_type': coalesce({{ json_type_at(json_expression, 'planned.property_path') }}, 'NULL')
            }
        ),
        lambda checked: {{ planned_property_verdict(json_expression) }}
    ))
{%- endmacro %}

{% macro spark__has_valid_planned_properties(json_expression, planned_list_expression) -%}
    forall(
        transform(
            {{ planned_list_expression }},
            planned -> named_struct(
                'planned', planned,
                'value_type', coalesce({{ json_type_at(json_expression, 'planned.property_path') }}, 'NULL')
            )
        ),
        checked -> {{ planned_property_verdict(json_expression) }}
    )
{%- endmacro %}

{#- The keys of a JSON object that a planned_property_list does not declare (neither required
    nor optional), sorted (engines rebuild objects in different key orders); every key when the
    list is null. -#}
{% macro unplanned_property_keys(json_expression, planned_list_expression) -%}
    {{ return(adapter.dispatch('unplanned_property_keys', 'product_metrics')(json_expression, planned_list_expression)) }}
{%- endmacro %}

{% macro default__unplanned_property_keys(json_expression, planned_list_expression) -%}
    list_sort(list_filter(
        json_keys({{ json_expression }}),
        lambda property_key: not coalesce(list_bool_or(list_transform(
            {{ planned_list_expression }},
            lambda planned: planned.is_declared and planned.property_key = property_key
        )), false)
    ))
{%- endmacro %}

{% macro spark__unplanned_property_keys(json_expression, planned_list_expression) -%}
    array_sort(filter(
        json_object_keys({{ json_expression }}),
        property_key -> not coalesce(exists(
            {{ planned_list_expression }},
            planned -> planned.is_declared and planned.property_key = property_key
        ), false)
    ))
{%- endmacro %}

{#- The comparison key of a JSON scalar, so that allowed values compare by kind: a string by its
    text (`s:free`), a number by its value (`n:` then the double's text, so 1 and 1.0 are equal),
    a boolean as `b:true`/`b:false`. Null for JSON null, objects and arrays, which no allowed
    value matches. Both sides are keyed on the same engine, so its number format does not matter. -#}
{% macro json_scalar_key(json_type_expression, text_expression) -%}
    case {{ json_type_expression }}
        when 'VARCHAR' then 's:' || ({{ text_expression }})
        when 'BOOLEAN' then 'b:' || ({{ text_expression }})
        when 'BIGINT' then 'n:' || cast(cast(({{ text_expression }}) as double) as {{ dbt.type_string() }})
        when 'UBIGINT' then 'n:' || cast(cast(({{ text_expression }}) as double) as {{ dbt.type_string() }})
        when 'DOUBLE' then 'n:' || cast(cast(({{ text_expression }}) as double) as {{ dbt.type_string() }})
    end
{%- endmacro %}

{#- The comparison keys (json_scalar_key) of the elements of a JSON array text, in order; an
    empty list for text that is not an array. -#}
{% macro json_array_scalar_keys(json_array_expression) -%}
    {{ return(adapter.dispatch('json_array_scalar_keys', 'product_metrics')(json_array_expression)) }}
{%- endmacro %}

{% macro default__json_array_scalar_keys(json_array_expression) -%}
    list_transform(
        json_extract({{ json_array_expression }}, '$[*]'),
        lambda element: {{ json_scalar_key('json_type(element)', "element ->> '$'") }}
    )
{%- endmacro %}

{#- from_json gives each element's text (a string unquoted); its kind is read by position. -#}
{% macro spark__json_array_scalar_keys(json_array_expression) -%}
    coalesce(transform(
        from_json({{ json_array_expression }}, 'array<string>'),
        (element, position) -> {{ json_scalar_key(
            json_type_at(json_array_expression, "concat('$[', position, ']')"), 'element'
        ) }}
    ), cast(array() as array<string>))
{%- endmacro %}
