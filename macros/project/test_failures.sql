{#- on-run-end: for every test that warned or failed and stored its failing rows, one line with
    the first rows at fault and the fix (the test's `meta.fix`), instead of a bare "Got N
    results". -#}
{% macro report_test_failures(results) -%}
    {%- if execute -%}
        {%- for result in results -%}
            {%- if result.node.resource_type == 'test' and result.status in ('warn', 'fail')
                and result.node.relation_name -%}
                {%- set rows = run_query('select * from ' ~ result.node.relation_name ~ ' limit 10') -%}
                {%- set described = [] -%}
                {%- for row in rows.rows -%}
                    {%- set cells = [] -%}
                    {%- for column_name in rows.column_names -%}
                        {%- do cells.append(column_name ~ '=' ~ row[column_name]) -%}
                    {%- endfor -%}
                    {%- do described.append(cells | join(' ')) -%}
                {%- endfor -%}
                {%- set fix = result.node.config.meta.get('fix') -%}
                {{ log(result.status | upper ~ ' ' ~ result.node.name ~ ': ' ~ result.failures ~ ' row(s): '
                    ~ described | join('; ') ~ ('; fix: ' ~ fix if fix else ''), info=true) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
