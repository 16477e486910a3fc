{% test lifecycle_balances(model, period_column, period, activity_model) %}
{#- Growth accounting adds up: for every reported period P, new + returning + resurrecting =
    people active in P, and returning + dormant = people active in P - 1. Fails for each period
    where either balance does not hold. -#}
with active_counts as (
    select
        {{ period_column }} as period_start_date,
        count(*) as active_users
    from {{ activity_model }}
    group by {{ period_column }}
),

checked as (
    select
        lifecycle.{{ period_column }},
        lifecycle.new_users + lifecycle.returning_users + lifecycle.resurrecting_users as accounted_active,
        coalesce(current_active.active_users, 0) as active_users,
        lifecycle.returning_users + lifecycle.dormant_users as accounted_previous,
        coalesce(previous_active.active_users, 0) as previous_active_users
    from {{ model }} as lifecycle
    left join active_counts as current_active
        on lifecycle.{{ period_column }} = current_active.period_start_date
    left join active_counts as previous_active
        on cast({{ dbt.dateadd(period, -1, 'lifecycle.' ~ period_column) }} as date) = previous_active.period_start_date
)

select *
from checked
where accounted_active != active_users or accounted_previous != previous_active_users
{% endtest %}
