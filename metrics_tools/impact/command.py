"""The click command `impact`: build base and change on every dataset, compare, write markdown."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from metrics_tools.impact.builds import (
    GENERATED_ARGS,
    Build,
    Dataset,
    build_change,
    build_full,
    copy_project,
    export_ref,
    generate_dataset,
)
from metrics_tools.impact.compare import DatasetImpact, compare
from metrics_tools.impact.report import render

PROJECT_DIR = Path(__file__).resolve().parents[2]


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
