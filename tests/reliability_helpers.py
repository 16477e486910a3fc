"""Shared pieces of the reliability tests (issue 7): throw-away project copies, builds into
temporary DuckDB files, table snapshots, independent raw row counts and text scans.

Everything here writes only under the directories the tests hand in (pytest's tmp paths).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

import duckdb

from dbt_helpers import PROJECT_DIR, run_dbt
from oracle import RAW_COLUMNS, REASONS

# Schemas past staging: personal data must never reach them in clear text.
SCHEMAS_PAST_STAGING: tuple[str, ...] = ("intermediate", "marts", "metrics")
# dbt's stored test failures and the run's input-state records are not model output.
_SYSTEM_SCHEMAS = ("information_schema", "pg_catalog", "dbt_test__audit")
_RUN_RECORDS = ("dbt_input_state", "dbt_input_state_pending")
# Selectors of dbt's data and unit tests, left out of builds made only to compare rows.
WITHOUT_DATA_TESTS: tuple[str, ...] = ("resource_type:test", "resource_type:unit_test")
_COPY_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "target", "logs", "dbt_packages", "__pycache__", ".pytest_cache",
    ".hypothesis", "*.duckdb", "*.duckdb.wal", "data", ".user.yml",
)


def copy_project(destination: Path) -> Path:
    """A throw-away copy of the dbt project (no venv, no build output) to edit freely."""
    shutil.copytree(PROJECT_DIR, destination, ignore=_COPY_IGNORE, symlinks=True)
    return destination


def build(
    db_path: Path,
    raw_path: Path | None,
    extra_vars: dict[str, object] | None = None,
    project_dir: Path = PROJECT_DIR,
    check: bool = True,
    command: Iterable[str] = ("build",),
    data_tests: bool = True,
) -> subprocess.CompletedProcess[str]:
    """`dbt build` into ``db_path`` on a raw file; the unused raw_events seed is not loaded.
    ``data_tests=False`` builds seeds and models only: for reference builds whose rows are
    compared, since every data test already runs on the default build."""
    args = [*command]
    excluded = ["raw_events"] if raw_path is not None else []
    if not data_tests:
        excluded += list(WITHOUT_DATA_TESTS)
    if excluded:
        args += ["--exclude", *excluded]
    return run_dbt(args, db_path, raw_path, extra_vars, project_dir=project_dir, check=check)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stdout or "") + "\n" + (result.stderr or "")


def write_raw_csv(
    path: Path,
    rows: list[dict[str, str]],
    columns: Iterable[str] = RAW_COLUMNS,
    bom: bool = False,
    line_terminator: str = "\n",
) -> Path:
    """A raw CSV as an SDK collector would write it (RFC 4180 quoting)."""
    columns = list(columns)
    with open(path, "w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator=line_terminator,
                                extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})
    return path


def count_csv_rows(path: Path) -> int:
    """Data rows of a CSV file, counted by Python's csv module (not by DuckDB or dbt)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        if next(reader, None) is None:
            return 0
        return sum(1 for _ in reader)


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(db_path), read_only=True)


def relations(con: duckdb.DuckDBPyConnection, schemas: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(schema, name) of every table and view of the database, optionally only in ``schemas``."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_catalog = current_database() order by 1, 2"
    ).fetchall()
    wanted = set(schemas) if schemas is not None else None
    return [
        (schema, name)
        for schema, name in rows
        if schema not in _SYSTEM_SCHEMAS and name not in _RUN_RECORDS and (wanted is None or schema in wanted)
    ]


