"""What lies downstream of the changed models (exposures, semantic metrics, saved queries, from
the change's manifest.json), and which models read by semantic models changed data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from metrics_tools.impact.builds import Build
from metrics_tools.impact.relations import LOAD_TIME_COLUMNS, table_columns


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
