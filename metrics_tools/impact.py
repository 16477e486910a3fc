"""Impact report: what a change does to the public numbers before it merges.

Builds the base (a git ref, exported with `git archive`) and the working tree on the sample seed
and on a small generated dataset, each into its own temporary DuckDB file, then compares them:

* per public model (`access: public` in manifest.json), rows added, removed and changed by the
  model's primary key (its `unique_combination` / `unique` test or primary-key constraint), and
  for each numeric column the largest absolute and relative change with the row's key;
* raw rows that moved between clean and quarantine (or between reasons), matched by raw row
  identity (source file + raw row number), by event, outcome and owner team;
* the exposures, semantic-layer metrics and saved queries downstream of every model whose data
  changed (public models, and the models semantic models read), from the change's manifest.

Only what the public models, the quarantine and the semantic models need is built (no tests), in
dbt subprocesses, base first. The change is built from a copy of the base database with
`--select state:modified+ --full-refresh` when only models, macros or small seeds differ, else in
full. Writes markdown to target/impact.md and appends it to $GITHUB_STEP_SUMMARY when set.

    .venv/bin/python -m metrics_tools.impact --base main
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import duckdb
import pandas as pd

PROJECT_DIR = Path(__file__).resolve().parents[1]
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
# Project inputs that decide what dbt builds; anything else (docs, scripts, tests) cannot move a number.
BUILD_INPUTS = ("models", "macros", "seeds", "snapshots", "analyses", "tests/dbt", "dbt_project.yml", "profiles")
# A change to these cannot be followed by `state:modified`: the change is then built in full.
FULL_BUILD_INPUTS = ("dbt_project.yml", "profiles")
# dbt compares seeds over 1 MB by path only, so a changed large seed is built in full too.
SEED_CHECKSUM_LIMIT = 1_000_000
# Columns written at load time, not derived from the inputs: ignored when comparing data.
LOAD_TIME_COLUMNS = frozenset({"written_at"})
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")
# Two numbers closer than this (relative to the base value, at least 1) are equal: float noise.
TOLERANCE = 1e-9
GENERATED_ARGS = ("--seed", "7", "--users", "200", "--days", "30")
SAMPLE_KEYS = 5


class ImpactError(click.ClickException):
    """A failure reported in one line (exit code 1)."""


# ------------------------------------------------------------------------------------------ builds


# The database file's name inside each build's directory. Every build uses the same relative
# path (dbt runs in the build's directory), so dbt's parse cache, which hashes the connection
# settings, carries over from the base to the change: the change parses only the edited files.
DB_FILE = "db.duckdb"


@dataclass(frozen=True)
class Build:
    """One built project: its directory holds the DuckDB file and the dbt target (manifest.json)."""

    project_dir: Path
    work_dir: Path

    @property
    def db_path(self) -> Path:
        return self.work_dir / DB_FILE

    @property
    def target_dir(self) -> Path:
        return self.work_dir / "target"

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.target_dir / "manifest.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Dataset:
    """Raw events to build on: the sample seed (no path) or a raw file."""

    label: str
    raw_events_path: Path | None = None


def run_dbt(args: Sequence[str], build: Build, dataset: Dataset) -> None:
    """One dbt command in a subprocess, run in the build's directory and writing only there."""
    dbt_vars: dict[str, str] = {}
    if dataset.raw_events_path is not None:
        dbt_vars = {
            "raw_events_path": str(dataset.raw_events_path),
            "plan_coverage_severity": "warn",
            "freshness_severity": "warn",
        }
    command = [
        str(DBT_EXECUTABLE),
        *args,
        "--project-dir",
        str(build.project_dir),
        "--target-path",
        str(build.target_dir),
        "--log-path",
        str(build.work_dir / "logs"),
    ]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    env = dict(os.environ)
    env.update(
        {
            "DBT_DUCKDB_PATH": DB_FILE,
            "DBT_PROFILES_DIR": str(build.project_dir / "profiles"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
        }
    )
    env.pop("DBT_TARGET", None)
    build.work_dir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(command, cwd=build.work_dir, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join(result.stdout.strip().splitlines()[-25:])
        raise ImpactError(f"dbt {args[0]} failed in {build.project_dir} ({result.returncode}):\n{tail}")


def relation_models(manifest: dict[str, Any], public_only: Iterable[str] = ()) -> list[str]:
    """Model names the report reads: public models (all, or those named), the quarantine and
    the models semantic models read (left out when only some public models are named)."""
    wanted = set(public_only)
    names = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        if node.get("access") == "public" and (not wanted or node["name"] in wanted):
            names.append(node["name"])
        elif "quarantine" in node["name"]:
            names.append(node["name"])
    if wanted - set(names):
        raise ImpactError(f"no public model named {', '.join(sorted(wanted - set(names)))}")
    if wanted:
        return sorted(set(names))
    for semantic in manifest.get("semantic_models", {}).values():
        for parent in semantic["depends_on"]["nodes"]:
            if parent in manifest["nodes"]:
                names.append(manifest["nodes"][parent]["name"])
    return sorted(set(names))


def selection(manifest: dict[str, Any], public_only: Iterable[str]) -> list[str]:
    """`+model` for every model the report reads (upstream included); every public model by
    its access, so that a public model new in the change is selected too."""
    extra = [] if list(public_only) else ["+access:public"]
    return extra + [f"+{name}" for name in relation_models(manifest, public_only)]


BUILD_ARGS = ("--exclude-resource-type", "test", "unit_test")


def build_full(project_dir: Path, work_dir: Path, dataset: Dataset, public_only: Iterable[str] = ()) -> Build:
    """Parse, then build (models and seeds, no tests) what the report reads."""
    build = Build(project_dir, work_dir)
    run_dbt(["parse"], build, dataset)
    run_dbt(["build", "--select", *selection(build.manifest, public_only), *BUILD_ARGS], build, dataset)
    return build


def file_digests(project_dir: Path) -> dict[str, str]:
    """sha256 of every build input file, by path relative to the project."""
    digests: dict[str, str] = {}
    for name in BUILD_INPUTS:
        root = project_dir / name
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        for path in paths:
            digests[path.relative_to(project_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def changed_inputs(base_dir: Path, head_dir: Path) -> list[str]:
    """Build input files added, removed or edited between the two projects."""
    base, head = file_digests(base_dir), file_digests(head_dir)
    return sorted(path for path in base.keys() | head.keys() if base.get(path) != head.get(path))


def needs_full_build(changed: list[str], base_dir: Path, head_dir: Path) -> bool:
    """True when `state:modified` cannot see the change (project config, profiles, large seeds)."""
    for path in changed:
        if path.split("/")[0] in FULL_BUILD_INPUTS:
            return True
        if path.startswith("seeds/") and path.endswith(".csv"):
            sizes = [(root / path).stat().st_size for root in (base_dir, head_dir) if (root / path).exists()]
            if any(size > SEED_CHECKSUM_LIMIT for size in sizes):
                return True
    return False


def build_change(
    head_dir: Path, base: Build, work_dir: Path, dataset: Dataset, public_only: Iterable[str] = ()
) -> Build:
    """Build the change: a copy of the base database, rebuilt (in full) where the change's
    models, macros or seeds differ and everything downstream of them."""
    changed = changed_inputs(base.project_dir, head_dir)
    if needs_full_build(changed, base.project_dir, head_dir):
        return build_full(head_dir, work_dir, dataset, public_only)
    build = Build(head_dir, work_dir)
    build.target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base.db_path, build.db_path)
    for cached in ("partial_parse.msgpack", "manifest.json"):
        if (base.target_dir / cached).exists():
            shutil.copyfile(base.target_dir / cached, build.target_dir / cached)
    if changed:
        select = [f"state:modified+,{item}" for item in selection(base.manifest, public_only)]
        run_dbt(["build", "--select", *select, "--state", str(base.target_dir), "--full-refresh", *BUILD_ARGS], build, dataset)
    return build


# ------------------------------------------------------------------------------------- comparison


@dataclass
class ColumnChange:
    """The largest absolute and relative change of one numeric column."""

    column: str
    changed_rows: int
    abs_key: str
    abs_base: Any
    abs_head: Any
    abs_change: float | None
    rel_key: str | None
    rel_change: float | None


@dataclass
class ModelDiff:
    """How one public model differs between the two builds."""

    name: str
    key: list[str]
    base_rows: int | None
    head_rows: int | None
    added: int = 0
    removed: int = 0
    changed: int = 0
    added_keys: list[str] = field(default_factory=list)
    removed_keys: list[str] = field(default_factory=list)
    columns: list[ColumnChange] = field(default_factory=list)
    other_columns: dict[str, int] = field(default_factory=dict)
    schema_change: list[str] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.schema_change or self.base_rows != self.head_rows)


@dataclass
class DatasetImpact:
    """Everything that moved on one dataset."""

    label: str
    models: list[ModelDiff]
    movements: pd.DataFrame | None
    changed_upstream: list[str]
    downstream: dict[str, list[str]]

    @property
    def changed_models(self) -> list[ModelDiff]:
        return [model for model in self.models if model.moved]

    @property
    def moved(self) -> bool:
        return bool(self.changed_models or (self.movements is not None and len(self.movements)) or self.changed_upstream)


def primary_key(manifest: dict[str, Any], unique_id: str) -> list[str]:
    """The model's grain: its primary-key constraint, else its uniqueness test."""
    node = manifest["nodes"][unique_id]
    for constraint in node.get("constraints", []):
        if constraint["type"] == "primary_key" and constraint.get("columns"):
            return list(constraint["columns"])
    for column in node.get("columns", {}).values():
        if any(c["type"] == "primary_key" for c in column.get("constraints", [])):
            return [column["name"]]
    for test in manifest["nodes"].values():
        if test["resource_type"] != "test" or test.get("attached_node") != unique_id:
            continue
        metadata = test.get("test_metadata") or {}
        kwargs = metadata.get("kwargs", {})
        if metadata.get("name") == "unique_combination":
            return list(kwargs["combination_of_columns"])
        if metadata.get("name") == "unique" and kwargs.get("column_name"):
            return [kwargs["column_name"]]
    raise ImpactError(f"{node['name']} has no primary key test or constraint: the report needs its grain")


def public_models(manifest: dict[str, Any], public_only: Iterable[str] = ()) -> dict[str, dict[str, Any]]:
    """Public model nodes by unique id (every version), optionally only those named."""
    wanted = set(public_only)
    return {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node.get("access") == "public" and (not wanted or node["name"] in wanted)
    }


def display_name(node: dict[str, Any]) -> str:
    return f"{node['name']} v{node['version']}" if node.get("version") is not None else node["name"]


def table_columns(con: duckdb.DuckDBPyConnection, catalog: str, node: dict[str, Any]) -> dict[str, str]:
    """Column name -> type of the node's relation in an attached database ({} when absent)."""
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, node["schema"], node.get("alias") or node["name"]],
    ).fetchall()
    return {name: data_type for name, data_type in rows}


