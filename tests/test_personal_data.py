"""Personal data and credentials (issue 7, item 5).

1. The e-mail addresses, phone numbers and IP addresses present in the raw properties (found
   here with Python regexes, in the raw text and in the decoded JSON strings) must not appear in
   any text column of any model past staging (every schema but staging and raw), neither as
   stored nor once the JSON is decoded. The same scan must find them in staging (it works).
   The raw files are the hostile crafted file and the 100,000-row half-bad file of
   test_hostile_inputs.py (built once per session).
2. No credentials in the repository; profiles read every secret from environment variables.
"""

from __future__ import annotations

import csv
import ipaddress
import json
import re
import subprocess
from pathlib import Path
from typing import Any, Iterable

import pytest
import yaml

from dbt_helpers import PROJECT_DIR
from reliability_helpers import connect, distinct_texts, relations, text_columns
from test_hostile_inputs import big_build, crafted_build  # noqa: F401  (session fixtures)

# Bounded repetitions: a 100 KB value must not make a regex quadratic.
# Unicode letters count: "josé@example.com" is an address too.
EMAIL = re.compile(r"[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[^\W\d_]{2,24}")
IPV4 = re.compile(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9.])")
IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])")
PHONE = re.compile(r"\+[0-9][0-9 ().-]{6,20}[0-9]|\([0-9]{3}\) ?[0-9]{3}-[0-9]{4}")
PHONE_KEYS = re.compile(r"phone|mobile|tel", re.IGNORECASE)
SKIPPED_SCHEMAS = ("staging", "raw")


def _strings(value: Any) -> Iterable[tuple[str | None, str]]:
    """(key, text) of every string inside a decoded JSON value, keys included."""
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield None, str(key)
            for _, text in _strings(item):
                yield str(key), text
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _decoded(text: str) -> list[tuple[str | None, str]]:
    """The text itself and, when it is JSON, every string inside it, decoded."""
    found: list[tuple[str | None, str]] = [(None, text)]
    stripped = text.strip()
    if stripped[:1] in ("{", "[", '"'):
        try:
            found += list(_strings(json.loads(stripped)))
        except ValueError:
            pass
    return found


def personal_values(texts: Iterable[str]) -> set[str]:
    """E-mails, phone numbers and IP addresses in the texts (and in any JSON inside them)."""
    values: set[str] = set()
    for text in texts:
        for key, piece in _decoded(text):
            values.update(EMAIL.findall(piece))
            values.update(PHONE.findall(piece))
            if key is not None and PHONE_KEYS.search(key) and sum(c.isdigit() for c in piece) >= 7:
                values.add(piece)
            for candidate in IPV4.findall(piece) + IPV6.findall(piece):
                try:
                    ipaddress.ip_address(candidate)
                except ValueError:
                    continue
                values.add(candidate)
    return values


def raw_properties(raw_path: Path) -> list[str]:
    with open(raw_path, newline="", encoding="utf-8-sig") as handle:
        return [row["properties"] for row in csv.DictReader(handle) if row.get("properties")]


def leaks(db_path: Path, secrets: set[str], schemas_wanted: Iterable[str] | None = None) -> dict[str, set[str]]:
    """column -> the given personal values found in it (stored text or decoded JSON)."""
    con = connect(db_path)
    try:
        schemas = sorted({schema for schema, _ in relations(con)} - set(SKIPPED_SCHEMAS)) \
            if schemas_wanted is None else list(schemas_wanted)
        found: dict[str, set[str]] = {}
        for schema, relation, column in text_columns(con, schemas):
            texts = distinct_texts(con, schema, relation, column)
            hits = personal_values(texts) & secrets
            if len(secrets) < 200:  # small inputs: also a plain substring search
                blob = "\n".join(piece for text in texts for _, piece in _decoded(text))
                hits |= {secret for secret in secrets if secret in blob}
            if hits:
                found[f"{schema}.{relation}.{column}"] = hits
        return found
    finally:
        con.close()


def test_scanner_finds_what_it_looks_for() -> None:
    sample = json.dumps({"a": "write to x.y@mail.example.com", "phone": "555 0100 999", "d": "josé@exämple.com",
                         "b": "+1-555-0123 or 10.1.2.3 or fe80::1", "c": "2026-08-19 10:00:00 v5.1.0"})
    assert personal_values([sample]) == {
        "x.y@mail.example.com", "555 0100 999", "+1-555-0123", "10.1.2.3", "fe80::1", "josé@exämple.com"}


