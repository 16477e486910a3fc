"""`python -m metrics_tools structure`: the layer rules checked on target/manifest.json.

Prints a table of violations (model, rule, parent, fix) and the figures that show the shape
(models per layer, DAG depth from raw to the deepest metrics model, staging->staging edges,
lines of the largest model). Exit status 1 when a rule is broken, unless --report-only.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from metrics_tools import PROJECT_DIR
from metrics_tools.cli import ToolError
from metrics_tools.structure.rules import Figures, Manifest, Violation, figures, split_waived


def read_manifest(path: Path) -> Manifest:
    if not path.is_file():
        raise ToolError(f"{path}: no such manifest; run `dbt parse` (or `dbt build`) first, "
                        "or give --manifest <target>/manifest.json")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ToolError(f"{path}: not JSON ({exc.msg}, line {exc.lineno}); run `dbt parse` again") from exc
    if not isinstance(manifest, dict) or "nodes" not in manifest:
        raise ToolError(f"{path}: not a dbt manifest (no `nodes`); give the manifest.json of a dbt target")
    return manifest


def violations_table(found: list[Violation]) -> Table:
    table = Table(title=f"structure: {len(found)} violation(s)", title_justify="left")
    for column in ("model", "rule", "parent", "fix"):
        table.add_column(column, overflow="fold")
    for v in found:
        table.add_row(v.model, v.rule, v.parent, v.fix)
    return table


def figures_table(fig: Figures) -> Table:
    table = Table(title="structure: figures", title_justify="left")
    table.add_column("figure")
    table.add_column("value", overflow="fold")
    table.add_row("models per layer", ", ".join(f"{layer} {count}" for layer, count in fig.models_per_layer.items()))
    table.add_row("DAG depth (raw -> deepest metrics model)", f"{fig.depth} ({fig.deepest})")
    table.add_row("staging->staging edges", str(fig.staging_to_staging))
    table.add_row("largest model (lines of SQL)", f"{fig.largest_model} ({fig.largest_lines})")
    table.add_row("metrics/semantic inputs by layer",
                  ", ".join(f"{layer} {count}" for layer, count in fig.consumer_inputs.items()) or "-")
    return table


@click.command()
@click.option("--manifest", "manifest_path", type=click.Path(path_type=Path),
              default=PROJECT_DIR / "target" / "manifest.json", show_default=True,
              help="a dbt manifest.json (from `dbt parse` or `dbt build`)")
@click.option("--report-only", is_flag=True, help="print the violations but exit 0")
def structure(manifest_path: Path, report_only: bool) -> int:
    """Check the project's layer rules on a dbt manifest: staging reads only sources and seeds,
    no staging->staging, intermediate reads staging/intermediate/seeds, metrics and semantic
    models read only marts (and seeds), no rejoined concepts, every public model contracted,
    exposures on public models or marts, every model in its layer's folder."""
    manifest = read_manifest(manifest_path)
    found, waived = split_waived(manifest)
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=160)  # a CI log: do not fold the fixes at 80
    if waived:
        table = Table(title=f"structure: {len(waived)} exception(s) written in the models' YAML", title_justify="left")
        for column in ("model", "rule", "parent", "why"):
            table.add_column(column)
        for violation, reason in waived:
            table.add_row(violation.model, violation.rule, violation.parent, reason)
        console.print(table)
    if found:
        console.print(violations_table(found))
    console.print(figures_table(figures(manifest)))
    if not found:
        console.print("structure: OK - every layer rule holds" + (f" ({len(waived)} written exception(s))" if waived else ""))
        return 0
    rules = sorted({v.rule for v in found})
    console.print(f"structure: {len(found)} violation(s) of {len(rules)} rule(s): {', '.join(rules)}")
    return 0 if report_only else 1
