"""Event codes and lookup arrays derived from the reference seeds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics_tools.generate.reference import PlannedEvent, Reference, normalize_name, raw_forms
from metrics_tools.generate.world import BODY_WEIGHTS, FLOW_ONLY, OLD_APP_ONLY, UNPLANNED_NAMES, VERSIONS


# ----------------------------------------------------------------------------- vocabulary
@dataclass
class Vocabulary:
    """Event codes, raw name table, and lookup arrays derived from the reference seeds."""

    events: tuple[PlannedEvent, ...]
    code: dict[str, int]
    names: list[str]  # raw event-name strings; index = name code
    variant_table: np.ndarray  # [event, 8] name codes of messy spellings (-1 = none)
    alias_table: np.ndarray  # [event, 24] name codes of legacy alias spellings
    unplanned: np.ndarray  # name codes of unplanned names
    has_props: np.ndarray  # bool per event
    is_revenue: np.ndarray
    has_currency: np.ndarray
    currencies: list[str]
    body_p: np.ndarray  # [tier, event] probabilities inside a session
    old_only_until: np.ndarray  # per event: index of first version without it (99 = none)

    @classmethod
    def build(cls, ref: Reference) -> Vocabulary:
        events = ref.events
        code = {e.name: i for i, e in enumerate(events)}
        names: list[str] = [e.name for e in events]
        index = {n: i for i, n in enumerate(names)}

        def name_code(text: str) -> int:
            if text not in index:
                index[text] = len(names)
                names.append(text)
            return index[text]

        variant_table = np.full((len(events), 8), -1, dtype=np.int32)
        for i, e in enumerate(events):
            for j, form in enumerate(raw_forms(e.name)[:8]):
                variant_table[i, j] = name_code(form)
        alias_table = np.full((len(events), 24), -1, dtype=np.int32)
        for i, e in enumerate(events):
            forms: list[str] = []
            for alias, target in sorted(ref.aliases.items()):
                if target == e.name and normalize_name(alias) not in ref.plan_names:
                    forms += [alias] + [f for f in raw_forms(alias)[:4] if f.strip() == f]
            for j, form in enumerate(forms[:24]):
                alias_table[i, j] = name_code(form)
        known = set(ref.plan_names) | {normalize_name(a) for a in ref.aliases}
        unplanned = np.array([name_code(n) for n in UNPLANNED_NAMES
                              if normalize_name(n) not in known], dtype=np.int32)
        if unplanned.size == 0:
            unplanned = np.array([name_code("zz_unplanned_event")], dtype=np.int32)
        currencies = sorted(ref.currencies)
        body = np.zeros((3, len(events)))
        for i, e in enumerate(events):
            if e.name in FLOW_ONLY:
                continue
            default = (0.3, 0.3, 0.3) if e.is_active else (0.1, 0.1, 0.1)
            weights = BODY_WEIGHTS.get(e.name, default)
            body[:, i] = weights
        if body.sum() == 0:
            body[:, :] = 1.0
        body = body / np.maximum(body.sum(axis=1, keepdims=True), 1e-12)
        version_index = {v: k for k, (v, _) in enumerate(VERSIONS)}
        old_only = np.full(len(events), 99, dtype=np.int16)
        for name, until in OLD_APP_ONLY.items():
            if name in code:
                old_only[code[name]] = version_index[until]
        return cls(
            events=events, code=code, names=names, variant_table=variant_table,
            alias_table=alias_table, unplanned=unplanned,
            has_props=np.array([bool(e.required) for e in events]),
            is_revenue=np.array([e.is_revenue for e in events]),
            has_currency=np.array([e.is_revenue and any(k == "currency" for k, _ in e.required)
                                   for e in events]),
            currencies=currencies, body_p=body, old_only_until=old_only,
        )

    def ev(self, name: str) -> int:
        """Code of a Tempo flow event, or -1 when the plan does not ship it."""
        return self.code.get(name, -1)
