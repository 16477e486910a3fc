"""The structure check (`python -m metrics_tools structure`): each rule fails on a small crafted
manifest that breaks it, and a clean one passes. No dbt: the manifests are dicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dbt_helpers import PROJECT_DIR
from metrics_tools.structure.rules import figures, violations

PACKAGE = "proj"


def model(name: str, parents: tuple[str, ...] = (), folder: str | None = None, access: str = "protected",
          contract: bool = False, lines: int = 5, version: int | None = None) -> dict[str, Any]:
    layer_folder = folder or {"stg": "staging", "int": "intermediate", "fct": "marts", "dim": "marts",
                              "metrics": "metrics"}.get(name.split("_")[0], "semantic")
    uid = f"model.{PACKAGE}.{name}" + (f".v{version}" if version is not None else "")
    return {"unique_id": uid, "resource_type": "model", "name": name, "version": version,
            "original_file_path": f"models/{layer_folder}/{name}.sql", "access": access,
            "config": {"contract": {"enforced": contract}}, "raw_code": "select 1\n" * lines,
            "depends_on": {"nodes": [uid_of(p) for p in parents]}}


def uid_of(name: str) -> str:
    if name.startswith("raw."):
        return f"source.{PACKAGE}.{name}"
    if name.startswith("seed_"):
        return f"seed.{PACKAGE}.{name}"
    return f"model.{PACKAGE}.{name}"


def manifest(*models: dict[str, Any], semantic: dict[str, tuple[str, ...]] | None = None,
             exposures: dict[str, tuple[str, ...]] | None = None) -> dict[str, Any]:
    nodes = {m["unique_id"]: m for m in models}
    for seed in ("seed_plan",):
        nodes[f"seed.{PACKAGE}.{seed}"] = {"unique_id": f"seed.{PACKAGE}.{seed}", "resource_type": "seed",
                                           "name": seed, "original_file_path": f"seeds/{seed}.csv"}
    return {
        "nodes": nodes,
        "sources": {f"source.{PACKAGE}.raw.events": {"unique_id": f"source.{PACKAGE}.raw.events",
                                                       "resource_type": "source", "name": "events",
                                                       "source_name": "raw"}},
        "semantic_models": {f"semantic_model.{PACKAGE}.{n}": {
            "unique_id": f"semantic_model.{PACKAGE}.{n}", "resource_type": "semantic_model", "name": n,
            "depends_on": {"nodes": [uid_of(p) for p in ps]}} for n, ps in (semantic or {}).items()},
        "exposures": {f"exposure.{PACKAGE}.{n}": {
            "unique_id": f"exposure.{PACKAGE}.{n}", "resource_type": "exposure", "name": n,
            "depends_on": {"nodes": [uid_of(p) for p in ps]}} for n, ps in (exposures or {}).items()},
    }


def clean_models() -> list[dict[str, Any]]:
    """raw.events -> stg_events -> int_events__judged -> fct_events -> metrics_daily (public)."""
    return [
        model("stg_events", ("raw.events",)),
        model("stg_plan", ("seed_plan",)),
        model("int_events__judged", ("stg_events", "stg_plan")),
        model("int_events__sessions", ("int_events__judged",)),
        model("fct_events", ("int_events__sessions",)),
        model("dim_users", ("int_events__judged",)),
        model("metrics_daily", ("fct_events", "dim_users", "seed_plan"), access="public", contract=True),
    ]


def clean_manifest() -> dict[str, Any]:
    return manifest(*clean_models(), semantic={"events": ("fct_events",)},
                    exposures={"dashboard": ("metrics_daily", "fct_events")})


def rules_broken(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(v.model, v.rule, v.parent) for v in violations(data)}


def test_a_clean_project_passes_and_its_figures_are_counted() -> None:
    data = clean_manifest()
    assert violations(data) == []
    fig = figures(data)
    assert fig.models_per_layer == {"source": 1, "seed": 1, "staging": 2, "intermediate": 2, "marts": 2, "metrics": 1}
    # raw.events -> stg_events -> int_events__judged -> int_events__sessions -> fct_events -> metrics_daily
    assert (fig.depth, fig.deepest) == (5, "metrics_daily")
    assert fig.staging_to_staging == 0
    assert fig.consumer_inputs == {"marts": 3, "seed": 1}


def test_staging_reads_only_sources_and_seeds() -> None:
    models = clean_models() + [model("stg_wide", ("int_events__judged",))]
    assert ("stg_wide", "staging reads intermediate", "int_events__judged") in rules_broken(manifest(*models))


def test_no_staging_to_staging_edges() -> None:
    models = clean_models() + [model("stg_more", ("stg_events",))]
    data = manifest(*models)
    assert ("stg_more", "no staging->staging", "stg_events") in rules_broken(data)
    assert figures(data).staging_to_staging == 1


@pytest.mark.parametrize("parent,layer", [("raw.events", "source"), ("fct_events", "marts")])
def test_intermediate_reads_staging_intermediate_or_seeds(parent: str, layer: str) -> None:
    models = clean_models() + [model("int_other", (parent,))]
    expected_parent = "raw.events" if parent == "raw.events" else parent
    assert ("int_other", f"intermediate reads {layer}", expected_parent) in rules_broken(manifest(*models))


def test_metrics_read_only_marts() -> None:
    models = clean_models() + [model("metrics_more", ("int_events__sessions",), access="public", contract=True)]
    assert ("metrics_more", "metrics reads intermediate", "int_events__sessions") in rules_broken(manifest(*models))


def test_a_model_version_may_read_another_version_of_itself() -> None:
    models = clean_models() + [
        model("metrics_funnel", ("fct_events",), access="public", contract=True, version=2),
        model("metrics_funnel", ("metrics_funnel.v2",), access="public", contract=True, version=1),
    ]
    models[-1]["depends_on"]["nodes"] = [f"model.{PACKAGE}.metrics_funnel.v2"]
    assert violations(manifest(*models)) == []


def test_semantic_models_read_only_marts() -> None:
    data = manifest(*clean_models(), semantic={"sessions": ("int_events__sessions",)})
    assert ("sessions", "semantic reads intermediate", "int_events__sessions") in rules_broken(data)


def test_rejoined_concepts_are_found() -> None:
    # stg_events -> int_events__judged -> int_joined, and int_joined reads stg_events too;
    # int_events__judged has no other child: the evaluator's "rejoining of upstream concepts".
    models = [
        model("stg_events", ("raw.events",)),
        model("int_events__judged", ("stg_events",)),
        model("int_joined", ("stg_events", "int_events__judged")),
        model("fct_events", ("int_joined",)),
    ]
    assert rules_broken(manifest(*models)) == {("int_joined", "rejoined concept", "int_events__judged")}
    # The middle model with a second child is a shared concept, not a rejoin.
    models.append(model("dim_users", ("int_events__judged",)))
    assert violations(manifest(*models)) == []


def test_every_public_model_has_an_enforced_contract() -> None:
    models = clean_models() + [model("metrics_loose", ("fct_events",), access="public", contract=False)]
    assert ("metrics_loose", "public model without an enforced contract", "-") in rules_broken(manifest(*models))


def test_exposures_depend_only_on_public_models_or_marts() -> None:
    data = manifest(*clean_models(), exposures={"notebook": ("metrics_daily", "int_events__sessions")})
    assert rules_broken(data) == {("notebook", "exposure reads a non-public, non-mart model", "int_events__sessions")}


def test_every_model_lives_in_its_layers_folder() -> None:
    models = clean_models() + [model("fct_misplaced", ("int_events__judged",), folder="intermediate"),
                               model("orders", ("stg_events",), folder="marts")]
    broken = rules_broken(manifest(*models))
    assert ("fct_misplaced", "model outside its layer's folder", "-") in broken
    assert ("orders", "unknown layer prefix", "-") in broken


def test_the_command_prints_the_table_and_exits_1_on_violations(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest(*clean_models(), semantic={"s": ("int_events__sessions",)})))
    command = [sys.executable, "-m", "metrics_tools", "structure", "--manifest", str(path)]
    failed = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "semantic reads intermediate" in failed.stdout and "DAG depth" in failed.stdout
    reported = subprocess.run([*command, "--report-only"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert reported.returncode == 0 and "1 violation(s)" in reported.stdout
    path.write_text(json.dumps(clean_manifest()))
    clean = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert clean.returncode == 0 and "every layer rule holds" in clean.stdout


def test_the_command_names_a_missing_manifest_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "metrics_tools", "structure", "--manifest", str(tmp_path / "no.json")],
                            cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "no.json" in result.stderr and "dbt parse" in result.stderr


def test_an_exception_written_in_the_models_yaml_waives_only_its_rule() -> None:
    reader = model("stg_events_view", ("int_events__judged",))

    def broken() -> list[str]:
        return [v.rule for v in violations(manifest(*clean_models(), reader)) if v.model == "stg_events_view"]

    assert broken() == ["staging reads intermediate"]
    reader["config"]["meta"] = {"structure_exceptions": {"rejoined concept": "another rule"}}
    assert broken() == ["staging reads intermediate"]
    reader["config"]["meta"] = {"structure_exceptions": {"staging reads intermediate": "the contract's name"}}
    assert broken() == []