def find_relation(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """Quoted `schema.name` of the one relation called ``name``."""
    matches = [(schema, rel) for schema, rel in relations(con) if rel == name]
    assert len(matches) == 1, f"expected one relation named {name}, found {matches}"
    schema, rel = matches[0]
    return f'"{schema}"."{rel}"'


def count(con: duckdb.DuckDBPyConnection, name: str, where: str = "true") -> int:
    return con.execute(f"select count(*) from {find_relation(con, name)} where {where}").fetchone()[0]


def _fingerprint_expression(columns: list[tuple[str, str]]) -> str:
    """A row expression whose hash is equal for equal rows (doubles to 12 significant digits:
    DuckDB's parallel sums may differ in the last bits between two runs)."""
    parts = []
    for name, data_type in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        if data_type in ("DOUBLE", "FLOAT", "REAL") or data_type.startswith("DECIMAL"):
            parts.append(f"printf('%.12g', {quoted})")
        else:
            parts.append(quoted)
    return "row(" + ", ".join(parts) + ")"


def snapshot(
    db_path: Path, schemas: Iterable[str] | None = None, exclude: Iterable[str] = ()
) -> dict[str, tuple[Any, ...]]:
    """A fingerprint of every table and view (all schemas by default): name -> (columns with
    types, row count, order-independent sum of row hashes). Equal fingerprints = same rows.
    ``exclude`` names columns (`schema.relation.column`) left out, e.g. load timestamps."""
    excluded = set(exclude)
    con = connect(db_path)
    try:
        result: dict[str, tuple[Any, ...]] = {}
        for schema, name in relations(con, schemas):
            columns = [
                (column, data_type)
                for column, data_type in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_catalog = current_database() and table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if f"{schema}.{name}.{column}" not in excluded
            ]
            rows, fingerprint = con.execute(
                f"select count(*), coalesce(sum(hash({_fingerprint_expression(columns)}))::hugeint, 0) "
                f'from "{schema}"."{name}"'
            ).fetchone()
            result[f"{schema}.{name}"] = (tuple(columns), rows, fingerprint)
        return result
    finally:
        con.close()


def load_stamp_columns(db_path: Path, since: datetime) -> set[str]:
    """Timestamp columns (`schema.relation.column`) holding a value at or after ``since`` (naive
    UTC): when a build wrote them (run_started_at), not anything the raw data says."""
    con = connect(db_path)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database() and data_type like 'TIMESTAMP%'"
        ).fetchall()
        return {
            f"{schema}.{name}.{column}"
            for schema, name, column in columns
            if (con.execute(f'select max("{column}") >= ? from "{schema}"."{name}"', [since]).fetchone()[0])
        }
    finally:
        con.close()


def diff_snapshots(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Human-readable differences between two snapshots (empty when identical)."""
    problems: list[str] = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            problems.append(f"{name}: disappeared")
        elif name not in before:
            problems.append(f"{name}: appeared")
        elif before[name][0] != after[name][0]:
            problems.append(f"{name}: columns {before[name][0]} -> {after[name][0]}")
        elif before[name][1:] != after[name][1:]:
            problems.append(f"{name}: {before[name][1]} -> {after[name][1]} rows, content changed")
    return problems


def changed_columns(db_a: Path, db_b: Path, relation: str) -> list[str]:
    """Columns of ``relation`` (schema.name) whose values differ between two databases."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{db_a}' as a (read_only)")
        con.execute(f"attach '{db_b}' as b (read_only)")
        schema, name = relation.split(".", 1)
        columns = [row[0] for row in con.execute(
            "select column_name from information_schema.columns where table_catalog = 'a' "
            "and table_schema = ? and table_name = ?", [schema, name]).fetchall()]
        return [
            column for column in columns
            if con.execute(
                f'select count(*) from (select "{column}" from a."{schema}"."{name}" except all '
                f'select "{column}" from b."{schema}"."{name}")'
            ).fetchone()[0]
        ]
    finally:
        con.close()


def text_columns(con: duckdb.DuckDBPyConnection, schemas: Iterable[str]) -> list[tuple[str, str, str]]:
    """(schema, relation, column) of every text-like column (varchar, json) in ``schemas``."""
    wanted = tuple(schemas)
    placeholders = ", ".join("?" for _ in wanted)
    return [
        tuple(row)
        for row in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where table_catalog = current_database() and table_schema in ({placeholders}) "
            "and (data_type like 'VARCHAR%' or data_type = 'JSON' or data_type like '%[]') "
            "order by 1, 2, 3",
            list(wanted),
        ).fetchall()
    ]


def distinct_texts(con: duckdb.DuckDBPyConnection, schema: str, relation: str, column: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            f'select distinct cast("{column}" as varchar) from "{schema}"."{relation}" '
            f'where "{column}" is not null'
        ).fetchall()
    ]