def read_table(con: duckdb.DuckDBPyConnection, catalog: str, node: dict[str, Any]) -> pd.DataFrame:
    return con.execute(f'select * from {catalog}."{node["schema"]}"."{node.get("alias") or node["name"]}"').df()


def is_numeric(data_type: str) -> bool:
    return data_type.upper().startswith(NUMERIC_TYPES)


def format_key(key_columns: list[str], values: Sequence[Any]) -> str:
    return ", ".join(f"{column}={format_value(value)}" for column, value in zip(key_columns, values))


def format_value(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "null"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def values_differ(base: pd.Series, head: pd.Series, numeric: bool) -> pd.Series:
    """Row-wise: the two cells differ (null vs value counts; numbers within TOLERANCE are equal)."""
    base_null, head_null = base.isna(), head.isna()
    if numeric:
        base_num, head_num = base.astype("float64"), head.astype("float64")
        far = (head_num - base_num).abs() > TOLERANCE * base_num.abs().clip(lower=1.0)
        return (base_null != head_null) | (~base_null & ~head_null & far)
    return (base_null != head_null) | (~base_null & ~head_null & (base.astype(str) != head.astype(str)))


def compare_model(con: duckdb.DuckDBPyConnection, name: str, node: dict[str, Any], key: list[str]) -> ModelDiff:
    """Rows added, removed and changed by key; the largest change of each numeric column."""
    base_columns, head_columns = table_columns(con, "base", node), table_columns(con, "head", node)
    if not base_columns or not head_columns:
        present = read_table(con, "head" if head_columns else "base", node)
        diff = ModelDiff(name, key, None if not base_columns else len(present), None if not head_columns else len(present))
        diff.schema_change = ["new model" if head_columns else "model removed"]
        return diff
    base, head = read_table(con, "base", node), read_table(con, "head", node)
    diff = ModelDiff(name, key, len(base), len(head))
    diff.schema_change = [f"column added: {c}" for c in head_columns if c not in base_columns] + [
        f"column removed: {c}" for c in base_columns if c not in head_columns
    ]
    values = [c for c in head_columns if c in base_columns and c not in key and c not in LOAD_TIME_COLUMNS]
    merged = base.merge(head, on=key, how="outer", suffixes=("__base", "__head"), indicator=True)
    added, removed = merged[merged["_merge"] == "right_only"], merged[merged["_merge"] == "left_only"]
    both = merged[merged["_merge"] == "both"]
    diff.added, diff.removed = len(added), len(removed)
    diff.added_keys = [format_key(key, row) for row in added[key].head(SAMPLE_KEYS).itertuples(index=False)]
    diff.removed_keys = [format_key(key, row) for row in removed[key].head(SAMPLE_KEYS).itertuples(index=False)]
    any_change = pd.Series(False, index=both.index)
    for column in values:
        numeric = is_numeric(head_columns[column]) and is_numeric(base_columns[column])
        differs = values_differ(both[f"{column}__base"], both[f"{column}__head"], numeric)
        any_change |= differs
        if not differs.any():
            continue
        if not numeric:
            diff.other_columns[column] = int(differs.sum())
            continue
        rows = both[differs]
        base_values = rows[f"{column}__base"].astype("float64")
        head_values = rows[f"{column}__head"].astype("float64")
        absolute = (head_values - base_values).abs()
        # A cell that became null (or stopped being null) has no size: shown only when nothing else changed.
        top = absolute.idxmax() if absolute.notna().any() else absolute.index[0]
        relative = ((head_values - base_values).abs() / base_values.abs()).replace(math.inf, math.nan).dropna()
        rel_top = relative.idxmax() if len(relative) else None
        diff.columns.append(
            ColumnChange(
                column=column,
                changed_rows=int(differs.sum()),
                abs_key=format_key(key, rows.loc[top, key]),
                abs_base=rows.loc[top, f"{column}__base"],
                abs_head=rows.loc[top, f"{column}__head"],
                abs_change=None if pd.isna(absolute[top]) else float(absolute[top]),
                rel_key=None if rel_top is None else format_key(key, rows.loc[rel_top, key]),
                rel_change=None if rel_top is None else float(relative[rel_top]),
            )
        )
    diff.changed = int(any_change.sum())
    return diff


def find_relation(manifest: dict[str, Any], predicate: Any) -> dict[str, Any] | None:
    matches = [node for node in manifest["nodes"].values() if node["resource_type"] in ("model", "seed") and predicate(node)]
    return matches[0] if matches else None


def outcomes_sql(con: duckdb.DuckDBPyConnection, catalog: str, manifest: dict[str, Any]) -> str | None:
    """SQL for every raw row's outcome in one build: (source_file, raw_row_number, event,
    name_sent, outcome, owner_team). None when the build has no quarantine relation."""
    quarantine = find_relation(manifest, lambda n: n["resource_type"] == "model" and "quarantine" in n["name"])
    plan = find_relation(manifest, lambda n: n["resource_type"] == "seed" and n["name"] == "tracking_plan")
    if quarantine is None or plan is None:
        return None
    # The clean events: a model with raw row identity and a resolved person (known names first,
    # so a renamed layer still works).
    identity = {"source_file", "raw_row_number", "event_name", "user_key"}
    preferred = ("stg_events", "int_events", "fct_events")
    models = sorted(
        (n for n in manifest["nodes"].values() if n["resource_type"] == "model" and "quarantine" not in n["name"]),
        key=lambda n: (preferred.index(n["name"]) if n["name"] in preferred else len(preferred), n["name"]),
    )
    clean = next((n for n in models if identity <= set(table_columns(con, catalog, n))), None)
    if clean is None:
        return None
    q_columns = table_columns(con, catalog, quarantine)
    event = "coalesce(" + ", ".join(
        c for c in ("resolved_event_name", "normalized_event_name", "event_name") if c in q_columns
    ) + ")"

    def rel(node: dict[str, Any]) -> str:
        return f'{catalog}."{node["schema"]}"."{node.get("alias") or node["name"]}"'

    return f"""
        select c.source_file, c.raw_row_number, c.event_name as event, null as name_sent,
            'accepted' as outcome, coalesce(p.owner_team, 'unassigned') as owner_team
        from {rel(clean)} as c left join {rel(plan)} as p on c.event_name = p.event_name
        union all
        select q.source_file, q.raw_row_number, {event} as event, q.event_name as name_sent,
            q.reason as outcome, q.owner_team
        from {rel(quarantine)} as q
    """


def quarantine_movements(con: duckdb.DuckDBPyConnection, base: Build, head: Build) -> pd.DataFrame | None:
    """Raw rows whose outcome (clean or a quarantine reason) differs, by event, outcome and team;
    None when a build has no quarantine or clean events with raw row identity."""
    base_sql, head_sql = outcomes_sql(con, "base", base.manifest), outcomes_sql(con, "head", head.manifest)
    columns = ["event", "name_sent", "base_outcome", "head_outcome", "base_owner_team", "head_owner_team", "rows"]
    if base_sql is None or head_sql is None:
        return None
    return con.execute(
        f"""
        with b as ({base_sql}), h as ({head_sql})
        select
            coalesce(b.event, h.event) as event,
            coalesce(h.name_sent, b.name_sent) as name_sent,
            coalesce(b.outcome, '(absent)') as base_outcome,
            coalesce(h.outcome, '(absent)') as head_outcome,
            b.owner_team as base_owner_team,
            h.owner_team as head_owner_team,
            count(*) as rows
        from b full outer join h
            on b.source_file = h.source_file and b.raw_row_number = h.raw_row_number
        where b.outcome is distinct from h.outcome
        group by all
        order by rows desc, event, base_outcome, head_outcome
        """
    ).df()[columns]


def fingerprint(con: duckdb.DuckDBPyConnection, catalog: str, node: dict[str, Any]) -> tuple[int, int] | None:
    """(rows, order-free hash of every row) of a relation, load-time columns left out."""
    columns = [c for c in table_columns(con, catalog, node) if c not in LOAD_TIME_COLUMNS]
    if not columns:
        return None
    row = ", ".join(f'"{c}"' for c in columns)
    result = con.execute(
        f'select count(*), coalesce(sum(hash({row}) % 1000000007), 0) '
        f'from {catalog}."{node["schema"]}"."{node.get("alias") or node["name"]}"'
    ).fetchone()
    return (int(result[0]), int(result[1])) if result else None


def semantic_inputs_changed(con: duckdb.DuckDBPyConnection, head: Build) -> list[str]:
    """Unique ids of the (non-public) models semantic models read whose data differs."""
    manifest = head.manifest
    changed: list[str] = []
    for semantic in manifest.get("semantic_models", {}).values():
        for parent in semantic["depends_on"]["nodes"]:
            node = manifest["nodes"].get(parent)
            if node is None or node.get("access") == "public" or parent in changed:
                continue
            if fingerprint(con, "base", node) != fingerprint(con, "head", node):
                changed.append(parent)
    return sorted(changed)


def downstream(manifest: dict[str, Any], unique_ids: Iterable[str]) -> dict[str, list[str]]:
    """Exposures, semantic metrics and saved queries reachable from the nodes in the child map."""
    seen: set[str] = set()
    stack = list(unique_ids)
    while stack:
        for child in manifest["child_map"].get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    kinds = {"exposure": "exposures", "metric": "semantic metrics", "saved_query": "saved queries"}
    found: dict[str, list[str]] = {label: [] for label in kinds.values()}
    for uid in seen:
        kind = uid.split(".")[0]
        if kind in kinds:
            found[kinds[kind]].append(uid.split(".")[-1])
    return {label: sorted(names) for label, names in found.items()}


def compare(base: Build, head: Build, label: str, public_only: Iterable[str] = ()) -> DatasetImpact:
    """Everything that differs between two builds of one dataset."""
    head_manifest, base_manifest = head.manifest, base.manifest
    con = duckdb.connect()
    try:
        con.execute(f"attach '{base.db_path}' as base (read_only)")
        con.execute(f"attach '{head.db_path}' as head (read_only)")
        nodes = {**public_models(base_manifest, public_only), **public_models(head_manifest, public_only)}
        diffs = []
        for uid in sorted(nodes):
            manifest = head_manifest if uid in head_manifest["nodes"] else base_manifest
            node = manifest["nodes"][uid]
            diffs.append(compare_model(con, display_name(node), node, primary_key(manifest, uid)))
        movements = quarantine_movements(con, base, head)
        upstream = [] if public_only else semantic_inputs_changed(con, head)
    finally:
        con.close()
    changed_ids = [uid for uid, diff in zip(sorted(nodes), diffs) if diff.moved] + upstream
    names = {uid: display_name(head_manifest["nodes"][uid]) for uid in upstream}
    return DatasetImpact(label, diffs, movements, [names[uid] for uid in upstream], downstream(head_manifest, changed_ids))


# ----------------------------------------------------------------------------------------- report


def number(value: Any) -> str:
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:,.4g}" if value != int(value) else f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return format_value(value)


