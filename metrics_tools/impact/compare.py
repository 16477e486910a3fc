"""Per public model: rows added, removed and changed by the model's key, and the largest change
of each numeric column; `compare` gathers everything that differs between two builds."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from metrics_tools.impact.builds import Build, ImpactError
from metrics_tools.impact.lineage import downstream, semantic_inputs_changed
from metrics_tools.impact.quarantine import quarantine_movements
from metrics_tools.impact.relations import LOAD_TIME_COLUMNS, display_name, read_table, table_columns

NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")
# Two numbers closer than this (relative to the base value, at least 1) are equal: float noise.
TOLERANCE = 1e-9
SAMPLE_KEYS = 5


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
