#!/usr/bin/env python3
"""Generate deterministic synthetic raw events for Tempo, a music streaming app.

The event schema (names, required properties and their types, aliases, currencies, funnel
windows) is read from the reference seeds, so the output stays consistent with the tracking
plan. Behaviour flows (sign-up, onboarding, paywall, trial, subscription) name Tempo's events;
a flow whose events are not shipped in the plan is skipped.

Rows are simulated day by day with numpy and formatted to text by DuckDB, so memory stays
bounded by one day of events. Same arguments give byte-identical output.

Examples:
    python scripts/generate_events.py --seed 42 --output seeds/raw_events.csv
    python scripts/generate_events.py --events 1000000 --output /tmp/events --format parquet
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

OUTPUT_COLUMNS = (
    "insert_id", "event_name", "user_id", "device_id", "event_time", "received_at",
    "platform", "app_version", "country", "properties",
)
DAY = 86_400
NEVER = np.int64(1) << 40  # "no such timestamp" (seconds), far after any simulated day
NO_DAY = 32_000  # "no such day"
FIRST_START = 3_700  # earliest first-session start (s after midnight UTC): keeps > 30 min gaps
LAST_START = 82_800  # latest first-session start, leaves room for scheduled events
SIGNUP_RATE = 0.65  # share of visitors who create an account
PRICE_USD = {"premium_individual": 10.99, "premium_family": 16.99, "premium_student": 5.99}
SONG_PRICE_USD = 1.29

# ----------------------------------------------------------------------------- bad-row kinds
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

# ----------------------------------------------------------------------------- world
COUNTRIES: tuple[tuple[str, float, str, tuple[int, ...], tuple[float, float, float]], ...] = (
    # code, weight, currency, utc offsets (minutes, Aug-Oct), platform weights (ios, android, web)
    ("US", 30, "USD", (-240, -300, -420), (0.50, 0.30, 0.20)),
    ("GB", 8, "GBP", (60,), (0.45, 0.35, 0.20)),
    ("DE", 7, "EUR", (120,), (0.35, 0.45, 0.20)),
    ("FR", 5, "EUR", (120,), (0.35, 0.45, 0.20)),
    ("ES", 4, "EUR", (120,), (0.30, 0.55, 0.15)),
    ("SE", 3, "SEK", (120,), (0.45, 0.35, 0.20)),
    ("BR", 12, "BRL", (-180,), (0.20, 0.68, 0.12)),
    ("MX", 8, "MXN", (-360,), (0.22, 0.65, 0.13)),
    ("IN", 12, "INR", (330,), (0.10, 0.78, 0.12)),
    ("JP", 6, "JPY", (540,), (0.62, 0.25, 0.13)),
    ("CA", 5, "CAD", (-240, -420), (0.48, 0.32, 0.20)),
)
PLATFORMS = ("ios", "android", "web")
# app versions and their release day relative to --start-date; queue_viewed exists before 5.0
VERSIONS: tuple[tuple[str, int], ...] = (
    ("4.7.0", -120), ("4.8.2", -60), ("4.9.1", -25), ("5.0.0", 3),
    ("5.1.0", 21), ("5.2.0", 42), ("5.3.0", 63), ("5.4.0", 84), ("5.5.0", 105),
)
HOUR_WEIGHTS = (0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.2, 1.6, 1.2, 1.0, 1.1,
                1.3, 1.2, 1.0, 1.0, 1.2, 1.5, 1.8, 2.0, 2.0, 1.8, 1.3, 0.7)
# relative weight of an event inside a session, per tier (anonymous, free, premium)
BODY_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "song_played": (10, 10, 12), "song_completed": (5, 6, 8), "song_skipped": (3, 4, 4),
    "song_liked": (0, 1.2, 1.5), "song_shared": (0, 0.3, 0.4), "song_downloaded": (0, 0, 1.0),
    "playlist_song_added": (0, 0.8, 1.2), "playlist_followed": (0, 0.3, 0.4),
    "artist_followed": (0, 0.4, 0.5), "search_performed": (2.5, 2.0, 2.0),
    "recommendation_clicked": (1.0, 1.2, 1.2), "podcast_episode_played": (0.3, 0.6, 0.7),
    "paywall_viewed": (0, 0.25, 0), "settings_changed": (0, 0.15, 0.2),
    "ad_served": (2.0, 2.5, 0), "app_crashed": (0.06, 0.06, 0.06), "queue_viewed": (0, 0.6, 0.6),
    "user_logged_out": (0, 0.04, 0.04), "song_purchased": (0, 0.03, 0.02),
    "playlist_created": (0, 0.05, 0.08),
}
FLOW_ONLY = {"account_created", "onboarding_completed", "trial_started", "subscription_started",
             "subscription_cancelled", "user_logged_in", "notification_opened",
             "notification_sent", "app_opened"}
OLD_APP_ONLY = {"queue_viewed": "5.0.0"}  # event -> first version without it

VALUE_POOLS: dict[str, tuple[str, ...]] = {
    "source": ("search", "playlist", "album", "radio", "autoplay", "recommendation", "library"),
    "signup_method": ("email", "google", "apple", "facebook"),
    "share_channel": ("whatsapp", "instagram", "copy_link", "sms", "x"),
    "shelf_name": ("made_for_you", "new_releases", "trending", "because_you_listened",
                   "daily_mix"),
    "paywall_source": ("skip_limit", "offline_download", "ad_free_banner", "settings",
                       "onboarding"),
    "plan": tuple(PRICE_USD),
    "setting_name": ("explicit_content", "crossfade", "autoplay", "data_saver",
                     "notifications"),
    "screen": ("home", "search", "library", "now_playing", "artist", "playlist"),
}
INT_RANGES: dict[str, tuple[int, int]] = {
    "genres_selected": (1, 9), "duration_seconds": (95, 420), "results_count": (0, 250),
    "position": (1, 20),
}
ID_SPACES: dict[str, int] = {"song_id": 250_000, "artist_id": 40_000, "playlist_id": 900_000,
                             "episode_id": 60_000, "campaign_id": 400, "ad_id": 3_000}
UNPLANNED_NAMES = ("video_played", "Cart Viewed", "debugPing", "test-event", "screen_viewed",
                   "lyrics_shown", "ab_test_exposure", "Button Clicked", "podcast_rated")
BAD_CURRENCIES = ("BTC", "XXX", "EURO", "US$", "ZZZ")
GARBAGE_TIMES = ("not-a-date", "N/A", "undefined", "yesterday 3pm", "NaN", "0000-00-00")
NON_OBJECTS = ("[1,2]", "[]", '"song"', "42", "true")
FIRST_NAMES = ("jane", "john", "maria", "arjun", "yuki", "lucas", "emma", "noah", "sofia",
               "liam", "ana", "oliver", "priya", "kenji", "chloe", "mateo")
LAST_NAMES = ("doe", "smith", "silva", "patel", "tanaka", "garcia", "muller", "martin",
              "johansson", "brown", "lopez", "kumar", "rossi", "nguyen")
SALTS = {"insert": 0x1F3D5B79, "user": 0x2E4C6A88, "device": 0x3D5B7997, "device2": 0x4C6A88A6,
         "insert2": 0x5B7997B5}


class InputError(Exception):
    """Bad user input or reference seeds: reported as one line, exit status 2."""


# ----------------------------------------------------------------------------- names
def normalize_name(text: str) -> str:
    """Normalize an event name or property key (docs/decisions/0001)."""
    value = text.strip()
    value = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", value)
    value = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", value)
    value = re.sub(r"[\s\-._]+", "_", value)
    return value.strip("_").lower()


def raw_forms(name: str) -> list[str]:
    """Messy spellings of a snake_case name that still normalize to it (itself excluded)."""
    words = name.split("_")
    forms = [
        " ".join(w.capitalize() for w in words),
        words[0] + "".join(w.capitalize() for w in words[1:]),
        "-".join(words),
        name.upper(),
        "".join(w.capitalize() for w in words),
        ".".join(words),
        f"  {name} ",
    ]
    unique = list(dict.fromkeys(f for f in forms if f != name))
    return [f for f in unique if normalize_name(f) == name]


# ----------------------------------------------------------------------------- seeds
@dataclass(frozen=True)
class PlannedEvent:
    name: str
    is_active: bool
    is_revenue: bool
    is_shipped: bool
    required: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Reference:
    events: tuple[PlannedEvent, ...]  # shipped events only: the ones we may emit
    plan_names: frozenset[str]
    aliases: dict[str, str]
    currencies: dict[str, float]
    funnel_windows: dict[str, int]  # funnel step-1 event -> conversion window (days)


def read_csv(path: Path, needed: Sequence[str]) -> list[dict[str, str]]:
    """Read a seed CSV, checking its columns."""
    if not path.is_file():
        raise InputError(f"seed file not found: {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        return list(reader)


def parse_bool(text: str, where: str) -> bool:
    value = text.strip().lower()
    if value in ("true", "t", "1", "yes"):
        return True
    if value in ("false", "f", "0", "no", ""):
        return False
    raise InputError(f"{where}: not a boolean: {text!r}")


def load_reference(seeds_dir: Path) -> Reference:
    """Read the four reference seeds."""
    plan_rows = read_csv(seeds_dir / "tracking_plan.csv",
                         ("event_name", "is_active", "is_revenue", "required_properties"))
    events: list[PlannedEvent] = []
    plan_names: set[str] = set()
    for row in plan_rows:
        name = row["event_name"].strip()
        where = f"tracking_plan.csv ({name})"
        try:
            required = json.loads(row["required_properties"] or "{}")
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: required_properties is not JSON: {exc}") from exc
        if not isinstance(required, dict) or any(
                t not in ("string", "number", "integer", "boolean") for t in required.values()):
            raise InputError(f"{where}: required_properties must map keys to "
                             "string/number/integer/boolean")
        event = PlannedEvent(name, parse_bool(row["is_active"], where),
                             parse_bool(row["is_revenue"], where),
                             parse_bool(row.get("is_shipped") or "true", where),
                             tuple((k, str(v)) for k, v in required.items()))
        plan_names.add(name)
        if event.is_shipped:
            events.append(event)
    if not events:
        raise InputError("tracking_plan.csv has no shipped events")
    aliases = {r["alias_name"].strip(): r["event_name"].strip()
               for r in read_csv(seeds_dir / "event_aliases.csv", ("alias_name", "event_name"))}
    currencies: dict[str, float] = {}
    for row in read_csv(seeds_dir / "currency_rates.csv", ("currency", "usd_rate")):
        try:
            currencies[row["currency"].strip().upper()] = float(row["usd_rate"])
        except ValueError as exc:
            raise InputError(f"currency_rates.csv: bad usd_rate {row['usd_rate']!r}") from exc
    if not currencies:
        raise InputError("currency_rates.csv has no currencies")
    windows: dict[str, int] = {}
    for row in read_csv(seeds_dir / "funnel_steps.csv",
                        ("funnel_name", "step_number", "event_name", "conversion_window_days")):
        # Funnels with their window in the `funnels` seed (hours) leave the days empty: skipped.
        if row["step_number"].strip() == "1" and row["conversion_window_days"].strip():
            windows[row["event_name"].strip()] = int(row["conversion_window_days"])
    return Reference(tuple(events), frozenset(plan_names), aliases, currencies, windows)


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


# ----------------------------------------------------------------------------- config
@dataclass(frozen=True)
class Config:
    seed: int
    users: int
    days: int
    start: date
    bad_rate: float
    bad_weights: dict[str, float]


# ----------------------------------------------------------------------------- helpers
def splitmix64(values: np.ndarray, salt: int) -> np.ndarray:
    """Deterministic 64-bit hash of integers (vectorized SplitMix64)."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) ^ np.uint64(salt & 0xFFFFFFFFFFFFFFFF)
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def group_starts(keys: np.ndarray) -> np.ndarray:
    """Boolean mask of the first element of each run of equal keys."""
    mask = np.ones(keys.size, dtype=bool)
    if keys.size > 1:
        mask[1:] = keys[1:] != keys[:-1]
    return mask