def change_text(change: ColumnChange) -> str:
    """`base -> change (+delta) at key`."""
    text = f"{number(change.abs_base)} → {number(change.abs_head)}"
    if change.abs_change is not None:
        sign = "+" if float(change.abs_head) >= float(change.abs_base) else "-"
        text += f" ({sign}{number(change.abs_change)})"
    return f"{text} at {change.abs_key}"


def render_dataset(impact: DatasetImpact) -> list[str]:
    lines = [f"## {impact.label}", ""]
    if not impact.moved:
        return lines + ["No public numbers changed.", ""]
    changed = impact.changed_models
    if changed:
        summary = pd.DataFrame(
            [
                {
                    "public model": f"`{m.name}`",
                    "grain": ", ".join(m.key),
                    "rows base": "-" if m.base_rows is None else f"{m.base_rows:,}",
                    "rows change": "-" if m.head_rows is None else f"{m.head_rows:,}",
                    "added": m.added,
                    "removed": m.removed,
                    "changed": m.changed,
                }
                for m in changed
            ]
        )
        unchanged = len(impact.models) - len(changed)
        lines += [summary.to_markdown(index=False), "", f"{unchanged} other public models: no cell changed.", ""]
    for model in changed:
        lines += [f"### `{model.name}`", ""]
        lines += [f"- {item}" for item in model.schema_change]
        if model.added_keys:
            lines.append(f"- rows added ({model.added}), e.g. " + "; ".join(model.added_keys))
        if model.removed_keys:
            lines.append(f"- rows removed ({model.removed}), e.g. " + "; ".join(model.removed_keys))
        lines += [f"- `{column}`: {rows} rows changed" for column, rows in model.other_columns.items()]
        if model.columns:
            table = pd.DataFrame(
                [
                    {
                        "column": f"`{c.column}`",
                        "rows changed": c.changed_rows,
                        "largest absolute change": change_text(c),
                        "largest relative change": "-" if c.rel_change is None else f"{c.rel_change:.1%} at {c.rel_key}",
                    }
                    for c in model.columns
                ]
            )
            lines += ["" if lines[-1] else None, table.to_markdown(index=False)]
            lines = [line for line in lines if line is not None]
        lines.append("")
    if impact.movements is None:
        lines += ["Raw rows between clean and quarantine: not compared (no quarantine or clean events "
                  "with source file and raw row number in one of the builds).", ""]
    elif len(impact.movements):
        moved = impact.movements.copy()
        moved["name_sent"] = moved["name_sent"].fillna("")
        moved.columns = ["event", "name as sent", "base", "change", "owner team (base)", "owner team (change)", "raw rows"]
        lines += [
            "### Raw rows that moved between clean and quarantine",
            "",
            "Matched by raw row identity (source file and row number); `accepted` = clean.",
            "",
            moved.to_markdown(index=False),
            "",
        ]
    if impact.changed_upstream:
        lines += ["Models read by the semantic layer whose data changed: "
                  + ", ".join(f"`{name}`" for name in impact.changed_upstream), ""]
    found = [(label, names) for label, names in impact.downstream.items() if names]
    if found:
        lines += ["### Downstream of the changed models", ""]
        lines += [f"- {label}: " + ", ".join(f"`{n}`" for n in names) for label, names in found]
        lines.append("")
    return lines


