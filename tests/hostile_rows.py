"""The hostile raw rows: the worst an SDK or a collector can send, one row per case.

Used by tests/test_hostile_inputs.py (DuckDB, verdicts checked against tests/oracle.py) and by
`make spark-test`, which builds them on both engines and compares the results:

    python tests/hostile_rows.py --csv target/hostile_rows.csv
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reliability_helpers import write_raw_csv

RECEIVED_AT = "2026-08-20T12:00:00Z"
HUNDRED_KB = 100_000


def _epoch_ms(text: str) -> str:
    return str(int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000))


def event(name: str, properties: Any = None, **fields: str) -> dict[str, str]:
    row = {
        "insert_id": "",
        "event_name": name,
        "user_id": "hostile_user",
        "device_id": "hostile_device",
        "event_time": "2026-08-19T10:00:00Z",
        "received_at": RECEIVED_AT,
        "platform": "ios",
        "app_version": "5.1.0",
        "country": "SE",
        "properties": properties if isinstance(properties, str) else json.dumps(properties or {}),
    }
    row.update(fields)
    return row


SQL_TEXT = "'; drop table metrics.metrics_active_users_daily; --"
JINJA_TEXT = "{{ exceptions.raise_compiler_error('rendered') }}{% do run_query('drop schema metrics') %}"
SONG = {"song_id": "s1", "source": "library"}
PLAN = {"plan": "premium", "revenue": 9.99, "currency": "EUR"}


PII_ROWS = [
    event("song_played", {"song_id": "s1", "source": "mail jane.doe+tag@example.co.uk now",
                           "email": "dropped@example.com", "Phone Number": "+44 20 7946 0958",
                           "ip": "203.0.113.7"}, user_id="pii_1"),
    event("song_played", {"song_id": "call +1 (555) 010-9999", "source": "from 198.51.100.23"}, user_id="pii_2"),
    event("song_played", {"song_id": "s", "source": "x", "contact": {"email": "nested@example.org",
                           "ips": ["192.0.2.44", "2001:db8::8a2e:370:7334"]}}, user_id="pii_3"),
    event("song_played", {"song_id": "s", "source": "ipv6 2001:db8:85a3::8a2e:370:7334"}, user_id="pii_4"),
    # Python's json.dumps escapes non-ASCII: the raw text holds "jos\\u00e9@example.com".
    event("song_played", {"song_id": "s", "source": "josé@example.com"}, user_id="pii_5"),
    event("song_played", '{"song_id": "s", "source": "escaped jane\\u0040example.com"}', user_id="pii_6"),
    event("app_opened", {"note": "reach me at +33 1 23 45 67 89 or 10.0.0.254"}, user_id="pii_7"),
]


def hostile_rows() -> list[dict[str, str]]:
    """One row per hostile case (the oracle in tests/oracle.py gives each row's verdict)."""
    nested: Any = "deep"
    for _ in range(300):
        nested = [nested]
    rows = [
        # Reference rows: a normal day of activity, so that every metric has something to report.
        event("app_opened", user_id="anchor", event_time="2026-08-18T09:00:00Z"),
        event("song_played", SONG, user_id="anchor", event_time="2026-08-20T09:00:00Z"),
        # Unicode: emoji, right-to-left, combining marks, invisible and look-alike characters.
        event("song_played", {"song_id": "🎵🎶", "source": "مكتبة"}, user_id="用户🎵", device_id="جهاز-١"),
        event("🎵 song played"),
        event("تشغيل_الأغنية"),
        event("song\u0301_played"),
        event("\u202eapp_opened"),
        event("app_opened\u200b"),
        event("ＡＰＰ_ＯＰＥＮＥＤ"),
        event("app\u00a0opened"),
        event("SONG_LI\u212aED", {"song_id": "s1"}),  # KELVIN SIGN, not the letter K
        event("app_opened", user_id="zo\u00eb"),
        event("app_opened", user_id="zoe\u0308"),
        event("song_played", {"Song\u0301Id": "s", "source": "x", "song_id": "s2"}, user_id="\u05d0\u05d1"),
        # Quotes, backslashes, newlines and SQL- or Jinja-looking text in every column.
        event(f"song_played{SQL_TEXT}"),
        event('"app_opened"'),
        event("app_opened\\"),
        event("app\nopened", user_id="newline\nuser"),
        event("  App Opened\t", user_id="Robert'); DROP TABLE students;--"),
        event("app_opened", user_id=SQL_TEXT, device_id='\\"\\\'\\\\'),
        event("app_opened", insert_id="' or '1'='1", received_at="2026-08-20T11:00:00Z"),
        event("app_opened", insert_id="' or '1'='1"),  # duplicate of the row above
        event("app_opened", insert_id="id\nwith\r\nnewlines\t\"quotes\""),
        event("song_played", {"song_id": SQL_TEXT, "source": '\\"; select 1; --'}, user_id="sql_props"),
        # Keys with a double quote or a backslash are read literally (the JSON path escapes them).
        event("song_played", {'song"id': "q", "song_id": "s3", "source": "x"}, user_id="quote_key"),
        event("song_played", {"back\\slash": "b", "song_id": "s4", "source": "x"}, user_id="backslash_key"),
        event("song_played", {"Song\"Id": "q", "source": "x"}, user_id="quote_key_renamed"),
        event("song_played", {"song_id": JINJA_TEXT, "source": "$$ $tag$ %s %(x)s ?"}, user_id=JINJA_TEXT),
        event("app_opened", country="SE'); --", platform="ios\\", app_version="5.1.0\n--"),
        event(JINJA_TEXT),
        event("app_opened", user_id="nul\x00byte"),
        # Placeholder ids (contract v2): missing, so never a person; never anybody's duplicate.
        event("app_opened", user_id="undefined", device_id="device_after_placeholder"),
        event("app_opened", user_id="NULL", device_id="None"),
        event("app_opened", user_id="\x00", device_id=" (null) "),
        event("app_opened", user_id=" nil\x07", device_id="NaN"),
        event("app_opened", insert_id="undefined", user_id="placeholder_insert"),
        event("app_opened", insert_id="undefined", user_id="placeholder_insert"),
        # Implausible times (contract v2): epoch seconds read as milliseconds land in 1970.
        event("app_opened", user_id="epoch_seconds", event_time="1700000000"),
        event("app_opened", user_id="year_9999", event_time="9999-01-01T00:00:00Z"),
        event("app_opened", user_id="before_1990", event_time="1989-12-31T23:59:59Z"),
        event("app_opened", user_id="received_2100", received_at="2100-01-01T00:00:01Z"),
        event("app_opened", {"note": "nul \u0000 escaped"}, user_id="escaped_nul"),
        # 100 KB values.
        event("song_played", {"song_id": "x" * HUNDRED_KB, "source": "library"}, user_id="big_props"),
        event("app_opened", {"k" * 1000: "v" * HUNDRED_KB, "nested": nested}),
        event("a" * HUNDRED_KB),
        event("app_opened", user_id="u" * HUNDRED_KB),
        # Numbers as strings and strings as numbers.
        event("onboarding_completed", {"genres_selected": "3"}),
        event("onboarding_completed", {"genres_selected": 3.0}),
        event("onboarding_completed", '{"genres_selected": 3e0}'),
        event("onboarding_completed", '{"genres_selected": -0}'),
        event("onboarding_completed", '{"genres_selected": 12345678901234567890123}'),
        event("subscription_started", {**PLAN, "revenue": "9.99"}),
        event("subscription_started", {**PLAN, "currency": 978}),
        event("subscription_started", '{"plan": "premium", "revenue": NaN, "currency": "USD"}'),
        event("subscription_started", '{"plan": "premium", "revenue": Infinity, "currency": "USD"}'),
        event("subscription_started", {**PLAN, "currency": " eur "}, user_id="payer"),
        event("settings_changed", {"setting_name": "x", "is_enabled": "true"}),
        event("settings_changed", {"setting_name": "x", "is_enabled": 1}),
        event("search_performed", {"results_count": "12"}),
        event("song_played", {"song_id": 12345, "source": "x"}),
        # Long numbers inside a nested value look like phone numbers: masking them must not break it.
        event("song_played", {"song_id": "s5", "source": "x", "meta": {"ts": 1700000000000, "ids": [12345678]}},
               user_id="nested_long_numbers"),
        event("app_opened", event_time="1.7e12"),
        event("app_opened", event_time=_epoch_ms("2026-08-19T12:00:00Z"), user_id="epoch"),
        event("app_opened", event_time=f"  {_epoch_ms('2026-08-19T12:00:00Z')}\n", user_id="epoch_spaces"),
        event("app_opened", event_time="+" + _epoch_ms("2026-08-19T12:00:00Z")),
        event("app_opened", event_time="0x1A"),
        event("app_opened", event_time="9999999999999999"),
        event("app_opened", event_time="NaN"),
        event("app_opened", event_time="2026-02-30T00:00:00Z"),
        event("app_opened", event_time="2026-08-19T10:00:00+14:00", received_at="2026-08-19T00:00:00-12:00"),
        event("app_opened", event_time="0", user_id="clock_reset"),  # a device clock at the epoch
        event("app_opened", event_time="2026-08-19T10:00:00+19:00"),  # beyond any time zone's offset
        event("app_opened", event_time="2026-08-19T10:00:00-18:00", user_id="far_west"),
        event("app_opened", user_id="null"),
        event("app_opened", user_id="undefined", device_id="None"),
        event("app_opened", user_id=" \t ", device_id="\n"),
        event("app_opened", "null"),
        event("app_opened", "[]"),
        event("app_opened", '"{}"'),
        event("app_opened", " {} "),
        event("app_opened", '{"a": 1,}'),
        event("song_played", '{"song_id": "s", "source": "x", "n": Infinity}'),
        event("song_played", '{"song_id": "s", "source": "x"} trailing'),
        event("song_played", '{"song_id": "a", "song_id": "b", "source": "x"}'),
        event("song_played", '{"Song ID": "a", "source": "x"}'),
        event("song_played", "{'song_id': 's', 'source': 'x'}"),
        # Personal data where a careless SDK puts it (test_personal_data.py hunts for it).
        *PII_ROWS,
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, required=True, help="where to write the rows (RFC 4180 CSV)")
    args = parser.parse_args()
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    rows = hostile_rows()
    write_raw_csv(args.csv, rows)
    print(f"hostile_rows: {len(rows)} rows written to {args.csv}")


if __name__ == "__main__":
    main()
