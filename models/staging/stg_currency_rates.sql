{%- do seed_columns(ref('currency_rates'), 'currency_rates', required=['currency', 'usd_rate']) -%}

with currency_rates as (
    select * from {{ ref('currency_rates') }}
),

typed as (
    select
        upper(trim(currency)) as currency,
        usd_rate
    from currency_rates
)

select * from typed
