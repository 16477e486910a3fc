"""Tempo's world: the fixed tables behind the simulated behaviour (countries, platforms, app
releases, hours of the day, event mix per tier, property value pools, hash salts)."""

from __future__ import annotations

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