def render(impacts: list[DatasetImpact], base_label: str, head_label: str) -> str:
    lines = [f"# Impact report: {head_label} against {base_label}", ""]
    if not any(impact.moved for impact in impacts):
        compared = len(impacts[0].models) if impacts else 0
        return "\n".join(
            lines
            + [
                f"No public numbers changed: {compared} public models compared cell by cell on "
                + " and ".join(impact.label for impact in impacts)
                + (
                    "; raw rows between clean and quarantine not compared (no raw row identity)."
                    if any(impact.movements is None for impact in impacts)
                    else "; no raw row moved between clean and quarantine."
                ),
                "",
            ]
        )
    for impact in impacts:
        lines += render_dataset(impact)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------- driver


def export_ref(ref: str, project_dir: Path, destination: Path) -> Path:
    """The project as of ``ref`` (git archive), unpacked into ``destination``."""
    def git(*args: str) -> str:
        result = subprocess.run(["git", "-C", str(project_dir), *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ImpactError(f"git {' '.join(args)}: {result.stderr.strip().splitlines()[-1:]}")
        return result.stdout.strip()

    git("rev-parse", "--verify", f"{ref}^{{commit}}")
    prefix = git("rev-parse", "--show-prefix")
    archive = destination.with_suffix(".tar")
    git("archive", "--format=tar", f"--output={archive}", ref)
    destination.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(destination, filter="data")
    archive.unlink()
    return destination / prefix if prefix else destination


def copy_project(source: Path, destination: Path) -> Path:
    """The build inputs of a project (plus what the builds read), without target/ or a venv."""
    ignore = shutil.ignore_patterns("target", "logs", ".venv*", "__pycache__", "*.duckdb", "dbt_packages", ".git")
    shutil.copytree(source, destination, ignore=ignore, symlinks=False)
    return destination


def generate_dataset(project_dir: Path, output: Path) -> Path | None:
    """A small generated raw file (the project's generator), or None when there is none."""
    generator = project_dir / "scripts" / "generate_events.py"
    if not generator.exists():
        return None
    subprocess.run(
        [sys.executable, str(generator), *GENERATED_ARGS, "--output", str(output)],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=True,
    )
    return output


def run_impact(
    base_dir: Path,
    head_dir: Path,
    work_dir: Path,
    datasets: list[Dataset],
    public_only: Sequence[str] = (),
    base_builds: dict[str, Build] | None = None,
    progress: Any = None,
) -> list[DatasetImpact]:
    """Build base then change for every dataset (sequentially) and compare them."""
    say = progress or (lambda message: None)
    impacts = []
    for dataset in datasets:
        slug = dataset.label.split()[0].lower()
        started = time.monotonic()
        base = (base_builds or {}).get(dataset.label) or build_full(base_dir, work_dir / slug / "base", dataset, public_only)
        say(f"{dataset.label}: base built ({time.monotonic() - started:.0f} s)")
        started = time.monotonic()
        head = build_change(head_dir, base, work_dir / slug / "head", dataset, public_only)
        say(f"{dataset.label}: change built ({time.monotonic() - started:.0f} s)")
        impacts.append(compare(base, head, dataset.label, public_only))
    return impacts


@click.command("impact")
@click.option("--base", "base_ref", default="main", show_default=True, help="git ref to compare the working tree with")
@click.option("--project-dir", type=click.Path(file_okay=False, path_type=Path), default=PROJECT_DIR, show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="markdown file [target/impact.md]")
@click.option("--model", "models", multiple=True, help="only these public models (repeatable); default every one")
@click.option("--no-generated", is_flag=True, help="only the sample seed, not the generated dataset")
@click.option("--keep", is_flag=True, help="keep the temporary builds (their path is printed)")
def impact(base_ref: str, project_dir: Path, output: Path | None, models: tuple[str, ...], no_generated: bool, keep: bool) -> None:
    """Build BASE and the working tree, and report what the change does to the public numbers."""
    project_dir = project_dir.resolve()
    output = output or project_dir / "target" / "impact.md"
    work_dir = Path(tempfile.mkdtemp(prefix="impact-"))
    started = time.monotonic()
    try:
        click.echo(f"==> exporting {base_ref} into {work_dir / 'base'}")
        base_dir = export_ref(base_ref, project_dir, work_dir / "base")
        head_dir = copy_project(project_dir, work_dir / "head")
        datasets = [Dataset("Sample seed")]
        if not no_generated:
            # The base's generator and seeds: the same raw file for both builds, written with the
            # names the base knows (a renamed alias then shows as rows that leave the clean events).
            raw = generate_dataset(base_dir, work_dir / "generated.csv") or generate_dataset(head_dir, work_dir / "generated.csv")
            if raw is not None:
                datasets.append(Dataset(f"Generated dataset ({' '.join(GENERATED_ARGS)})", raw))
        impacts = run_impact(base_dir, head_dir, work_dir, datasets, models, progress=click.echo)
        report = render(impacts, f"`{base_ref}`", "the working tree")
    finally:
        if not keep:
            shutil.rmtree(work_dir, ignore_errors=True)
        else:
            click.echo(f"builds kept in {work_dir}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(report + "\n")
    click.echo(report)
    click.echo(f"==> {output} written in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    impact()
