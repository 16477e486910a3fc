"""The simulation's driver: one UTC day at a time, behaviour then per-row attributes then bad
rows, as numeric columns (text formatting is the writers' job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from metrics_tools.generate.bad_rows import corrupt
from metrics_tools.generate.behaviour import reengagement, sessions
from metrics_tools.generate.numeric import local_price, splitmix64
from metrics_tools.generate.population import create_population
from metrics_tools.generate.reference import Reference
from metrics_tools.generate.vocabulary import Vocabulary
from metrics_tools.generate.world import DAY, PRICE_USD, SONG_PRICE_USD, VERSIONS


@dataclass(frozen=True)
class Config:
    seed: int
    users: int
    days: int
    start: date
    bad_rate: float
    bad_weights: dict[str, float]


class Simulation:
    """Tempo's users and their behaviour, simulated one UTC day at a time."""

    def __init__(self, cfg: Config, vocab: Vocabulary, ref: Reference) -> None:
        self.cfg = cfg
        self.v = vocab
        self.rng = np.random.default_rng(cfg.seed)
        self.seq = 0
        self.rates = np.array([ref.currencies[c] for c in vocab.currencies])
        self.pop = create_population(cfg, self.rng, vocab.currencies,
                                     window_activation=ref.funnel_windows.get("account_created", 7),
                                     window_paid=ref.funnel_windows.get("paywall_viewed", 30))

    def day(self, d: int) -> dict[str, np.ndarray]:
        """Simulate day ``d`` (0-based) and return its raw rows as numeric columns."""
        rng, v, pop = self.rng, self.v, self.pop
        weekend = pop.weekday[d] >= 5
        arrived = int(np.searchsorted(pop.arrive, d, side="right"))
        users = np.arange(arrived)
        age = d - pop.arrive[:arrived]
        ut = pop.utype[:arrived]
        a = np.array([0.0, 0.02, 0.16, 0.0])[ut]
        b = np.array([0.04, 0.18, 0.25, 0.08])[ut]
        tau = np.array([3.0, 4.0, 7.0, 2.0])[ut]
        p = (a + b * np.exp(-age / tau)) * pop.engage[:arrived] * (1.2 if weekend else 0.93)
        forced = (age == 0)
        for sched in pop.scheduled_days():
            forced |= sched[:arrived] == d
        active = users[forced | (rng.random(arrived) < np.minimum(p, 0.95))]
        events = [sessions(rng, pop, v, d, active, weekend)]
        events.append(reengagement(rng, pop, v, d, active, arrived))
        cols = {k: np.concatenate([e[k] for e in events]) for k in events[0]}
        order = np.lexsort((cols["code"], cols["user"], cols["t"]))
        cols = {k: val[order] for k, val in cols.items()}
        return self._finish(d, cols)

    def _finish(self, d: int, c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Per-row attributes: body event codes, app version, ids, revenue, times, text shape."""
        rng, v, pop = self.rng, self.v, self.pop
        user, slot = c["user"].astype(np.int64), c["slot"].astype(np.int64)
        n = user.size
        t_abs = d * DAY + c["t"].astype(np.int64)
        identified = (slot > 0) | (t_abs >= pop.signup_ts[user])
        premium = ((t_abs >= pop.trial_ts[user]) & (t_abs < pop.trial_ts[user] + 7 * DAY)) | (
            (t_abs >= pop.sub_ts[user]) & (t_abs < pop.premium_end[user]))
        tier = np.where(identified, np.where(premium, 2, 1), 0).astype(np.int8)
        code = c["code"]
        body = np.flatnonzero(code == -2)
        for k in range(3):
            idx = body[tier[body] == k]
            code[idx] = rng.choice(len(v.events), size=idx.size, p=v.body_p[k])
        # app version per (user, platform, day): users lag behind releases
        plat = pop.dev_plat[user, slot]
        released = np.array([day for _, day in VERSIONS])
        lag = np.where(plat == 2, 0.0, pop.lag[user])
        ver = (np.searchsorted(released, d - lag, side="right") - 1).clip(0).astype(np.int8)
        old = ver >= v.old_only_until[code]
        if old.any() and v.ev("song_played") >= 0:
            code[old] = v.ev("song_played")
        ri = splitmix64(np.arange(self.seq, self.seq + n, dtype=np.int64), self.cfg.seed * 7 + 1)
        ri = (ri >> np.uint64(1)).astype(np.int64)
        cur = pop.country_currency[pop.country[user]]
        rev_usd = np.where(code == v.ev("subscription_started"),
                           np.array(list(PRICE_USD.values()))[pop.plan[user]], SONG_PRICE_USD)
        rev = local_price(rev_usd, self.rates[cur])
        delay = rng.lognormal(0.6, 0.9, size=n)
        late = (plat != 2) & (rng.random(n) < 0.04)
        delay[late] = rng.uniform(600, 72_000, size=int(late.sum()))
        t_ms = t_abs * 1000 + rng.integers(0, 1000, size=n)
        r_ms = t_ms + (delay * 1000).astype(np.int64) + 50
        shape = rng.choice(5, size=n, p=(0.83, 0.05, 0.04, 0.04, 0.04)).astype(np.int8)
        rows = {
            "seq": np.arange(self.seq, self.seq + n, dtype=np.int64),
            "ev": code.astype(np.int16),
            "nm": code.astype(np.int32),
            "uid": np.where(identified, user, -1),
            "did": user * 3 + slot,
            "t_ms": t_ms,
            "r_ms": r_ms,
            "plat": plat.astype(np.int8),
            "ver": ver,
            "ctry": pop.country[user],
            "tz": pop.tz[user],
            "tier": tier,
            "shape": shape,
            "has_iid": rng.random(n) >= 0.03,
            "kind": np.zeros(n, dtype=np.int8),
            "var": rng.integers(0, 1 << 12, size=n).astype(np.int16),
            "ri": ri,
            "cur": cur,
            "pl": pop.plan[user],
            "rev": rev,
            "dup": np.zeros(n, dtype=bool),
        }
        self.seq += n
        return corrupt(rows, rng, v, self.cfg.bad_rate, self.cfg.bad_weights)
