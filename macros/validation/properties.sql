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

{#- Aggregate: an event's required properties as a list of (property_path, accepted_types). -#}
{% macro required_property_list(path_expression, accepted_types_expression) -%}
    {{ return(adapter.dispatch('required_property_list', 'product_metrics')(path_expression, accepted_types_expression)) }}
{%- endmacro %}

{% macro default__required_property_list(path_expression, accepted_types_expression) -%}
    list({'property_path': {{ path_expression }}, 'accepted_types': {{ accepted_types_expression }}})
{%- endmacro %}

{% macro spark__required_property_list(path_expression, accepted_types_expression) -%}
    collect_list(named_struct(
        'property_path', {{ path_expression }}, 'accepted_types', {{ accepted_types_expression }}
    ))
{%- endmacro %}

{#- True when a JSON object has every required property of a required_property_list with an
    accepted type. A few required keys per event: reading each by its path parses less than a
    map of all keys. -#}
{% macro has_required_properties(json_expression, required_list_expression) -%}
    {{ return(adapter.dispatch('has_required_properties', 'product_metrics')(json_expression, required_list_expression)) }}
{%- endmacro %}

{% macro default__has_required_properties(json_expression, required_list_expression) -%}
    list_bool_and(list_transform(
        {{ required_list_expression }},
        lambda required: coalesce(
            list_contains(required.accepted_types, {{ json_type_at(json_expression, 'required.property_path') }}),
            false
        )
    ))
{%- endmacro %}

{% macro spark__has_required_properties(json_expression, required_list_expression) -%}
    forall(
        {{ required_list_expression }},
        required -> coalesce(
            array_contains(required.accepted_types, {{ json_type_at(json_expression, 'required.property_path') }}),
            false
        )
    )
{%- endmacro %}
