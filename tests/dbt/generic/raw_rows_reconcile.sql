{% test raw_rows_reconcile(model, raw_model, quarantine_model, malformed_model=none) %}
{{ config(
    store_failures=true,
    meta={'fix': 'a run that finds its inputs inconsistent publishes no metric: rebuild with `dbt build --full-refresh`'},
) }}
{#- Raw = clean + quarantined: every raw row is either a clean event or a quarantine row, never
    both and never neither. Raw rows are the readable rows plus, when given, the unreadable lines
    (malformed_model). Attached to the clean events, so that every model downstream of them
    waits for it. Returns a row describing the imbalance when it does not hold. -#}
with counts as (
    select
        (select count(*) from {{ raw_model }})
        {%- if malformed_model %} + (select count(*) from {{ malformed_model }}){% endif %} as raw_rows,
        (select count(*) from {{ model }}) as clean_rows,
        (select count(*) from {{ quarantine_model }}) as quarantined_rows
)

select
    *,
    raw_rows - clean_rows - quarantined_rows as unaccounted_rows
from counts
where raw_rows != clean_rows + quarantined_rows
{% endtest %}
