"""The base and change projects (git archive, working-tree copy, generated raw file) and their dbt
builds: the base in full, the change from a copy of the base database (`state:modified+`)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
# Project inputs that decide what dbt builds; anything else (docs, scripts, tests) cannot move a number.
BUILD_INPUTS = ("models", "macros", "seeds", "snapshots", "analyses", "tests/dbt", "dbt_project.yml", "profiles")
# A change to these cannot be followed by `state:modified`: the change is then built in full.
FULL_BUILD_INPUTS = ("dbt_project.yml", "profiles")
# dbt compares seeds over 1 MB by path only, so a changed large seed is built in full too.
SEED_CHECKSUM_LIMIT = 1_000_000
GENERATED_ARGS = ("--seed", "7", "--users", "200", "--days", "30")


class ImpactError(click.ClickException):
    """A failure reported in one line (exit code 1)."""


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
    """A small generated raw file written by that project's own generator (the `metrics_tools`
    package, or the older `scripts/generate_events.py`), or None when it has none."""
    if (project_dir / "metrics_tools" / "generate").is_dir():
        command = [sys.executable, "-m", "metrics_tools", "generate"]
    elif (project_dir / "scripts" / "generate_events.py").exists():
        command = [sys.executable, str(project_dir / "scripts" / "generate_events.py")]
    else:
        return None
    env = {**os.environ, "PYTHONPATH": str(project_dir)}
    subprocess.run(
        [*command, *GENERATED_ARGS, "--output", str(output)],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return output
