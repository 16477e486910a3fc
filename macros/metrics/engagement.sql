{#- Distinct users active within a rolling window, computed without expanding user-days into
    windows: a user's activity on day d keeps them counted until d + window_days, or until
    their next active day starts a new span. Returns rows (change_date, user_change) whose
    running sum over days is the rolling distinct count. `activity` must hold one row per
    (user_key, activity_date). -#}
{% macro rolling_user_count_changes(activity, window_days) -%}
    select
        activity_date as change_date,
        1 as user_change
    from {{ activity }}
    union all
    select
        least(
            cast({{ dbt.dateadd('day', window_days, 'activity_date') }} as date),
            coalesce(next_active_date, cast({{ dbt.dateadd('day', window_days, 'activity_date') }} as date))
        ) as change_date,
        -1 as user_change
    from {{ activity }}
{%- endmacro %}

{#- Stickiness over any period (week, month). `periods` has one row per complete period
    (`period_start_date`, `days_in_period`); `activity` one row per person and period in which
    they were active (`user_key`, `period_start_date`, `days_active`). Returns one row per period
    and day count 1..days_in_period: `period_start_date`, `days_active`, `users`,
    `share_of_period_active`. -#}
{% macro stickiness_by_period(periods, activity) -%}
    select
        {{ periods }}.period_start_date,
        day_counts.days_active,
        cast(coalesce(users_by_days_active.users, 0) as bigint) as users,
        {{ safe_divide('coalesce(users_by_days_active.users, 0)', 'period_active.active_users') }}
            as share_of_period_active
    from {{ periods }}
    cross join (
        select series_value as days_active
        from ({{ integer_series(1, 31) }}) as day_series
    ) as day_counts
    left join (
        select
            period_start_date,
            days_active,
            count(*) as users
        from {{ activity }}
        group by period_start_date, days_active
    ) as users_by_days_active
        on
            {{ periods }}.period_start_date = users_by_days_active.period_start_date
            and day_counts.days_active = users_by_days_active.days_active
    left join (
        select
            period_start_date,
            count(*) as active_users
        from {{ activity }}
        group by period_start_date
    ) as period_active
        on {{ periods }}.period_start_date = period_active.period_start_date
    where day_counts.days_active <= {{ periods }}.days_in_period
{%- endmacro %}

{#- Growth accounting over any period (week, month), for each complete period P:
    new = first seen in P; returning = active in P and P-1, not new; resurrecting = active in P,
    not in P-1, first seen before P-1; dormant = active in P-1 and not in P (a positive count);
    quick ratio = (new + resurrecting) / dormant. `periods`: `period_start_date`,
    `previous_period_start_date`; `activity`: one row per person and period with activity
    (`user_key`, `period_start_date`); `users`: `user_key`, `first_seen_period_start_date`. -#}
{% macro lifecycle_by_period(periods, activity, users) -%}
    select
        {{ periods }}.period_start_date,
        cast(coalesce(active_counts.new_users, 0) as bigint) as new_users,
        cast(coalesce(active_counts.returning_users, 0) as bigint) as returning_users,
        cast(coalesce(active_counts.resurrecting_users, 0) as bigint) as resurrecting_users,
        cast(coalesce(dormant.dormant_users, 0) as bigint) as dormant_users,
        {{ safe_divide(
            'coalesce(active_counts.new_users, 0) + coalesce(active_counts.resurrecting_users, 0)',
            'dormant.dormant_users'
        ) }} as quick_ratio
    from {{ periods }}
    left join (
        select
            current_period_users.period_start_date,
            count(case when current_period_users.is_new then 1 end) as new_users,
            count(case when not current_period_users.is_new and current_period_users.was_active_before then 1 end)
                as returning_users,
            count(case when not current_period_users.is_new and not current_period_users.was_active_before then 1 end)
                as resurrecting_users
        from (
            select
                period_list.period_start_date,
                {{ users }}.first_seen_period_start_date = period_list.period_start_date as is_new,
                previous_activity.user_key is not null as was_active_before
            from {{ periods }} as period_list
            inner join {{ activity }} as current_activity
                on period_list.period_start_date = current_activity.period_start_date
            inner join {{ users }}
                on current_activity.user_key = {{ users }}.user_key
            left join {{ activity }} as previous_activity
                on
                    current_activity.user_key = previous_activity.user_key
                    and period_list.previous_period_start_date = previous_activity.period_start_date
        ) as current_period_users
        group by current_period_users.period_start_date
    ) as active_counts
        on {{ periods }}.period_start_date = active_counts.period_start_date
    left join (
        select
            period_list.period_start_date,
            count(*) as dormant_users
        from {{ periods }} as period_list
        inner join {{ activity }} as previous_activity
            on period_list.previous_period_start_date = previous_activity.period_start_date
        left join {{ activity }} as current_activity
            on
                previous_activity.user_key = current_activity.user_key
                and period_list.period_start_date = current_activity.period_start_date
        where current_activity.user_key is null
        group by period_list.period_start_date
    ) as dormant
        on {{ periods }}.period_start_date = dormant.period_start_date
{%- endmacro %}
