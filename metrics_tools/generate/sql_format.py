"""The SQL that formats numeric rows into the ten raw text columns, bad-row kinds included."""

from __future__ import annotations

import json
from typing import Sequence

from metrics_tools.generate.bad_rows import KIND
from metrics_tools.generate.reference import normalize_name
from metrics_tools.generate.simulation import Config
from metrics_tools.generate.vocabulary import Vocabulary
from metrics_tools.generate.world import (BAD_CURRENCIES, FIRST_NAMES, GARBAGE_TIMES, ID_SPACES, INT_RANGES,
                                         LAST_NAMES, NON_OBJECTS, VALUE_POOLS)

# ----------------------------------------------------------------------------- SQL formatting
def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(sql_str(x) for x in values) + "]"


def pick(values: Sequence[str], shift: int) -> str:
    """SQL expression choosing one of ``values`` from bits of the row's random number."""
    return f"{sql_list(values)}[((ri >> {shift}) % {len(values)}) + 1]"


def value_sql(key: str, kind: str, slot: int, is_revenue: bool, currencies: Sequence[str],
              allowed: Sequence[str] = ()) -> str:
    """SQL expression for a valid JSON value of a required property (one of its allowed text
    values when the tracking plan lists them)."""
    shift = 3 + slot * 11
    unit = f"(((ri >> {shift}) % 1000003) / 1000003.0)"
    pool_is_allowed = key in VALUE_POOLS and set(VALUE_POOLS[key]) <= set(allowed)
    if kind == "string" and allowed and key != "currency" and not pool_is_allowed:
        return f"'\"' || {pick([json.dumps(value)[1:-1] for value in allowed], shift)} || '\"'"
    if key == "currency":
        return f"'\"' || {sql_list(currencies)}[cur + 1] || '\"'"
    if key == "plan" and kind == "string":
        return f"'\"' || {sql_list(VALUE_POOLS['plan'])}[pl + 1] || '\"'"
    if key == "revenue" and is_revenue:
        return "rev::varchar"
    if kind == "string":
        if key in VALUE_POOLS:
            return f"'\"' || {pick(VALUE_POOLS[key], shift)} || '\"'"
        if key.endswith("_id"):
            space = ID_SPACES.get(key, 100_000)
            prefix = key[:-3]
            return f"'\"{prefix}_' || floor(pow({unit}, 2.5) * {space})::bigint::varchar || '\"'"
        return f"'\"{key}_' || ((ri >> {shift}) % 50)::varchar || '\"'"
    if kind == "integer":
        lo, hi = INT_RANGES.get(key, (0, 100))
        return f"({lo} + (ri >> {shift}) % {hi - lo + 1})::varchar"
    if kind == "number":
        scale = 300.0 if key.endswith("seconds") else 100.0
        return f"round({unit} * {scale}, 1)::varchar"
    return f"(case when (ri >> {shift}) % 2 = 0 then 'true' else 'false' end)"


def mistyped_sql(kind: str) -> str:
    """SQL expression for a JSON value of the wrong type."""
    if kind == "string":
        return "((ri >> 7) % 100000)::varchar"
    if kind == "number":
        return "'\"' || ((ri >> 7) % 90 + 10)::varchar || '\"'"
    if kind == "integer":
        return "((ri >> 7) % 9)::varchar || '.5'"
    return "'\"true\"'"