def grouped_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sum restarting at each group start."""
    total = np.cumsum(values)
    first = np.flatnonzero(starts)
    base = total[first] - values[first]
    group = np.cumsum(starts) - 1
    return total - base[group]


def rank_in_group(starts: np.ndarray) -> np.ndarray:
    """0-based position of each element inside its group."""
    return grouped_cumsum(np.ones(starts.size, dtype=np.int64), starts) - 1


# ----------------------------------------------------------------------------- simulation
class Simulation:
    """Tempo's users and their behaviour, simulated one UTC day at a time."""

    def __init__(self, cfg: Config, vocab: Vocabulary, ref: Reference) -> None:
        self.cfg = cfg
        self.v = vocab
        self.rng = np.random.default_rng(cfg.seed)
        self.seq = 0
        self.window_activation = ref.funnel_windows.get("account_created", 7)
        self.window_paid = ref.funnel_windows.get("paywall_viewed", 30)
        self.rates = np.array([ref.currencies[c] for c in vocab.currencies])
        self._create_users()

    # -- users ---------------------------------------------------------------------------
    def _create_users(self) -> None:
        cfg, rng, v = self.cfg, self.rng, self.v
        n = max(int(round(cfg.users / SIGNUP_RATE)), cfg.users, 1)
        days = np.arange(cfg.days)
        weekday = np.array([(cfg.start + timedelta(days=int(d))).weekday() for d in days])
        weight = (1.0 + 1.6 * days / max(cfg.days - 1, 1)) * np.where(weekday >= 5, 1.2, 1.0)
        weight[0] *= 1.5  # launch-campaign bump
        self.n = n
        self.weekday = weekday
        self.arrive = np.sort(rng.choice(cfg.days, size=n, p=weight / weight.sum())).astype(
            np.int32)
        signer = np.zeros(n, dtype=bool)
        signer[rng.permutation(n)[: cfg.users]] = True
        self.signer = signer
        utype = rng.choice(3, size=n, p=(0.43, 0.46, 0.11)).astype(np.int8)
        utype[~signer] = 3  # anonymous visitor who never signs up
        self.utype = utype
        self.engage = rng.lognormal(0.0, 0.35, size=n).astype(np.float32)
        cw = np.array([c[1] for c in COUNTRIES], dtype=float)
        self.country = rng.choice(len(COUNTRIES), size=n, p=cw / cw.sum()).astype(np.int8)
        self.tz = np.zeros(n, dtype=np.int16)
        plat = np.zeros(n, dtype=np.int8)
        cur_index = {c: i for i, c in enumerate(v.currencies)}
        fallback = cur_index.get("USD", 0)
        self.country_currency = np.array(
            [cur_index.get(c[2], fallback) for c in COUNTRIES], dtype=np.int8)
        for ci, (_, _, _, offsets, pw) in enumerate(COUNTRIES):
            members = np.flatnonzero(self.country == ci)
            self.tz[members] = rng.choice(np.array(offsets), size=members.size)
            plat[members] = rng.choice(3, size=members.size, p=np.array(pw) / sum(pw))
        # devices: slot 0 from arrival; extra devices from a later day, signed-up users only
        n_dev = rng.choice(3, size=n, p=(0.76, 0.19, 0.05)) + 1
        n_dev[~signer] = 1
        self.dev_day = np.full((n, 3), NO_DAY, dtype=np.int32)
        self.dev_day[:, 0] = self.arrive
        d1 = self.arrive + rng.geometric(0.08, size=n)
        d2 = d1 + rng.geometric(0.05, size=n)
        self.dev_day[:, 1] = np.where(n_dev >= 2, d1, NO_DAY)
        self.dev_day[:, 2] = np.where(n_dev >= 3, d2, NO_DAY)
        self.dev_plat = np.empty((n, 3), dtype=np.int8)
        self.dev_plat[:, 0] = plat
        other = np.where(plat == 2, rng.choice(2, size=n), np.where(rng.random(n) < 0.6, 2, 1 - plat))
        self.dev_plat[:, 1] = other
        self.dev_plat[:, 2] = np.where(other == 2, rng.choice(2, size=n), 2)
        self.dev_seen = np.zeros((n, 3), dtype=bool)
        self.dev_seen[:, 0] = True
        self.lag = rng.exponential(8.0, size=n).astype(np.float32)
        self.lag[rng.random(n) < 0.06] = 400.0  # never updates: keeps a 4.x app
        self.plan = rng.choice(3, size=n, p=(0.7, 0.18, 0.12)).astype(np.int8)
        # scheduled flow days (signed-up users): activation and free-to-paid funnels
        never = np.full(n, NO_DAY, dtype=np.int32)
        act_days = max(self.window_activation - 1, 0)
        has_pl = signer & (rng.random(n) < np.array([0.2, 0.45, 0.7, 0.0])[utype])
        self.d_playlist = np.where(
            has_pl, self.arrive + np.minimum(rng.geometric(0.45, size=n) - 1, act_days), never)
        has_pw = signer & (rng.random(n) < np.array([0.15, 0.5, 0.7, 0.0])[utype])
        self.d_paywall = np.where(
            has_pw, self.arrive + np.minimum(rng.geometric(0.12, size=n) - 1, 45), never)
        has_tr = has_pw & (rng.random(n) < 0.42)
        tr_delay = np.where(rng.random(n) < 0.7, 0, rng.integers(1, 4, size=n))
        self.d_trial = np.where(has_tr, self.d_paywall + tr_delay, never)
        trial_days = min(7, max(self.window_paid - 4, 0))
        converts = has_tr & (rng.random(n) < 0.55)
        direct = has_pw & ~has_tr & (rng.random(n) < 0.06)
        self.d_sub = np.where(converts, self.d_trial + trial_days,
                              np.where(direct, self.d_paywall, never))
        has_cancel = (self.d_sub < NO_DAY) & (rng.random(n) < 0.3)
        self.d_cancel = np.where(has_cancel, self.d_sub + rng.integers(5, 41, size=n), never)
        for arr in (self.d_playlist, self.d_paywall, self.d_trial, self.d_sub, self.d_cancel):
            arr[arr >= NO_DAY] = NO_DAY
        self.signup_ts = np.full(n, NEVER, dtype=np.int64)
        self.trial_ts = np.full(n, NEVER, dtype=np.int64)
        self.sub_ts = np.full(n, NEVER, dtype=np.int64)
        self.premium_end = np.full(n, NEVER, dtype=np.int64)

    # -- one day -------------------------------------------------------------------------
    def day(self, d: int) -> dict[str, np.ndarray]:
        """Simulate day ``d`` (0-based) and return its raw rows as numeric columns."""
        rng, v = self.rng, self.v
        weekend = self.weekday[d] >= 5
        arrived = int(np.searchsorted(self.arrive, d, side="right"))
        users = np.arange(arrived)
        age = d - self.arrive[:arrived]
        ut = self.utype[:arrived]
        a = np.array([0.0, 0.02, 0.16, 0.0])[ut]
        b = np.array([0.04, 0.18, 0.25, 0.08])[ut]
        tau = np.array([3.0, 4.0, 7.0, 2.0])[ut]
        p = (a + b * np.exp(-age / tau)) * self.engage[:arrived] * (1.2 if weekend else 0.93)
        forced = (age == 0)
        for sched in (self.d_playlist, self.d_paywall, self.d_trial, self.d_sub, self.d_cancel):
            forced |= sched[:arrived] == d
        active = users[forced | (rng.random(arrived) < np.minimum(p, 0.95))]
        events = [self._sessions(d, active, weekend)]
        events.append(self._reengagement(d, active, arrived))
        cols = {k: np.concatenate([e[k] for e in events]) for k in events[0]}
        order = np.lexsort((cols["code"], cols["user"], cols["t"]))
        cols = {k: val[order] for k, val in cols.items()}
        return self._finish(d, cols)

    def _sessions(self, d: int, active: np.ndarray, weekend: bool) -> dict[str, np.ndarray]:
        rng, v = self.rng, self.v
        if active.size == 0:
            return {"user": np.array([], dtype=np.int64), "t": np.array([], dtype=np.int64),
                    "slot": np.array([], dtype=np.int8), "code": np.array([], dtype=np.int32)}
        ut = self.utype[active]
        first_day = self.arrive[active] == d
        lam = np.array([0.08, 0.18, 0.40, 0.08])[ut] + (0.2 if weekend else 0.0)
        n_sess = np.minimum(1 + rng.poisson(lam), 6)
        s_user = np.repeat(active, n_sess)
        s_first = group_starts(s_user)
        n_s = s_user.size
        gp = np.array([0.38, 0.34, 0.28, 0.44])[self.utype[s_user]] * (0.85 if weekend else 1.0)
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
        utc = (local - self.tz[active].astype(np.int64) * 60) % DAY
        s1 = FIRST_START + (utc * (LAST_START - FIRST_START)) // DAY
        user_pos = np.cumsum(s_first) - 1  # index into active
        start = s1[user_pos] + rel
        # device per session
        slot = np.zeros(n_s, dtype=np.int8)
        r = rng.random(n_s)
        slot[(self.dev_day[s_user, 1] <= d) & (r < 0.4)] = 1
        slot[(self.dev_day[s_user, 2] <= d) & (r < 0.15)] = 2
        slot[s_first & first_day[user_pos]] = 0
        # generic events: opener + body (codes decided once the tier is known)
        t = start[e_sess] + offset
        keep = t < DAY
        e_sess, t, e_first = e_sess[keep], t[keep], e_first[keep]
        user = s_user[e_sess]
        e_slot = slot[e_sess]
        code = np.full(t.size, -2, dtype=np.int32)  # -2: body event, drawn below
        code[e_first] = v.ev("app_opened")
        extra: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []  # user, t, slot, code
        # sessions opened from a push notification (not a user's first session ever)
        s_start_ok = start < DAY
        push = (~(s_first & first_day[user_pos])) & (rng.random(n_s) < 0.12) & s_start_ok & (
            self.signup_ts[s_user] < d * DAY) & (v.ev("notification_opened") >= 0)
        if v.ev("notification_opened") >= 0:
            code[e_first & push[e_sess]] = v.ev("notification_opened")
            pu = np.flatnonzero(push)
            if v.ev("notification_sent") >= 0 and pu.size:
                extra.append((s_user[pu], start[pu] - rng.integers(30, 900, size=pu.size),
                              slot[pu], v.ev("notification_sent")))
        # first use of an extra device: sign in
        new_dev = (slot > 0) & s_start_ok & ~self.dev_seen[s_user, slot]
        nd = np.flatnonzero(new_dev)
        if nd.size:
            self.dev_seen[s_user[nd], slot[nd]] = True
            if v.ev("user_logged_in") >= 0:
                extra.append((s_user[nd], start[nd] + 2, slot[nd], v.ev("user_logged_in")))
        extra += self._flows(d, active, s1, first_day, slot[s_first])
        if extra:
            user = np.concatenate([user] + [x[0] for x in extra])
            t = np.concatenate([t] + [x[1] for x in extra])
            e_slot = np.concatenate([e_slot] + [x[2].astype(np.int8) for x in extra])
            code = np.concatenate([code] + [np.full(x[0].size, x[3], dtype=np.int32)
                                            for x in extra])
        keep = t < DAY
        return {"user": user[keep], "t": t[keep], "slot": e_slot[keep], "code": code[keep]}

    def _flows(self, d: int, active: np.ndarray, s1: np.ndarray, first_day: np.ndarray,
               first_slot: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, int]]:
        """Scheduled funnel events placed inside each user's first session of the day."""
        rng, v = self.rng, self.v
        out: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
        base = d * DAY

        def add(mask: np.ndarray, t: np.ndarray, name: str) -> None:
            if v.ev(name) >= 0 and mask.any():
                out.append((active[mask], t[mask], first_slot[mask], v.ev(name)))

        def jitter(lo: int, hi: int) -> np.ndarray:
            return rng.integers(lo, hi, size=active.size)

        # sign-up on the arrival session: anonymous until account_created
        signs = first_day & self.signer[active] & (v.ev("account_created") >= 0)
        t_signup = s1 + jitter(30, 240)
        self.signup_ts[active[signs]] = base + t_signup[signs]
        add(signs, t_signup, "account_created")
        onboard = signs & (rng.random(active.size) < 0.72)
        add(onboard, t_signup + jitter(45, 400), "onboarding_completed")
        add(signs & (rng.random(active.size) < 0.8), t_signup + jitter(420, 900), "song_played")
        pl_day = self.d_playlist[active] == d
        add(pl_day, np.where(first_day, t_signup + jitter(900, 1400), s1 + jitter(60, 900)),
            "playlist_created")
        # free to paid
        pw = self.d_paywall[active] == d
        t_pw = s1 + jitter(30, 500)
        add(pw, t_pw, "paywall_viewed")
        tr = self.d_trial[active] == d
        t_tr = np.where(pw, t_pw + jitter(20, 300), s1 + jitter(60, 300))
        add(tr, t_tr, "trial_started")
        self.trial_ts[active[tr]] = base + t_tr[tr]
        sb = self.d_sub[active] == d
        t_sb = np.where(pw, t_pw + jitter(330, 700), s1 + jitter(20, 200))
        add(sb, t_sb, "subscription_started")
        self.sub_ts[active[sb]] = base + t_sb[sb]
        cn = self.d_cancel[active] == d
        t_cn = s1 + jitter(60, 900)
        add(cn, t_cn, "subscription_cancelled")
        self.premium_end[active[cn]] = base + t_cn[cn] + 14 * DAY
        return out

    def _reengagement(self, d: int, active: np.ndarray, arrived: int) -> dict[str, np.ndarray]:
        """Server-sent pushes to signed-up users who are not active today (passive events)."""
        rng, v = self.rng, self.v
        code = v.ev("notification_sent")
        empty = {"user": np.array([], dtype=np.int64), "t": np.array([], dtype=np.int64),
                 "slot": np.array([], dtype=np.int8), "code": np.array([], dtype=np.int32)}
        if code < 0 or arrived == 0:
            return empty
        rate = 0.03 if self.weekday[d] in (1, 3, 5) else 0.004
        cand = np.flatnonzero((self.signup_ts[:arrived] < d * DAY) & (rng.random(arrived) < rate))
        cand = np.setdiff1d(cand, active, assume_unique=True)
        t = np.clip(61_200 + rng.normal(0, 5_400, size=cand.size), FIRST_START, LAST_START)
        return {"user": cand, "t": t.astype(np.int64),
                "slot": np.zeros(cand.size, dtype=np.int8),
                "code": np.full(cand.size, code, dtype=np.int32)}

    # -- per-row attributes --------------------------------------------------------------
    def _finish(self, d: int, c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        rng, v = self.rng, self.v
        user, slot = c["user"].astype(np.int64), c["slot"].astype(np.int64)
        n = user.size
        t_abs = d * DAY + c["t"].astype(np.int64)
        identified = (slot > 0) | (t_abs >= self.signup_ts[user])
        premium = ((t_abs >= self.trial_ts[user]) & (t_abs < self.trial_ts[user] + 7 * DAY)) | (
            (t_abs >= self.sub_ts[user]) & (t_abs < self.premium_end[user]))
        tier = np.where(identified, np.where(premium, 2, 1), 0).astype(np.int8)
        code = c["code"]
        body = np.flatnonzero(code == -2)
        for k in range(3):
            idx = body[tier[body] == k]
            code[idx] = rng.choice(len(v.events), size=idx.size, p=v.body_p[k])
        # app version per (user, platform, day): users lag behind releases
        plat = self.dev_plat[user, slot]
        released = np.array([day for _, day in VERSIONS])
        lag = np.where(plat == 2, 0.0, self.lag[user])
        ver = (np.searchsorted(released, d - lag, side="right") - 1).clip(0).astype(np.int8)
        old = ver >= v.old_only_until[code]
        if old.any() and v.ev("song_played") >= 0:
            code[old] = v.ev("song_played")
        ri = splitmix64(np.arange(self.seq, self.seq + n, dtype=np.int64), self.cfg.seed * 7 + 1)
        ri = (ri >> np.uint64(1)).astype(np.int64)
        cur = self.country_currency[self.country[user]]
        rev_usd = np.where(code == v.ev("subscription_started"),
                           np.array(list(PRICE_USD.values()))[self.plan[user]], SONG_PRICE_USD)
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
            "ctry": self.country[user],
            "tz": self.tz[user],
            "tier": tier,
            "shape": shape,
            "has_iid": rng.random(n) >= 0.03,
            "kind": np.zeros(n, dtype=np.int8),
            "var": rng.integers(0, 1 << 12, size=n).astype(np.int16),
            "ri": ri,
            "cur": cur,
            "pl": self.plan[user],
            "rev": rev,
            "dup": np.zeros(n, dtype=bool),
        }
        self.seq += n
        return self._corrupt(rows)

    # -- bad rows ------------------------------------------------------------------------
    def _corrupt(self, rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Turn a share of rows into the configured bad-row kinds (in place) and add resends."""
        rng, v, cfg = self.rng, self.v, self.cfg
        n = rows["seq"].size
        if n == 0 or cfg.bad_rate <= 0:
            return rows
        total_w = sum(cfg.bad_weights.values())
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
            share = cfg.bad_rate * cfg.bad_weights.get(name, 0.0) / total_w
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


def local_price(usd: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Convert a USD price to a plausible local list price (x.99, or whole units if cheap)."""
    local = usd / rate
    cheap_unit = rate < 0.05
    whole = np.round(local / np.where(local > 500, 10, 1)) * np.where(local > 500, 10, 1)
    ninety_nine = np.floor(local) + 0.99
    return np.where(cheap_unit, whole, ninety_nine)


# ----------------------------------------------------------------------------- SQL formatting
def sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(sql_str(x) for x in values) + "]"


def pick(values: Sequence[str], shift: int) -> str:
    """SQL expression choosing one of ``values`` from bits of the row's random number."""
    return f"{sql_list(values)}[((ri >> {shift}) % {len(values)}) + 1]"


def value_sql(key: str, kind: str, slot: int, is_revenue: bool, currencies: Sequence[str]) -> str:
    """SQL expression for a valid JSON value of a required property."""
    shift = 3 + slot * 11
    unit = f"(((ri >> {shift}) % 1000003) / 1000003.0)"
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
            value = value_sql(key, kind, j, event.is_revenue, vocab.currencies)
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


# ----------------------------------------------------------------------------- output
class Writer:
    """Format numeric rows with DuckDB and write CSV or per-received-day Parquet files.

    Days are buffered until ``chunk_rows`` rows so that one formatting query serves several
    small days; each day is then copied out of a temporary table, sorted by arrival.
    """

    def __init__(self, vocab: Vocabulary, cfg: Config, fmt: str, output: Path,
                 chunk_rows: int = 300_000) -> None:
        import duckdb  # local import: the pilot run does not need it

        self.vocab, self.cfg, self.fmt, self.output = vocab, cfg, fmt, output
        self.chunk_rows = chunk_rows
        self.compression = "snappy"
        self.con = duckdb.connect()
        self.con.execute("set preserve_insertion_order = true")
        self.con.execute("set memory_limit = '1GB'")
        self.con.execute("set allocator_flush_threshold = '64MB'")
        self.sql = select_sql(vocab, cfg)
        self.tmp = tempfile.TemporaryDirectory(prefix="generate_events_")
        self.pending: list[tuple[date, dict[str, np.ndarray]]] = []
        self.pending_rows = 0
        self.csv_handle = None
        if fmt == "csv":
            self.csv_handle = output.open("wb")
            self.csv_handle.write((",".join(OUTPUT_COLUMNS) + "\n").encode())
        else:
            output.mkdir(parents=True, exist_ok=True)

    def write(self, day: date, rows: dict[str, np.ndarray]) -> None:
        """Queue one received day's rows; format and write once enough rows are queued."""
        n = rows["seq"].size
        if n == 0:
            return
        if self.pending and self.pending_rows + n > self.chunk_rows:
            self.flush()
        self.pending.append((day, rows))
        self.pending_rows += n

    def _frame(self) -> object:
        import pandas as pd

        v, seed = self.vocab, self.cfg.seed
        rows = {k: np.concatenate([r[k] for _, r in self.pending]) for k in self.pending[0][1]}
        rday = np.concatenate([np.full(r["seq"].size, i, dtype=np.int16)
                               for i, (_, r) in enumerate(self.pending)])
        order = np.lexsort((rows["seq"], rows["r_ms"], rday))  # arrival order within each day
        rows = {k: val[order] for k, val in rows.items()}
        rday = rday[order]
        seq = rows["seq"]
        did = rows["did"].clip(0)
        frame = {
            "rday": rday, "seq": seq, "ev": rows["ev"], "uid": rows["uid"], "did": rows["did"],
            "t_ms": rows["t_ms"], "r_ms": rows["r_ms"], "tz": rows["tz"],
            "tier": rows["tier"], "shape": rows["shape"], "has_iid": rows["has_iid"],
            "kind": rows["kind"], "var": rows["var"], "ri": rows["ri"], "cur": rows["cur"],
            "pl": rows["pl"], "rev": rows["rev"],
            "h1": splitmix64(seq, SALTS["insert"] + seed),
            "h2": splitmix64(seq, SALTS["insert2"] + seed),
            "hu": splitmix64(rows["uid"].clip(0), SALTS["user"] + seed),
            "d1": splitmix64(did, SALTS["device"] + seed),
            "d2": splitmix64(did, SALTS["device2"] + seed),
            "nm": pd.Categorical.from_codes(rows["nm"], categories=v.names),
            "plat": pd.Categorical.from_codes(rows["plat"], categories=list(PLATFORMS)),
            "ver": pd.Categorical.from_codes(rows["ver"], categories=[x for x, _ in VERSIONS]),
            "ctry": pd.Categorical.from_codes(rows["ctry"], categories=[c[0] for c in COUNTRIES]),
        }
        return pd.DataFrame(frame)

    def flush(self) -> None:
        """Format the queued days in one query and write each day out, sorted by arrival."""
        if not self.pending:
            return
        batch = self._frame()  # noqa: F841  (scanned by DuckDB by name)
        self.con.register("batch", batch)
        columns = ", ".join(OUTPUT_COLUMNS)
        # rows are already sorted by arrival, and DuckDB keeps insertion order
        if self.fmt == "csv":
            part = Path(self.tmp.name) / "part.csv"
            self.con.execute(f"copy (select {columns} from ({self.sql})) "
                             f"to '{part}' (format csv, header false)")
            assert self.csv_handle is not None
            with part.open("rb") as handle:
                while chunk := handle.read(1 << 22):
                    self.csv_handle.write(chunk)
        elif len(self.pending) == 1:  # one (large) day: stream it straight to its file
            path = self.output / f"events_{self.pending[0][0].isoformat()}.parquet"
            self.con.execute(f"copy (select {columns} from ({self.sql})) "
                             f"to '{path}' (format parquet, compression {self.compression})")
        else:  # several small days: format once, then split by day
            self.con.execute(f"create or replace temp table formatted as {self.sql}")
            for i, (day, _) in enumerate(self.pending):
                path = self.output / f"events_{day.isoformat()}.parquet"
                self.con.execute(
                    f"copy (select {columns} from formatted where rday = {i}) "
                    f"to '{path}' (format parquet, compression {self.compression})")
            self.con.execute("drop table formatted")
        self.con.unregister("batch")
        del batch
        self.pending, self.pending_rows = [], 0

    def close(self) -> None:
        """Write what is still queued and release resources."""
        try:
            self.flush()
        finally:
            if self.csv_handle is not None:
                self.csv_handle.close()
            self.con.close()
            self.tmp.cleanup()


# ----------------------------------------------------------------------------- driver
def received_batches(sim: Simulation, cfg: Config,
                     on_day: Callable[[int], None] | None = None
                     ) -> Iterator[tuple[date, dict[str, np.ndarray]]]:
    """Yield rows grouped by UTC received day, in day order, carrying late arrivals over."""
    carry: dict[str, np.ndarray] | None = None
    start_ms = datetime(cfg.start.year, cfg.start.month, cfg.start.day,
                        tzinfo=timezone.utc).timestamp() * 1000
    for d in range(cfg.days):
        rows = sim.day(d)
        rows["t_ms"] = rows["t_ms"] + int(start_ms)
        rows["r_ms"] = rows["r_ms"] + int(start_ms)
        if carry is not None:
            rows = {k: np.concatenate([carry[k], rows[k]]) for k in rows}
        r_day = (rows["r_ms"] - int(start_ms)) // (DAY * 1000)
        now = r_day <= d
        yield cfg.start + timedelta(days=d), {k: val[now] for k, val in rows.items()}
        carry = {k: val[~now] for k, val in rows.items()}
        if on_day is not None:
            on_day(d)
    if carry is not None and carry["seq"].size:
        r_day = (carry["r_ms"] - int(start_ms)) // (DAY * 1000)
        for day_ in np.unique(r_day):
            sel = r_day == day_
            yield cfg.start + timedelta(days=int(day_)), {k: v[sel] for k, v in carry.items()}


class Progress:
    """A minimal stderr progress bar."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total, self.quiet, self.rows, self.t0 = total, quiet, 0, time.monotonic()
        self.last = -1.0
        self.interval = 0.25 if sys.stderr.isatty() else 10.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if self.quiet or (done < self.total and now - self.last < self.interval):
            return
        self.last = now
        width = 30
        fill = int(width * done / max(self.total, 1))
        rate = self.rows / max(time.monotonic() - self.t0, 1e-9)
        end = "" if sys.stderr.isatty() else "\n"
        sys.stderr.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{self.total} days "
                         f"{self.rows:,} rows {rate:,.0f} rows/s{end}")
        sys.stderr.flush()

    def done(self) -> None:
        if not self.quiet and sys.stderr.isatty():
            sys.stderr.write("\n")


def pilot_rows_per_user(cfg: Config, ref: Reference, vocab: Vocabulary) -> float:
    """Rows per registered user for these options, measured on a small simulation."""
    sample = 3_000
    pilot = Config(cfg.seed, sample, cfg.days, cfg.start, cfg.bad_rate, cfg.bad_weights)
    sim = Simulation(pilot, vocab, ref)
    rows = sum(sim.day(d)["seq"].size for d in range(cfg.days))
    return rows / sample


def parse_weights(text: str) -> dict[str, float]:
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


def build_parser() -> argparse.ArgumentParser:
    kinds = ", ".join(f"{n}={w:g}{' (clean)' if c else ''}" for n, w, c in BAD_KINDS)
    parser = argparse.ArgumentParser(
        description="Generate deterministic synthetic raw events for Tempo (music streaming). "
                    "Event names, required properties, aliases, currencies and funnel windows "
                    "come from the reference seeds.",
        epilog=f"Bad-row kinds and default weights: {kinds}.",
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--users", type=int, default=1500,
                        help="registered users (anonymous-only visitors come on top; "
                             "default 1500)")
    parser.add_argument("--days", type=int, default=75, help="days to simulate (default 75)")
    parser.add_argument("--start-date", default="2026-08-01",
                        help="first UTC day, YYYY-MM-DD (default 2026-08-01)")
    parser.add_argument("--events", type=int, default=None,
                        help="target total rows; scales --users to reach roughly that many")
    parser.add_argument("--output", required=True,
                        help="a .csv file, or a directory for one Parquet file per UTC "
                             "received day (events_YYYY-MM-DD.parquet)")
    parser.add_argument("--format", choices=("csv", "parquet"), default=None,
                        help="output format (default: csv for a .csv path, else parquet)")
    parser.add_argument("--seeds-dir", default="seeds",
                        help="directory holding tracking_plan.csv, event_aliases.csv, "
                             "currency_rates.csv, funnel_steps.csv (default seeds/)")
    parser.add_argument("--bad-rate", type=float, default=0.06,
                        help="overall share of bad rows (default 0.06)")
    parser.add_argument("--bad-weights", default="",
                        help="comma-separated kind=weight overrides that split --bad-rate, "
                             "e.g. duplicate_event=3,pii=0")
    parser.add_argument("--quiet", action="store_true", help="no progress or summary")
    return parser


def make_config(args: argparse.Namespace) -> Config:
    try:
        start = date.fromisoformat(args.start_date)
    except ValueError as exc:
        raise InputError(f"--start-date must be YYYY-MM-DD, got {args.start_date!r}") from exc
    if args.seed < 0:
        raise InputError("--seed must be a non-negative integer")
    if args.users < 1:
        raise InputError("--users must be at least 1")
    if not 1 <= args.days <= 3650:
        raise InputError("--days must be between 1 and 3650")
    if args.events is not None and args.events < 1:
        raise InputError("--events must be at least 1")
    if not 0.0 <= args.bad_rate <= 0.5:
        raise InputError("--bad-rate must be between 0 and 0.5")
    weights = parse_weights(args.bad_weights)
    if args.bad_rate > 0 and sum(weights.values()) <= 0:
        raise InputError("--bad-weights: at least one weight must be positive")
    return Config(args.seed, args.users, args.days, start, args.bad_rate, weights)


def resolve_output(args: argparse.Namespace) -> tuple[str, Path]:
    output = Path(args.output)
    fmt = args.format or ("csv" if output.suffix.lower() == ".csv" else "parquet")
    if fmt == "csv":
        if output.is_dir():
            raise InputError(f"--output {output} is a directory; give a .csv file for CSV")
        if not output.parent.exists():
            raise InputError(f"--output directory does not exist: {output.parent}")
    elif output.exists() and not output.is_dir():
        raise InputError(f"--output {output} must be a directory for Parquet output")
    return fmt, output


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        cfg = make_config(args)
        fmt, output = resolve_output(args)
        ref = load_reference(Path(args.seeds_dir))
    except InputError as exc:
        print(f"generate_events: error: {exc}", file=sys.stderr)
        return 2
    vocab = Vocabulary.build(ref)
    if args.events is not None:
        per_user = pilot_rows_per_user(cfg, ref, vocab)
        users = max(1, int(round(args.events / max(per_user, 1e-9))))
        cfg = Config(cfg.seed, users, cfg.days, cfg.start, cfg.bad_rate, cfg.bad_weights)
        if not args.quiet:
            print(f"--events {args.events:,}: {per_user:.1f} rows per user -> {users:,} users",
                  file=sys.stderr)
    sim = Simulation(cfg, vocab, ref)
    writer = Writer(vocab, cfg, fmt, output)
    progress = Progress(cfg.days, args.quiet)
    stats = np.zeros(len(BAD_KINDS) + 1, dtype=np.int64)
    started = time.monotonic()
    try:
        for day, rows in received_batches(sim, cfg, progress.update):
            writer.write(day, rows)
            progress.rows += rows["seq"].size
            kinds = np.where(rows["dup"], KIND["duplicate_event"], rows["kind"])
            stats += np.bincount(kinds, minlength=stats.size)
        progress.update(cfg.days)
    finally:
        writer.close()
        progress.done()
    if not args.quiet:
        elapsed = time.monotonic() - started
        total = int(stats.sum())
        print(f"{total:,} rows, {cfg.users:,} registered users, {cfg.days} days, "
              f"{elapsed:.1f}s ({total / max(elapsed, 1e-9):,.0f} rows/s) -> {output}",
              file=sys.stderr)
        for i, (name, _, clean) in enumerate(BAD_KINDS, start=1):
            print(f"  {name:<24}{stats[i]:>12,}{'  (clean)' if clean else ''}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
