"""Bad-row injection: which kinds of bad rows exist, their default weights, the --bad-weights
parser, and the pass that turns a share of a day's rows into those kinds (resends included)."""

from __future__ import annotations

import math

import numpy as np

from metrics_tools.generate.reference import InputError
from metrics_tools.generate.vocabulary import Vocabulary
from metrics_tools.generate.world import DAY

# (name, default weight, is the row still clean after staging?)
BAD_KINDS: tuple[tuple[str, float, bool], ...] = (
    ("name_variant", 1.5, True),
    ("legacy_alias", 1.0, True),
    ("pii", 0.6, True),
    ("mixed_case_keys", 0.6, True),
    ("unplanned_event", 1.2, False),
    ("duplicate_event", 1.5, False),
    ("missing_identity", 0.8, False),
    ("invalid_timestamp", 1.0, False),
    ("future_timestamp", 0.6, False),
    ("malformed_json", 0.7, False),
    ("non_object_json", 0.5, False),
    ("bad_required_property", 1.0, False),
    ("unknown_currency", 0.15, False),
)
KIND = {name: i + 1 for i, (name, _, _) in enumerate(BAD_KINDS)}  # 0 = untouched


def parse_weights(text: str) -> dict[str, float]:
    """The default weights, with the `kind=weight,...` overrides of --bad-weights applied."""
    weights = {name: w for name, w, _ in BAD_KINDS}
    if not text:
        return weights
    for item in text.split(","):
        if "=" not in item:
            raise InputError(f"--bad-weights: expected kind=weight, got {item!r}")
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in weights:
            raise InputError(f"--bad-weights: unknown kind {name!r} "
                             f"(known: {', '.join(weights)})")
        try:
            weights[name] = float(value)
        except ValueError as exc:
            raise InputError(f"--bad-weights: {name} weight is not a number: {value!r}") from exc
        if weights[name] < 0 or not math.isfinite(weights[name]):
            raise InputError(f"--bad-weights: {name} weight must be >= 0")
    return weights


def corrupt(rows: dict[str, np.ndarray], rng: np.random.Generator, v: Vocabulary, bad_rate: float,
            bad_weights: dict[str, float]) -> dict[str, np.ndarray]:
    """Turn a share of rows into the configured bad-row kinds (in place) and add resends."""
    n = rows["seq"].size
    if n == 0 or bad_rate <= 0:
        return rows
    total_w = sum(bad_weights.values())
    ev = rows["ev"].astype(np.int64)
    kind = rows["kind"]
    eligible: dict[str, np.ndarray] = {
        "legacy_alias": v.alias_table[ev, 0] >= 0,
        "mixed_case_keys": v.has_props[ev],
        "bad_required_property": v.has_props[ev],
        "unknown_currency": v.has_currency[ev],
        "name_variant": v.variant_table[ev, 0] >= 0,
        "duplicate_event": rows["has_iid"],
    }
    caps = {"unknown_currency": 0.2}
    dup_pick = np.zeros(n, dtype=bool)
    for name, _, _ in BAD_KINDS:
        share = bad_rate * bad_weights.get(name, 0.0) / total_w
        if share <= 0:
            continue
        free = (kind == 0) & ~dup_pick & eligible.get(name, np.ones(n, dtype=bool))
        n_free = int(free.sum())
        if n_free == 0:
            continue
        q = min(caps.get(name, 0.5), share * n / n_free)
        pick = free & (rng.random(n) < q)
        if name == "duplicate_event":
            dup_pick = pick
        else:
            kind[pick] = KIND[name]
    var = rows["var"].astype(np.int64)
    # names
    nm = rows["nm"]
    m = kind == KIND["name_variant"]
    counts = (v.variant_table >= 0).sum(axis=1)
    nm[m] = v.variant_table[ev[m], var[m] % np.maximum(counts[ev[m]], 1)]
    m = kind == KIND["legacy_alias"]
    counts = (v.alias_table >= 0).sum(axis=1)
    nm[m] = v.alias_table[ev[m], var[m] % np.maximum(counts[ev[m]], 1)]
    m = kind == KIND["unplanned_event"]
    nm[m] = v.unplanned[var[m] % v.unplanned.size]
    # identity and time
    m = kind == KIND["missing_identity"]
    rows["uid"][m] = -1
    rows["did"][m] = -1
    m = kind == KIND["future_timestamp"]
    rows["t_ms"][m] = rows["r_ms"][m] + DAY * 1000 + rng.integers(
        3_600_000, 60 * DAY * 1000, size=int(m.sum()))
    # resends: exact copies received later
    if dup_pick.any():
        idx = np.flatnonzero(dup_pick)
        copy = {k: val[idx].copy() for k, val in rows.items()}
        copy["r_ms"] += (rng.lognormal(6.0, 1.8, size=idx.size).clip(2, 20_000) * 1000
                         ).astype(np.int64)
        copy["dup"][:] = True
        rows = {k: np.concatenate([rows[k], copy[k]]) for k in rows}
    return rows
