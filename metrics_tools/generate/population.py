"""Tempo's visitors and registered users: arrival day, type, country, devices, and the days their
scheduled funnel steps happen (playlist, paywall, trial, subscription, cancellation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from metrics_tools.generate.world import COUNTRIES, NEVER, NO_DAY, SIGNUP_RATE

if TYPE_CHECKING:
    from metrics_tools.generate.simulation import Config


@dataclass
class Population:
    """One array element per person (index = person number), slot columns per device."""

    n: int
    weekday: np.ndarray  # per simulated day: 0 = Monday
    arrive: np.ndarray  # arrival day, sorted
    signer: np.ndarray  # signs up on the arrival session
    utype: np.ndarray  # 0 casual, 1 regular, 2 power, 3 anonymous visitor
    engage: np.ndarray
    country: np.ndarray
    tz: np.ndarray  # UTC offset, minutes
    country_currency: np.ndarray  # per country: index into the vocabulary's currencies
    dev_day: np.ndarray  # [person, slot] first day of each device
    dev_plat: np.ndarray  # [person, slot] platform of each device
    dev_seen: np.ndarray  # [person, slot] device already used (signed in)
    lag: np.ndarray  # days behind app releases
    plan: np.ndarray
    d_playlist: np.ndarray  # scheduled flow days (NO_DAY = never)
    d_paywall: np.ndarray
    d_trial: np.ndarray
    d_sub: np.ndarray
    d_cancel: np.ndarray
    signup_ts: np.ndarray  # seconds since the start; NEVER until it happens
    trial_ts: np.ndarray
    sub_ts: np.ndarray
    premium_end: np.ndarray

    def scheduled_days(self) -> tuple[np.ndarray, ...]:
        return self.d_playlist, self.d_paywall, self.d_trial, self.d_sub, self.d_cancel


def create_population(cfg: Config, rng: np.random.Generator, currencies: list[str],
                      window_activation: int, window_paid: int) -> Population:
    """Draw every person's fixed attributes (the random draws happen in this exact order)."""
    n = max(int(round(cfg.users / SIGNUP_RATE)), cfg.users, 1)
    days = np.arange(cfg.days)
    weekday = np.array([(cfg.start + timedelta(days=int(d))).weekday() for d in days])
    weight = (1.0 + 1.6 * days / max(cfg.days - 1, 1)) * np.where(weekday >= 5, 1.2, 1.0)
    weight[0] *= 1.5  # launch-campaign bump
    arrive = np.sort(rng.choice(cfg.days, size=n, p=weight / weight.sum())).astype(np.int32)
    signer = np.zeros(n, dtype=bool)
    signer[rng.permutation(n)[: cfg.users]] = True
    utype = rng.choice(3, size=n, p=(0.43, 0.46, 0.11)).astype(np.int8)
    utype[~signer] = 3  # anonymous visitor who never signs up
    engage = rng.lognormal(0.0, 0.35, size=n).astype(np.float32)
    cw = np.array([c[1] for c in COUNTRIES], dtype=float)
    country = rng.choice(len(COUNTRIES), size=n, p=cw / cw.sum()).astype(np.int8)
    tz = np.zeros(n, dtype=np.int16)
    plat = np.zeros(n, dtype=np.int8)
    cur_index = {c: i for i, c in enumerate(currencies)}
    fallback = cur_index.get("USD", 0)
    country_currency = np.array([cur_index.get(c[2], fallback) for c in COUNTRIES], dtype=np.int8)
    for ci, (_, _, _, offsets, pw) in enumerate(COUNTRIES):
        members = np.flatnonzero(country == ci)
        tz[members] = rng.choice(np.array(offsets), size=members.size)
        plat[members] = rng.choice(3, size=members.size, p=np.array(pw) / sum(pw))
    # devices: slot 0 from arrival; extra devices from a later day, signed-up users only
    n_dev = rng.choice(3, size=n, p=(0.76, 0.19, 0.05)) + 1
    n_dev[~signer] = 1
    dev_day = np.full((n, 3), NO_DAY, dtype=np.int32)
    dev_day[:, 0] = arrive
    d1 = arrive + rng.geometric(0.08, size=n)
    d2 = d1 + rng.geometric(0.05, size=n)
    dev_day[:, 1] = np.where(n_dev >= 2, d1, NO_DAY)
    dev_day[:, 2] = np.where(n_dev >= 3, d2, NO_DAY)
    dev_plat = np.empty((n, 3), dtype=np.int8)
    dev_plat[:, 0] = plat
    other = np.where(plat == 2, rng.choice(2, size=n), np.where(rng.random(n) < 0.6, 2, 1 - plat))
    dev_plat[:, 1] = other
    dev_plat[:, 2] = np.where(other == 2, rng.choice(2, size=n), 2)
    dev_seen = np.zeros((n, 3), dtype=bool)
    dev_seen[:, 0] = True
    lag = rng.exponential(8.0, size=n).astype(np.float32)
    lag[rng.random(n) < 0.06] = 400.0  # never updates: keeps a 4.x app
    plan = rng.choice(3, size=n, p=(0.7, 0.18, 0.12)).astype(np.int8)
    # scheduled flow days (signed-up users): activation and free-to-paid funnels
    never = np.full(n, NO_DAY, dtype=np.int32)
    act_days = max(window_activation - 1, 0)
    has_pl = signer & (rng.random(n) < np.array([0.2, 0.45, 0.7, 0.0])[utype])
    d_playlist = np.where(has_pl, arrive + np.minimum(rng.geometric(0.45, size=n) - 1, act_days), never)
    has_pw = signer & (rng.random(n) < np.array([0.15, 0.5, 0.7, 0.0])[utype])
    d_paywall = np.where(has_pw, arrive + np.minimum(rng.geometric(0.12, size=n) - 1, 45), never)
    has_tr = has_pw & (rng.random(n) < 0.42)
    tr_delay = np.where(rng.random(n) < 0.7, 0, rng.integers(1, 4, size=n))
    d_trial = np.where(has_tr, d_paywall + tr_delay, never)
    trial_days = min(7, max(window_paid - 4, 0))
    converts = has_tr & (rng.random(n) < 0.55)
    direct = has_pw & ~has_tr & (rng.random(n) < 0.06)
    d_sub = np.where(converts, d_trial + trial_days, np.where(direct, d_paywall, never))
    has_cancel = (d_sub < NO_DAY) & (rng.random(n) < 0.3)
    d_cancel = np.where(has_cancel, d_sub + rng.integers(5, 41, size=n), never)
    for arr in (d_playlist, d_paywall, d_trial, d_sub, d_cancel):
        arr[arr >= NO_DAY] = NO_DAY
    return Population(
        n=n, weekday=weekday, arrive=arrive, signer=signer, utype=utype, engage=engage,
        country=country, tz=tz, country_currency=country_currency, dev_day=dev_day,
        dev_plat=dev_plat, dev_seen=dev_seen, lag=lag, plan=plan, d_playlist=d_playlist,
        d_paywall=d_paywall, d_trial=d_trial, d_sub=d_sub, d_cancel=d_cancel,
        signup_ts=np.full(n, NEVER, dtype=np.int64), trial_ts=np.full(n, NEVER, dtype=np.int64),
        sub_ts=np.full(n, NEVER, dtype=np.int64), premium_end=np.full(n, NEVER, dtype=np.int64),
    )