@pytest.mark.parametrize("which", ["crafted", "big"])
def test_no_personal_data_past_staging(which: str, request: pytest.FixtureRequest) -> None:
    built = request.getfixturevalue(f"{which}_build")
    assert built["result"].returncode == 0, built["result"].stdout[-3000:]
    secrets = personal_values(raw_properties(built["raw_path"]))
    assert len(secrets) >= (8 if which == "crafted" else 100), sorted(secrets)[:20]
    # The scan works: staging still holds the raw rows, personal data included.
    in_staging = leaks(built["db_path"], secrets, ["staging"])
    assert in_staging, "the scan found no personal data even in staging"
    found = leaks(built["db_path"], secrets)
    total = sum(len(values) for values in found.values())
    print(f"\n{which}: {len(secrets)} personal values in raw properties, {total} found past staging")
    assert found == {}, f"personal data past staging: { {k: sorted(v)[:5] for k, v in found.items()} }"


# ------------------------------------------------------------------------------------------
# Credentials
# ------------------------------------------------------------------------------------------

SECRET_PATTERNS = {
    "assignment": re.compile(
        r"(?i)\b(pass(?:word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"
        r"client[_-]?secret|auth)\b[\"']?\s*[:=]\s*[\"']?(?!\s*[\"']?\{\{\s*env_var)([^\s\"'#,}]{4,})"
    ),
    "aws access id": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "PEM block": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "github pat": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    "slack xox": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "sk- style": re.compile(r"\bsk-[A-Za-z0-9]{20,}"),
    "url with login": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@\"']+:[^/\s:@\"']+@"),
}
# Values that only name where a secret would come from.
PLACEHOLDER = re.compile(r"(?i)^(env_var|\$\{|<|none|null|true|false|required|optional|str|string|\*+$)")


def secrets_in(text: str) -> list[str]:
    problems = []
    for name, pattern in SECRET_PATTERNS.items():
        for match in pattern.finditer(text):
            value = match.group(match.lastindex or 0)
            if name == "assignment" and PLACEHOLDER.match(value):
                continue
            problems.append(f"{name}: {match.group(0)[:60]}")
    return problems


def repository_files() -> list[Path]:
    result = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_DIR, capture_output=True, text=True,
    )
    if result.returncode == 0:
        return [PROJECT_DIR / name for name in result.stdout.split("\0") if name]
    ignored = {".venv", ".git", "target", "logs", "dbt_packages", "__pycache__", ".pytest_cache"}
    return [path for path in PROJECT_DIR.rglob("*")
            if path.is_file() and not ignored & set(path.relative_to(PROJECT_DIR).parts)]


def test_secret_scan_catches_planted_credentials() -> None:
    planted = "\n".join([
        "pass" + "word: hunter22",
        'api_key = "' + "abcd" * 5 + '"',
        "url: postgres://admin:" + "s3cret@db.example.com/x",
        "AKIA" + "ABCDEFGHIJKLMNOP",
    ])
    assert len(secrets_in(planted)) == 4
    assert secrets_in("password: \"{{ env_var('DBT_PASSWORD') }}\"\ntoken: ${TOKEN}") == []


def test_no_credentials_in_the_repository() -> None:
    problems = []
    files = repository_files()
    assert len(files) > 20
    for path in files:
        if not path.is_file() or path.stat().st_size > 20_000_000:
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary (images)
        for problem in secrets_in(data.decode("utf-8", errors="replace")):
            problems.append(f"{path.relative_to(PROJECT_DIR)}: {problem}")
    assert problems == []


def _leaves(value: Any, path: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def test_profiles_read_secrets_from_environment_variables() -> None:
    profiles_dir = PROJECT_DIR / "profiles"
    files = sorted(profiles_dir.glob("*.yml")) + sorted(profiles_dir.glob("*.yaml"))
    assert files, "no profiles"
    sensitive = re.compile(r"(?i)pass|secret|token|key|user|auth|credential|motherduck")
    for path in files:
        text = path.read_text()
        for key, value in _leaves(yaml.safe_load(text)):
            leaf = key.rsplit(".", 1)[-1]
            # A flag is no secret (Spark's `allowDuplicateKeys: "true"` names a key, not a credential).
            if sensitive.search(leaf) and value not in (None, "", True, False, "true", "false"):
                assert "env_var(" in str(value), f"{path.name}: {key} is not read from an env_var"
            if isinstance(value, str) and "://" in value:
                assert not SECRET_PATTERNS["url with login"].search(value), f"{path.name}: {key}"
        assert "env_var(" in text
