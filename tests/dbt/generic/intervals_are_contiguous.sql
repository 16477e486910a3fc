{% test intervals_are_contiguous(model, key_column, from_column, to_column) %}
{#- SCD type 2 validity: per key, each interval ends after it starts and exactly where the next
    one starts (no overlap, no gap), and only the last one is open (null end). Fails for each
    row that breaks this. -#}
with intervals as (
    select
        {{ key_column }} as interval_key,
        {{ from_column }} as interval_from,
        {{ to_column }} as interval_to,
        lead({{ from_column }}) over (
            partition by {{ key_column }} order by {{ from_column }}, {{ to_column }}
        ) as next_from
    from {{ model }}
)

select *
from intervals
where
    interval_to <= interval_from
    or (next_from is null and interval_to is not null)
    or (next_from is not null and (interval_to is null or interval_to != next_from))
{% endtest %}
