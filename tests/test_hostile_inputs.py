"""Hostile raw files (issue 7, item 1): the worst an SDK or a collector can send.

Every raw file is built with `raw_events_path` into its own temporary DuckDB file. Each run
either completes or fails with a message that names the problem; when it completes, every raw
row (counted here with Python's csv module, not by DuckDB) is either a clean event or a
quarantined row: rows lost = 0. Values are data, never SQL: hostile text comes out unchanged.

Builds are shared per session (`crafted_build`, `big_build`; test_personal_data.py scans them).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import oracle
from dbt_helpers import PROJECT_DIR, SEEDS_DIR
from hostile_rows import HUNDRED_KB, JINJA_TEXT, SQL_TEXT, event, hostile_rows
from reliability_helpers import (
    RAW_COLUMNS,
    REASONS,
    build,
    connect,
    copy_project,
    count,
    count_csv_rows,
    find_relation,
    output,
    write_raw_csv,
)

GENERATOR = [sys.executable, "-m", "metrics_tools", "generate"]
BIG_ROWS = 100_000

# Figures for the closing note (printed by test_zz_figures at the end of the module).
FIGURES: dict[str, int] = {"hostile_files": 0, "rows_tried": 0, "rows_lost": 0}


def _shuffled_columns_with_extras() -> list[str]:
    # Extra columns, including names a loader might use itself; the ten in another order.
    return ["properties", "filename", *reversed(RAW_COLUMNS[:-1]), "source_file", "raw_row_number", "Extra ☃"]


_BUILDS: dict[str, dict[str, Any]] = {}


def _build_once(key: str, tmp_path_factory: pytest.TempPathFactory, make_raw) -> dict[str, Any]:
    """Build each hostile file once per session, whichever module asks first."""
    if key not in _BUILDS:
        work = tmp_path_factory.mktemp(key)
        raw_path = make_raw(work)
        db_path = work / f"{key}.duckdb"
        result = build(db_path, raw_path, check=False)
        _BUILDS[key] = {"raw_path": raw_path, "db_path": db_path, "result": result,
                        "raw_rows": count_csv_rows(raw_path)}
    return _BUILDS[key]


def _crafted_raw(work: Path) -> Path:
    # A directory and a file name that would break a naively quoted path.
    folder = work / "it's a \"dir\""
    folder.mkdir()
    rows = hostile_rows()
    for number, row in enumerate(rows, start=1):
        row.setdefault("filename", f"extra {number}")
        row["source_file"] = "not the loader's"
        row["raw_row_number"] = str(-number)
        row["Extra ☃"] = "ignored ☃"
    return write_raw_csv(folder / "raw; drop table x.csv", rows, _shuffled_columns_with_extras(),
                         bom=True, line_terminator="\r\n")


def _big_raw(work: Path) -> Path:
    """100,000 rows, half of them bad: every quarantine kind of the contract, plus personal data."""
    generated = work / "generated.csv"
    subprocess.run(
        [*GENERATOR, "--seed", "7", "--events", "112000", "--bad-rate", "0.5",
         "--bad-weights", "name_variant=0,legacy_alias=0,mixed_case_keys=0,pii=0.5",
         "--output", str(generated), "--quiet"],
        check=True,
    )
    raw_path = work / "big.csv"
    with open(generated, newline="", encoding="utf-8") as source, \
            open(raw_path, "w", newline="", encoding="utf-8") as target:
        reader, writer = csv.reader(source), csv.writer(target)
        writer.writerow(next(reader))
        written = 0
        for row in reader:
            if written == BIG_ROWS:
                break
            writer.writerow(row)
            written += 1
    assert written == BIG_ROWS, f"the generator gave only {written} rows"
    return raw_path


@pytest.fixture(scope="session")
def crafted_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _build_once("crafted", tmp_path_factory, _crafted_raw)


@pytest.fixture(scope="session")
def big_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _build_once("big", tmp_path_factory, _big_raw)


def _assert_no_row_lost(built: dict[str, Any]) -> dict[str, int]:
    con = connect(built["db_path"])
    try:
        clean = count(con, "stg_events")
        quarantined = count(con, "stg_events_quarantine")
        # Staged raw rows: the readable rows plus the lines that could not be read.
        staged = count(con, "stg_raw_events") + count(con, "stg_raw_events_malformed")
        reported = con.execute(
            f"select coalesce(sum(rows), 0) from {find_relation(con, 'metrics_data_quality_daily')}"
        ).fetchone()[0]
        reasons = dict(con.execute(
            f"select reason, count(*) from {find_relation(con, 'stg_events_quarantine')} group by 1"
        ).fetchall())
    finally:
        con.close()
    raw = built["raw_rows"]
    FIGURES["hostile_files"] += 1
    FIGURES["rows_tried"] += raw
    FIGURES["rows_lost"] += abs(raw - (clean + quarantined))
    assert staged == raw, f"stg_raw_events and stg_raw_events_malformed have {staged} rows, the file {raw}"
    assert clean + quarantined == raw, f"raw {raw} != clean {clean} + quarantined {quarantined}"
    assert reported == raw, f"metrics_data_quality_daily reports {reported} rows of {raw}"
    return {"clean": clean, "quarantined": quarantined, **reasons}


# ------------------------------------------------------------------------------------------
# Files that cannot be loaded: a clear failure
# ------------------------------------------------------------------------------------------


def test_empty_file_fails_with_a_clear_message(tmp_path: Path) -> None:
    raw_path = tmp_path / "empty.csv"
    raw_path.write_bytes(b"")
    result = build(tmp_path / "empty.duckdb", raw_path, check=False)
    FIGURES["hostile_files"] += 1
    text = output(result)
    assert result.returncode != 0
    assert "stg_raw_events" in text and str(raw_path) in text
    assert "missing required column" in text, text[-3000:]
    assert "Traceback" not in result.stdout


def test_header_only_file_builds_empty_models(tmp_path: Path) -> None:
    raw_path = write_raw_csv(tmp_path / "header_only.csv", [])
    built = {"raw_path": raw_path, "db_path": tmp_path / "header.duckdb", "raw_rows": 0}
    result = build(built["db_path"], raw_path, check=False)
    assert result.returncode == 0, output(result)[-4000:]
    assert _assert_no_row_lost(built) == {"clean": 0, "quarantined": 0}
    con = connect(built["db_path"])
    try:
        for model in oracle.PUBLIC_MODELS:
            assert count(con, model) == 0, f"{model} has rows without any raw row"
    finally:
        con.close()


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    columns = [column for column in RAW_COLUMNS if column not in ("received_at", "properties")]
    raw_path = write_raw_csv(tmp_path / "missing.csv", [event("app_opened")], columns)
    result = build(tmp_path / "missing.duckdb", raw_path, check=False)
    FIGURES["hostile_files"] += 1
    text = output(result)
    assert result.returncode != 0
    assert "missing required column(s): received_at, properties" in text, text[-3000:]
    assert str(raw_path) in text


def test_a_glob_that_matches_no_file_names_the_var_and_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "*.parquet"
    result = build(tmp_path / "nowhere.duckdb", missing, check=False)
    text = output(result)
    assert result.returncode != 0
    assert f"var raw_events_path = '{missing}' matches no file" in text, text[-3000:]


def test_malformed_csv_lines_are_quarantined_and_the_rest_loads(tmp_path: Path) -> None:
    """Contract v2, "Malformed rows": too many or too few fields, bytes that are not UTF-8, a
    line over the reader's 2,000,000-byte limit and an unclosed quote each become one
    `malformed_row` quarantine row with its file, line number and text; every other line loads."""
    good = [event("app_opened", user_id=f"malformed_neighbour_{n}", insert_id=f"m{n}") for n in range(4)]
    raw_path = write_raw_csv(tmp_path / "malformed.csv", good[:2])
    header, *lines = raw_path.read_bytes().splitlines(keepends=True)
    extra_field = lines[0].rstrip(b"\n") + b",one too many\n"
    too_few = b"m9,app_opened,someone\n"
    not_utf8 = lines[1].replace(b"malformed_neighbour_1", b"caf\xe9_latin1")
    oversized = lines[1].replace(b"malformed_neighbour_1", b"x" * 2_100_000)
    later = write_raw_csv(tmp_path / "later.csv", good[2:]).read_bytes().splitlines(keepends=True)[1:]
    unclosed = b'm8,app_opened,u,d,2026-08-19T10:00:00Z,2026-08-20T12:00:00Z,ios,5.1.0,SE,"{\n'
    raw_path.write_bytes(b"".join([header, *lines, extra_field, too_few, not_utf8, oversized, *later, unclosed]))
    expected_lines = {4: "Columns", 5: "Columns", 6: "unicode", 7: "size", 10: "quote"}

    result = build(tmp_path / "malformed.duckdb", raw_path, check=False)
    FIGURES["hostile_files"] += 1
    assert result.returncode == 0, output(result)[-4000:]
    con = connect(tmp_path / "malformed.duckdb")
    try:
        quarantined = con.execute(
            f"select source_file, source_line_number, malformed_error, length(malformed_text) "
            f"from {find_relation(con, 'stg_events_quarantine')} where reason = 'malformed_row' order by 2"
        ).fetchall()
        clean_users = sorted(row[0] for row in con.execute(
            f"select user_id from {find_relation(con, 'stg_events')}"
        ).fetchall())
        raw_rows = count(con, "stg_raw_events") + count(con, "stg_raw_events_malformed")
    finally:
        con.close()
    assert {line for _, line, _, _ in quarantined} == set(expected_lines), quarantined
    for source_file, line, error, text_length in quarantined:
        assert source_file == str(raw_path)
        assert expected_lines[line].lower() in error.lower(), (line, error)
        assert 0 < text_length <= 10_240
    assert clean_users == [f"malformed_neighbour_{n}" for n in range(4)]
    # The oracle reads the same bytes with Python's csv module: the same rows are malformed.
    oracle_rows = oracle.load_raw_csv(raw_path)
    assert raw_rows == len(oracle_rows) == 9
    assert sum(1 for row in oracle_rows if row.get(oracle.MALFORMED)) == len(expected_lines)


# ------------------------------------------------------------------------------------------
# The crafted file: unicode, quotes, SQL, 100 KB values, type confusion, extra columns
# ------------------------------------------------------------------------------------------


def test_crafted_file_builds_and_loses_no_row(crafted_build: dict[str, Any]) -> None:
    result = crafted_build["result"]
    assert result.returncode == 0, output(result)[-6000:]
    assert crafted_build["raw_rows"] == len(hostile_rows())
    figures = _assert_no_row_lost(crafted_build)
    assert figures["clean"] > 10 and figures["quarantined"] > 30


def test_crafted_values_come_out_unchanged(crafted_build: dict[str, Any]) -> None:
    """Values are bound as data everywhere: they come out byte for byte, nothing is executed."""
    con = connect(crafted_build["db_path"])
    try:
        fct = find_relation(con, "fct_events")
        keys = {row[0] for row in con.execute(f"select user_key from {fct}").fetchall()}
        for user in (SQL_TEXT, "Robert'); DROP TABLE students;--", JINJA_TEXT, "用户🎵",
                     "u" * HUNDRED_KB, "zo\u00eb", "zoe\u0308"):
            assert user in keys, f"user_key {user[:60]!r} missing or altered"
        # Ids lose their control characters (contract v2, "Placeholder ids"), and nothing else.
        for sent, kept in (("newline\nuser", "newlineuser"), ("nul\x00byte", "nulbyte")):
            assert kept in keys and sent not in keys, f"user_id {sent!r} should be kept as {kept!r}"
        big = con.execute(
            f"select max(length(properties)) from {fct} where user_key = 'big_props'"
        ).fetchone()[0]
        assert big is not None and big > HUNDRED_KB
        song_ids = {row[0] for row in con.execute(
            f"select properties ->> '$.song_id' from {fct} where event_name = 'song_played'"
        ).fetchall()}
        assert {SQL_TEXT, JINJA_TEXT, "🎵🎶"} <= song_ids
        names = {row[0] for row in con.execute(
            f"select event_name from {find_relation(con, 'stg_events_quarantine')}"
        ).fetchall()}
        assert {f"song_played{SQL_TEXT}", JINJA_TEXT, "a" * HUNDRED_KB, "🎵 song played"} <= names
        # A nested value whose masking breaks its JSON is masked whole; the rest of the object stays.
        masked = con.execute(
            f"select properties ->> '$.meta', properties ->> '$.song_id' from {fct} "
            "where user_key = 'nested_long_numbers'"
        ).fetchone()
        assert masked == ("[redacted value]", "s5"), masked
        # The tables the SQL-looking values name still exist, with rows.
        assert count(con, "metrics_active_users_daily") > 0
    finally:
        con.close()


def test_crafted_rows_get_the_oracles_verdict(crafted_build: dict[str, Any]) -> None:
    """Row by row, SQL and the Python oracle agree on clean vs. quarantine reason."""
    assert crafted_build["result"].returncode == 0
    rows = oracle.load_raw_csv(crafted_build["raw_path"])
    clean, quarantine = oracle.classify(rows, oracle.load_seeds(SEEDS_DIR))
    expected = {int(n): "clean" for n in clean["raw_row_number"]}
    expected.update({int(n): r for n, r in zip(quarantine["raw_row_number"], quarantine["reason"])})
    con = connect(crafted_build["db_path"])
    try:
        actual = {int(n): "clean" for (n,) in con.execute(
            f"select raw_row_number from {find_relation(con, 'stg_events')}").fetchall()}
        actual.update(dict(con.execute(
            f"select raw_row_number, reason from {find_relation(con, 'stg_events_quarantine')}").fetchall()))
    finally:
        con.close()
    hostile = hostile_rows()
    mismatches = [
        f"row {n} {hostile[n - 1]['event_name'][:40]!r} {hostile[n - 1]['properties'][:70]!r} "
        f"{hostile[n - 1]['event_time'][:30]!r}: oracle {expected.get(n)}, SQL {actual.get(n)}"
        for n in sorted(set(expected) | set(actual))
        if expected.get(n) != actual.get(n)
    ]
    assert mismatches == [], "\n".join(mismatches)


# ------------------------------------------------------------------------------------------
# 100,000 rows, half of them bad
# ------------------------------------------------------------------------------------------


def test_big_half_bad_file_loses_no_row(big_build: dict[str, Any]) -> None:
    result = big_build["result"]
    assert result.returncode == 0, output(result)[-6000:]
    assert big_build["raw_rows"] == BIG_ROWS
    figures = _assert_no_row_lost(big_build)
    # The generator writes well-formed CSV: malformed lines have a test of their own (above).
    for reason in (reason for reason in REASONS if reason != "malformed_row"):
        assert figures.get(reason, 0) > 100, f"no {reason} rows in the half-bad file: {figures}"
    assert figures["quarantined"] > 0.4 * BIG_ROWS


def test_big_file_reasons_match_the_oracle(big_build: dict[str, Any]) -> None:
    assert big_build["result"].returncode == 0
    clean, quarantine = oracle.classify(oracle.load_raw_csv(big_build["raw_path"]), oracle.load_seeds(SEEDS_DIR))
    expected = Counter(quarantine["reason"])
    expected["clean"] = len(clean)
    con = connect(big_build["db_path"])
    try:
        actual = Counter(dict(con.execute(
            f"select reason, count(*) from {find_relation(con, 'stg_events_quarantine')} group by 1").fetchall()))
        actual["clean"] = count(con, "stg_events")
    finally:
        con.close()
    assert actual == expected


# ------------------------------------------------------------------------------------------
# Funnel definitions are data too
# ------------------------------------------------------------------------------------------

HOSTILE_FUNNELS = [
    SQL_TEXT,
    'quote " and \\ backslash',
    "new\nline",
    JINJA_TEXT,
    "🎵 ﺖﺸﻐﻴﻞ e\u0301",
]


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw_path = tmp_path_factory.mktemp("small_raw") / "small.csv"
    subprocess.run(
        [*GENERATOR, "--seed", "5", "--events", "4000", "--days", "20",
         "--output", str(raw_path), "--quiet"],
        check=True,
    )
    return raw_path


def _write_funnels(project: Path, steps: list[tuple[str, int, str, int]]) -> None:
    with open(project / "seeds" / "funnel_steps.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["funnel_name", "step_number", "event_name", "conversion_window_days"])
        writer.writerows(steps)


def test_hostile_funnel_names_are_data(tmp_path: Path, small_raw: Path) -> None:
    project = copy_project(tmp_path / "project")
    steps = []
    for name in HOSTILE_FUNNELS:
        steps += [(name, 1, "app_opened", 7), (name, 2, "song_played", 7)]
    _write_funnels(project, steps)
    db_path = tmp_path / "funnels.duckdb"
    result = build(db_path, small_raw, project_dir=project, check=False)
    FIGURES["hostile_files"] += 1
    assert result.returncode == 0, output(result)[-6000:]
    con = connect(db_path)
    try:
        names = {row[0] for row in con.execute(
            f"select distinct funnel_name from {find_relation(con, 'metrics_funnel_conversion')}").fetchall()}
        assert names == set(HOSTILE_FUNNELS)
        assert count(con, "metrics_active_users_daily") > 0
    finally:
        con.close()


def test_funnel_step_outside_the_plan_fails_naming_funnel_and_step(tmp_path: Path, small_raw: Path) -> None:
    project = copy_project(tmp_path / "project")
    funnel = "it's \"checkout\""
    _write_funnels(project, [
        ("signup", 1, "app_opened", 7), ("signup", 2, "account_created", 7),
        (funnel, 1, "app_opened", 7), (funnel, 2, f"song_playd{SQL_TEXT}", 7),
    ])
    result = build(tmp_path / "bad_funnel.duckdb", small_raw, project_dir=project, check=False,
                   command=("build", "--select", "+metrics_funnel_conversion", "--indirect-selection", "cautious"))
    FIGURES["hostile_files"] += 1
    text = output(result)
    assert result.returncode != 0
    assert f"funnel '{funnel}' step 2" in text, text[-4000:]
    assert "not in the tracking plan" in text
    assert "funnel 'signup'" not in text


def test_zz_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """The closing note's figures (run last in this module; -s shows them)."""
    assert FIGURES["rows_lost"] == 0
    with capsys.disabled():
        print(f"\nhostile inputs: {FIGURES}")