def properties_sql(vocab: Vocabulary) -> tuple[str, str, str]:
    """SQL expressions (outer wrapper, per-event JSON, personal data) for ``properties``."""
    k = KIND
    tier_extra = ("case when uid >= 0 and (ri >> 50) % 3 = 0 then '\"tier\": \"' || "
                  "(case when tier = 2 then 'premium' else 'free' end) || '\"' end")
    screen_extra = (f"case when (ri >> 54) % 5 = 0 then '\"screen\": \"' || "
                    f"{pick(VALUE_POOLS['screen'], 40)} || '\"' end")
    dirty = "case ev"  # rows whose properties a bad-row kind changes
    clean = "case ev"  # every other row: no per-kind branching, cheaper
    for code_, event in enumerate(vocab.events):
        frags: list[str] = []
        plain: list[str] = []
        for j, (key, kind) in enumerate(event.required):
            value = value_sql(key, kind, j, event.is_revenue, vocab.currencies, event.allowed_values_of(key))
            key_sql = sql_str(json.dumps(key))
            plain.append(f"{key_sql} || ': ' || ({value})")
            if key == "currency" and event.is_revenue:
                value = (f"case when kind = {k['unknown_currency']} then "
                         f"'\"' || {pick(BAD_CURRENCIES, 9)} || '\"' else {value} end")
            if j == 0:
                forms = [json.dumps(f) for f in key_forms(key)] or [json.dumps(key)]
                key_sql = (f"(case when kind = {k['mixed_case_keys']} then "
                           f"{sql_list(forms)}[(var % {len(forms)}) + 1] else {key_sql} end)")
                value = (f"case when kind = {k['bad_required_property']} and var % 2 = 1 "
                         f"then {mistyped_sql(kind)} else {value} end")
                frag = (f"case when kind = {k['bad_required_property']} and var % 2 = 0 "
                        f"then null else {key_sql} || ': ' || ({value}) end")
            else:
                frag = f"{key_sql} || ': ' || ({value})"
            frags.append(frag)
        required = {key for key, _ in event.required}
        extras = [e for name, e in (("tier", tier_extra), ("screen", screen_extra))
                  if name not in required]
        shared_extras = len(extras) == 2
        frags += extras + ["pii"]
        plain += ["ext"] if shared_extras else extras
        dirty += f" when {code_} then '{{' || concat_ws(', ', {', '.join(frags)}) || '}}'"
        clean += f" when {code_} then '{{' || concat_ws(', ', {', '.join(plain)}) || '}}'"
    dirty += " end"
    clean += " end"
    touched = ", ".join(str(k[x]) for x in ("pii", "mixed_case_keys", "bad_required_property",
                                            "unknown_currency"))
    first = f"case when kind in ({touched}) then {dirty} else {clean} end"
    fname, lname = pick(FIRST_NAMES, 20), pick(LAST_NAMES, 30)
    pii = (
        f"case when kind = {k['pii']} then concat_ws(', ', "
        f"case when ((var % 15 + 1) & 1) = 1 then '\"email\": \"' || {fname} || '.' || {lname} || "
        f"((ri >> 12) % 99)::varchar || '@example.com\"' end, "
        f"case when ((var % 15 + 1) & 2) = 2 then '\"phone\": \"+1-555-01' || "
        f"lpad(((ri >> 14) % 100)::varchar, 2, '0') || '\"' end, "
        f"case when ((var % 15 + 1) & 4) = 4 then '\"ip_address\": \"192.168.' || "
        f"((ri >> 16) % 256)::varchar || '.' || ((ri >> 24) % 254 + 1)::varchar || '\"' end, "
        f"case when ((var % 15 + 1) & 8) = 8 then '\"full_name\": \"' || upper({fname}[1]) || "
        f"{fname}[2:] || ' ' || upper({lname}[1]) || {lname}[2:] || '\"' end) end"
    )
    pii += f" as pii, nullif(concat_ws(', ', {tier_extra}, {screen_extra}), '')"
    return (
        f"case kind "
        f"when {k['malformed_json']} then (case var % 3 "
        f"  when 0 then substr(js, 1, length(js) - 1) "
        f"  when 1 then (case when js = '{{}}' then '{{\"broken\": }}' else replace(js, '\"', '''') end) "
        f"  else substr(js, 1, length(js) // 2) || ', ' end) "
        f"when {k['non_object_json']} then {sql_list(NON_OBJECTS)}[(var % {len(NON_OBJECTS)}) + 1] "
        f"else js end",
        first, pii,
    )


def key_forms(key: str) -> list[str]:
    words = key.split("_")
    forms = [words[0] + "".join(w.capitalize() for w in words[1:]),
             "".join(w.capitalize() for w in words), "-".join(words), key.upper()]
    return [f for f in dict.fromkeys(forms) if f != key and normalize_name(f) == key]


def select_sql(vocab: Vocabulary, cfg: Config) -> str:
    """The SELECT that turns one batch of numeric rows into the ten raw text columns."""
    outer, props, pii = properties_sql(vocab)
    k = KIND
    ts = "epoch_ms(t_ms)"
    local = "epoch_ms(t_ms + tz * 60000)"
    offset = ("(case when tz < 0 then '-' else '+' end) || lpad((abs(tz) // 60)::varchar, 2, '0')"
              " || {sep} || lpad((abs(tz) % 60)::varchar, 2, '0')")
    event_time = (
        f"case when kind = {k['invalid_timestamp']} then (case var % 6 "
        f"  when 0 then null "
        f"  when 1 then {pick(GARBAGE_TIMES, 11)} "
        f"  when 2 then strftime({ts}, '%Y-13-%dT%H:%M:%SZ') "
        f"  when 3 then strftime({ts}, '%Y-%m-%d') "
        f"  when 4 then strftime({ts}, '%Y-%m-%dT25:%M:%SZ') "
        f"  else strftime({ts}, '%d/%m/%Y %H:%M') end) "
        f"when shape = 0 then strftime({ts}, '%Y-%m-%dT%H:%M:%S.%gZ') "
        f"when shape = 1 then strftime({local}, '%Y-%m-%dT%H:%M:%S') || {offset.format(sep=chr(39) + ':' + chr(39))} "
        f"when shape = 2 then strftime({local}, '%Y-%m-%dT%H:%M:%S.%g') || {offset.format(sep=chr(39) * 2)} "
        f"when shape = 3 then strftime({ts}, '%Y-%m-%d %H:%M:%S') "
        f"else t_ms::varchar end"
    )
    return f"""
with base as (
    select *, {pii} as ext from batch
), js as (
    select *, {props} as js
    from base
)
select
    case when has_iid then ((h1::uhugeint << 64) | h2)::uuid::varchar end as insert_id,
    nm::varchar as event_name,
    case when uid >= 0 then 'usr_' || substr(((hu::uhugeint << 64) | hu)::uuid::varchar, 25)
        end as user_id,
    case when did >= 0 then ((d1::uhugeint << 64) | d2)::uuid::varchar end as device_id,
    {event_time} as event_time,
    strftime(epoch_ms(r_ms), '%Y-%m-%dT%H:%M:%S.%gZ') as received_at,
    plat::varchar as platform,
    ver::varchar as app_version,
    ctry::varchar as country,
    {outer} as properties,
    rday,
    r_ms,
    seq
from js
"""
