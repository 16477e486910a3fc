"""The layer rules that keep the project's shape, checked on a parsed manifest.json (a dict).

Layers come from the model name's prefix (docs/conventions.md): `stg_` staging, `int_`
intermediate, `fct_`/`dim_` marts, `metrics_` metrics; the MetricFlow time spine and every
semantic model belong to the semantic layer. Sources and seeds are the raw inputs. The rules
follow dbt-project-evaluator's where they apply here (docs/decisions/0008).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

Manifest = dict[str, Any]

PREFIX_LAYERS: tuple[tuple[str, str], ...] = (
    ("stg_", "staging"), ("int_", "intermediate"), ("fct_", "marts"), ("dim_", "marts"),
    ("metrics_", "metrics"),
)
TIME_SPINE = "metricflow_time_spine"  # named by MetricFlow; part of the semantic layer
LAYER_FOLDERS = {"staging": "staging", "intermediate": "intermediate", "marts": "marts",
                 "metrics": "metrics", "semantic": "semantic"}
LAYERS = ("source", "seed", "staging", "intermediate", "marts", "metrics", "semantic")
# What each layer may read. Seeds are reference data read with ref() (docs/conventions.md), so
# every layer may read one; the consumer layers would rather get them through a mart, but a
# small lookup (funnel definitions) read directly is not worth a pass-through model.
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    "staging": frozenset({"source", "seed"}),
    "intermediate": frozenset({"staging", "intermediate", "seed"}),
    "marts": frozenset({"staging", "intermediate", "marts", "seed"}),
    "metrics": frozenset({"marts", "seed"}),
    "semantic": frozenset({"marts", "seed"}),
}
FIXES = {
    "staging": "read only sources and seeds; move joins and rules to an int_ model",
    "intermediate": "read staging, intermediate models or seeds; a mart is downstream of int_",
    "marts": "read staging or intermediate models; a metric is downstream of marts",
    "metrics": "read marts (fct_/dim_) only: add what is needed to a fact or dimension",
    "semantic": "read marts (fct_/dim_) only: add what is needed to a fact or dimension",
}


@dataclass(frozen=True)
class Violation:
    model: str
    rule: str
    parent: str
    fix: str


@dataclass(frozen=True)
class Node:
    unique_id: str
    label: str  # name, with `.v<n>` for a model version
    kind: str  # model, seed, source, semantic_model, exposure
    layer: str  # one of LAYERS, "exposure", or "unknown"
    path: str  # original_file_path
    parents: tuple[str, ...]
    access: str
    contract: bool
    lines: int
    # rule -> why this node may break it: `meta: {structure_exceptions: {<rule>: <reason>}}` in
    # the node's YAML, so that every exception is written beside the model, with its reason.
    exceptions: tuple[tuple[str, str], ...] = ()


def layer_of(name: str, kind: str) -> str:
    if kind in ("source", "seed"):
        return kind
    if kind == "semantic_model" or name == TIME_SPINE:
        return "semantic"
    if kind == "exposure":
        return "exposure"
    return next((layer for prefix, layer in PREFIX_LAYERS if name.startswith(prefix)), "unknown")


def nodes(manifest: Manifest) -> dict[str, Node]:
    """Models, seeds, sources, semantic models and exposures by unique id."""
    found: dict[str, Node] = {}
    entries = [*manifest.get("nodes", {}).values(), *manifest.get("sources", {}).values(),
               *manifest.get("semantic_models", {}).values(), *manifest.get("exposures", {}).values()]
    for entry in entries:
        kind = entry.get("resource_type", "")
        if kind not in ("model", "seed", "source", "semantic_model", "exposure"):
            continue
        name = entry["name"]
        version = entry.get("version")
        label = f"{name}.v{version}" if version is not None else name
        if kind == "source":
            label = f"{entry.get('source_name', '')}.{name}"
        config = entry.get("config") or {}
        contract = entry.get("contract") or config.get("contract") or {}
        found[entry["unique_id"]] = Node(
            unique_id=entry["unique_id"], label=label, kind=kind, layer=layer_of(name, kind),
            path=entry.get("original_file_path", ""),
            parents=tuple((entry.get("depends_on") or {}).get("nodes", [])),
            access=str(entry.get("access") or config.get("access") or "protected"),
            contract=bool(contract.get("enforced")), lines=len((entry.get("raw_code") or "").splitlines()),
            exceptions=tuple(sorted(((config.get("meta") or entry.get("meta") or {})
                                     .get("structure_exceptions") or {}).items())),
        )
    return found


def same_model(node: Node, parent: Node) -> bool:
    """One version of a model read by another (v1 kept as a projection of v2): not a layer edge."""
    return node.kind == parent.kind == "model" and node.label.split(".v")[0] == parent.label.split(".v")[0] \
        and node.label != parent.label


def children(graph: dict[str, Node]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {uid: set() for uid in graph}
    for node in graph.values():
        for parent in node.parents:
            if parent in found:
                found[parent].add(node.unique_id)
    return found


def parent_rules(graph: dict[str, Node]) -> list[Violation]:
    """Each layer reads only the layers it may; staging->staging is its own rule."""
    found: list[Violation] = []
    for node in graph.values():
        allowed = ALLOWED_PARENTS.get(node.layer)
        if allowed is None or node.kind not in ("model", "semantic_model"):
            continue
        for uid in node.parents:
            parent = graph.get(uid)
            if parent is None or parent.layer in allowed or same_model(node, parent):
                continue
            if node.layer == parent.layer == "staging":
                found.append(Violation(node.label, "no staging->staging", parent.label,
                                       "move the logic that needs both into an int_ model"))
            else:
                found.append(Violation(node.label, f"{node.layer} reads {parent.layer}", parent.label,
                                       FIXES[node.layer]))
    return found


def rejoined_concepts(graph: dict[str, Node]) -> list[Violation]:
    """dbt-project-evaluator's rule: A -> B -> C and A -> C, where B's only child is C."""
    kids = children(graph)
    found: list[Violation] = []
    for c in graph.values():
        if c.kind != "model":
            continue
        direct = set(c.parents)
        for b in direct:
            if b not in graph or graph[b].kind != "model" or kids[b] != {c.unique_id}:
                continue
            for a in sorted(direct & set(graph[b].parents)):
                found.append(Violation(c.label, "rejoined concept", graph[b].label,
                                       f"{graph[b].label} is used only here and reads {graph[a].label}, "
                                       "which this model reads too: fold it into this model (a CTE) or "
                                       f"read {graph[a].label} only through it"))
    return found


def contract_rule(graph: dict[str, Node]) -> list[Violation]:
    return [Violation(n.label, "public model without an enforced contract", "-",
                      "set `config: contract: {enforced: true}` and type every column")
            for n in graph.values() if n.kind == "model" and n.access == "public" and not n.contract]


def exposure_rule(graph: dict[str, Node]) -> list[Violation]:
    found: list[Violation] = []
    for node in graph.values():
        if node.kind != "exposure":
            continue
        for uid in node.parents:
            parent = graph.get(uid)
            if parent is not None and parent.access != "public" and parent.layer != "marts":
                found.append(Violation(node.label, "exposure reads a non-public, non-mart model",
                                       parent.label, "depend on a public model or a mart (fct_/dim_)"))
    return found


def folder_rule(graph: dict[str, Node]) -> list[Violation]:
    """A model lives in the folder of its layer (models/<folder>/...)."""
    found: list[Violation] = []
    for node in graph.values():
        if node.kind != "model":
            continue
        if node.layer == "unknown":
            found.append(Violation(node.label, "unknown layer prefix", "-",
                                   "name it stg_, int_, fct_, dim_ or metrics_"))
            continue
        folder = LAYER_FOLDERS[node.layer]
        if not node.path.startswith(f"models/{folder}/"):
            found.append(Violation(node.label, "model outside its layer's folder", "-",
                                   f"move {node.path} under models/{folder}/"))
    return found


def all_violations(manifest: Manifest) -> list[Violation]:
    graph = nodes(manifest)
    found = (parent_rules(graph) + rejoined_concepts(graph) + contract_rule(graph) + exposure_rule(graph)
             + folder_rule(graph))
    return sorted(found, key=lambda v: (v.model, v.rule, v.parent))


def split_waived(manifest: Manifest) -> tuple[list[Violation], list[tuple[Violation, str]]]:
    """(violations, waived): a violation is waived when its model's YAML names the rule in
    `meta.structure_exceptions`, with the reason (shown by the check)."""
    reasons = {node.label: dict(node.exceptions) for node in nodes(manifest).values()}
    kept: list[Violation] = []
    waived: list[tuple[Violation, str]] = []
    for violation in all_violations(manifest):
        reason = reasons.get(violation.model, {}).get(violation.rule)
        if reason:
            waived.append((violation, str(reason)))
        else:
            kept.append(violation)
    return kept, waived


def violations(manifest: Manifest) -> list[Violation]:
    return split_waived(manifest)[0]


@dataclass(frozen=True)
class Figures:
    models_per_layer: dict[str, int]
    depth: int  # edges on the longest path from a raw input to a metrics model
    deepest: str
    staging_to_staging: int
    largest_model: str
    largest_lines: int
    consumer_inputs: dict[str, int]  # layer -> edges into metrics/semantic models from it


def figures(manifest: Manifest) -> Figures:
    graph = nodes(manifest)
    models = [n for n in graph.values() if n.kind == "model"]
    per_layer = Counter(n.layer for n in graph.values() if n.kind in ("model", "seed", "source"))

    @cache
    def depth(uid: str) -> int:
        known = [p for p in graph[uid].parents if p in graph]
        return 1 + max(depth(p) for p in known) if known else 0

    metrics = [n for n in models if n.layer == "metrics"]
    deepest = max(metrics, key=lambda n: (depth(n.unique_id), n.label), default=None)
    stg_edges = sum(1 for n in models if n.layer == "staging"
                    for p in n.parents if p in graph and graph[p].layer == "staging")
    largest = max(models, key=lambda n: (n.lines, n.label), default=None)
    inputs = Counter(graph[p].layer for n in graph.values()
                     if n.layer in ("metrics", "semantic") and n.kind in ("model", "semantic_model")
                     for p in n.parents if p in graph)
    return Figures(
        models_per_layer={layer: per_layer[layer] for layer in (*LAYERS, "unknown") if per_layer[layer]},
        depth=depth(deepest.unique_id) if deepest else 0, deepest=deepest.label if deepest else "-",
        staging_to_staging=stg_edges, largest_model=largest.label if largest else "-",
        largest_lines=largest.lines if largest else 0, consumer_inputs=dict(sorted(inputs.items())),
    )
