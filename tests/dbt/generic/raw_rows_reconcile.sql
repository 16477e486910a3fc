{% test raw_rows_reconcile(model, clean_model, quarantine_model) %}
{#- Raw = clean + quarantined: every raw row is either a clean event or a quarantine row, never
    both and never neither. Returns a row describing the imbalance when it does not hold. -#}
with counts as (
    select
        (select count(*) from {{ model }}) as raw_rows,
        (select count(*) from {{ clean_model }}) as clean_rows,
        (select count(*) from {{ quarantine_model }}) as quarantined_rows
)

select *
from counts
where raw_rows != clean_rows + quarantined_rows
{% endtest %}
