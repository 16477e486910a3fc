"""Behaviour in one UTC day: sessions (opener, body events, notification pushes, sign-ins on
new devices), the scheduled funnel flows inside a person's first session, and re-engagement
pushes to people who stay away. Random draws happen in a fixed order: same seed, same rows."""

from __future__ import annotations

import numpy as np

from metrics_tools.generate.numeric import group_starts, grouped_cumsum
from metrics_tools.generate.population import Population
from metrics_tools.generate.vocabulary import Vocabulary
from metrics_tools.generate.world import DAY, FIRST_START, HOUR_WEIGHTS, LAST_START

Rows = dict[str, np.ndarray]
Extra = tuple[np.ndarray, np.ndarray, np.ndarray, int]  # user, time of day (s), device slot, code


def sessions(rng: np.random.Generator, pop: Population, v: Vocabulary, d: int, active: np.ndarray,
             weekend: bool) -> Rows:
    """The day's sessions of the active people: openers, body events, pushes, sign-ins, flows."""
    if active.size == 0:
        return {"user": np.array([], dtype=np.int64), "t": np.array([], dtype=np.int64),
                "slot": np.array([], dtype=np.int8), "code": np.array([], dtype=np.int32)}
    ut = pop.utype[active]
    first_day = pop.arrive[active] == d
    lam = np.array([0.08, 0.18, 0.40, 0.08])[ut] + (0.2 if weekend else 0.0)
    n_sess = np.minimum(1 + rng.poisson(lam), 6)
    s_user = np.repeat(active, n_sess)
    s_first = group_starts(s_user)
    n_s = s_user.size
    gp = np.array([0.38, 0.34, 0.28, 0.44])[pop.utype[s_user]] * (0.85 if weekend else 1.0)
    n_ev = np.minimum(1 + rng.geometric(gp), 40)
    e_sess = np.repeat(np.arange(n_s), n_ev)
    e_first = group_starts(e_sess)
    gap = np.minimum(20.0 + rng.exponential(140.0, size=e_sess.size), 1500.0).astype(np.int64)
    gap[e_first] = 0
    offset = grouped_cumsum(gap, e_first)
    last = np.r_[np.flatnonzero(e_first)[1:] - 1, e_sess.size - 1] if n_s else np.array(
        [], dtype=np.int64)
    duration = offset[last]
    step = (2_760 + rng.exponential(10_800.0, size=n_s)).astype(np.int64)
    step[1:] += duration[:-1]
    step[s_first] = 0
    rel = grouped_cumsum(step, s_first)
    # first session start: local diurnal hour -> UTC, squeezed into [FIRST_START, LAST_START]
    hw = np.array(HOUR_WEIGHTS)
    local = rng.choice(24, size=active.size, p=hw / hw.sum()) * 3600 + rng.integers(
        0, 3600, size=active.size)
    utc = (local - pop.tz[active].astype(np.int64) * 60) % DAY
    s1 = FIRST_START + (utc * (LAST_START - FIRST_START)) // DAY
    user_pos = np.cumsum(s_first) - 1  # index into active
    start = s1[user_pos] + rel
    # device per session
    slot = np.zeros(n_s, dtype=np.int8)
    r = rng.random(n_s)
    slot[(pop.dev_day[s_user, 1] <= d) & (r < 0.4)] = 1
    slot[(pop.dev_day[s_user, 2] <= d) & (r < 0.15)] = 2
    slot[s_first & first_day[user_pos]] = 0
    # generic events: opener + body (codes decided once the tier is known)
    t = start[e_sess] + offset
    keep = t < DAY
    e_sess, t, e_first = e_sess[keep], t[keep], e_first[keep]
    user = s_user[e_sess]
    e_slot = slot[e_sess]
    code = np.full(t.size, -2, dtype=np.int32)  # -2: body event, drawn below
    code[e_first] = v.ev("app_opened")
    extra: list[Extra] = []  # user, t, slot, code
    # sessions opened from a push notification (not a user's first session ever)
    s_start_ok = start < DAY
    push = (~(s_first & first_day[user_pos])) & (rng.random(n_s) < 0.12) & s_start_ok & (
        pop.signup_ts[s_user] < d * DAY) & (v.ev("notification_opened") >= 0)
    if v.ev("notification_opened") >= 0:
        code[e_first & push[e_sess]] = v.ev("notification_opened")
        pu = np.flatnonzero(push)
        if v.ev("notification_sent") >= 0 and pu.size:
            extra.append((s_user[pu], start[pu] - rng.integers(30, 900, size=pu.size),
                          slot[pu], v.ev("notification_sent")))
    # first use of an extra device: sign in
    new_dev = (slot > 0) & s_start_ok & ~pop.dev_seen[s_user, slot]
    nd = np.flatnonzero(new_dev)
    if nd.size:
        pop.dev_seen[s_user[nd], slot[nd]] = True
        if v.ev("user_logged_in") >= 0:
            extra.append((s_user[nd], start[nd] + 2, slot[nd], v.ev("user_logged_in")))
    extra += scheduled_flows(rng, pop, v, d, active, s1, first_day, slot[s_first])
    if extra:
        user = np.concatenate([user] + [x[0] for x in extra])
        t = np.concatenate([t] + [x[1] for x in extra])
        e_slot = np.concatenate([e_slot] + [x[2].astype(np.int8) for x in extra])
        code = np.concatenate([code] + [np.full(x[0].size, x[3], dtype=np.int32)
                                        for x in extra])
    keep = t < DAY
    return {"user": user[keep], "t": t[keep], "slot": e_slot[keep], "code": code[keep]}


