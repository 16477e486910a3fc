{% test clean_events_are_fresh(
    model,
    event_time_column='event_at',
    received_at_column='received_at',
    clean_condition='is_clean'
) %}
{{ config(
    severity=var('freshness_severity', 'error'),
    fail_calc='coalesce(max(hours_behind), 0)',
    warn_if='>' ~ var('freshness_warn_hours', 24),
    error_if='>' ~ var('freshness_error_hours', 48),
) }}
{#- Freshness of the clean data relative to what the collector received, so that it needs no
    wall clock and works on any replayed history: how many hours (rounded up) the newest clean
    event is older than the newest `received_at` of any raw row, quarantined ones included.
    No clean event at all while rows arrive counts as infinitely stale. An empty input passes.
    Warns above var `freshness_warn_hours`, errors above var `freshness_error_hours`; the failure
    count shown by dbt is the number of hours behind. Attach it to a model holding every raw row
    with its verdict (int_events__judged). -#}
with latest as (
    select
        -- A receive time outside the plausible window (contract v2) is no sign of arrival.
        max(case when {{ is_plausible_time(received_at_column) }} then {{ received_at_column }} end)
            as latest_received_at,
        max(case when {{ clean_condition }} then {{ event_time_column }} end) as latest_clean_event_at
    from {{ model }}
)

select
    latest_received_at,
    latest_clean_event_at,
    case
        when latest_clean_event_at is null then 1000000000
        else greatest(
            cast(ceil({{ seconds_between('latest_clean_event_at', 'latest_received_at') }} / 3600.0) as bigint),
            0
        )
    end as hours_behind
from latest
where latest_received_at is not null
{% endtest %}