def scheduled_flows(rng: np.random.Generator, pop: Population, v: Vocabulary, d: int, active: np.ndarray,
                    s1: np.ndarray, first_day: np.ndarray, first_slot: np.ndarray) -> list[Extra]:
    """Scheduled funnel events placed inside each user's first session of the day."""
    out: list[Extra] = []
    base = d * DAY

    def add(mask: np.ndarray, t: np.ndarray, name: str) -> None:
        if v.ev(name) >= 0 and mask.any():
            out.append((active[mask], t[mask], first_slot[mask], v.ev(name)))

    def jitter(lo: int, hi: int) -> np.ndarray:
        return rng.integers(lo, hi, size=active.size)

    # sign-up on the arrival session: anonymous until account_created
    signs = first_day & pop.signer[active] & (v.ev("account_created") >= 0)
    t_signup = s1 + jitter(30, 240)
    pop.signup_ts[active[signs]] = base + t_signup[signs]
    add(signs, t_signup, "account_created")
    onboard = signs & (rng.random(active.size) < 0.72)
    add(onboard, t_signup + jitter(45, 400), "onboarding_completed")
    add(signs & (rng.random(active.size) < 0.8), t_signup + jitter(420, 900), "song_played")
    pl_day = pop.d_playlist[active] == d
    add(pl_day, np.where(first_day, t_signup + jitter(900, 1400), s1 + jitter(60, 900)),
        "playlist_created")
    # free to paid
    pw = pop.d_paywall[active] == d
    t_pw = s1 + jitter(30, 500)
    add(pw, t_pw, "paywall_viewed")
    tr = pop.d_trial[active] == d
    t_tr = np.where(pw, t_pw + jitter(20, 300), s1 + jitter(60, 300))
    add(tr, t_tr, "trial_started")
    pop.trial_ts[active[tr]] = base + t_tr[tr]
    sb = pop.d_sub[active] == d
    t_sb = np.where(pw, t_pw + jitter(330, 700), s1 + jitter(20, 200))
    add(sb, t_sb, "subscription_started")
    pop.sub_ts[active[sb]] = base + t_sb[sb]
    cn = pop.d_cancel[active] == d
    t_cn = s1 + jitter(60, 900)
    add(cn, t_cn, "subscription_cancelled")
    pop.premium_end[active[cn]] = base + t_cn[cn] + 14 * DAY
    return out


def reengagement(rng: np.random.Generator, pop: Population, v: Vocabulary, d: int, active: np.ndarray,
                 arrived: int) -> Rows:
    """Server-sent pushes to signed-up users who are not active today (passive events)."""
    code = v.ev("notification_sent")
    empty = {"user": np.array([], dtype=np.int64), "t": np.array([], dtype=np.int64),
             "slot": np.array([], dtype=np.int8), "code": np.array([], dtype=np.int32)}
    if code < 0 or arrived == 0:
        return empty
    rate = 0.03 if pop.weekday[d] in (1, 3, 5) else 0.004
    cand = np.flatnonzero((pop.signup_ts[:arrived] < d * DAY) & (rng.random(arrived) < rate))
    cand = np.setdiff1d(cand, active, assume_unique=True)
    t = np.clip(61_200 + rng.normal(0, 5_400, size=cand.size), FIRST_START, LAST_START)
    return {"user": cand, "t": t.astype(np.int64),
            "slot": np.zeros(cand.size, dtype=np.int8),
            "code": np.full(cand.size, code, dtype=np.int32)}
