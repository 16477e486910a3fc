"""The docs stay in step with the project: generated pages match their sources, every public
metric model is in the catalog, the docs scripts behave, and the documentation linter's project
rules really catch what they claim to (layer prefixes, undocumented columns)."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_helpers import PROJECT_DIR, run_dbt

from metrics_tools import tracking_plan_docs as plan_docs
from metrics_tools.charts.command import CHARTS

TOOLS = [sys.executable, "-m", "metrics_tools"]

DOCS_DIR = PROJECT_DIR / "models" / "docs"
METRICS_DIR = PROJECT_DIR / "models" / "metrics"
DBT_SCORE = Path(sys.executable).with_name("dbt-score")


def public_metric_models() -> list[str]:
    """Metric models by name; a later version's file (`<model>_v2.sql`) shares its model's YAML."""
    return sorted(path.stem for path in METRICS_DIR.glob("metrics_*.sql") if not re.search(r"_v\d+$", path.stem))


def test_tracking_plan_docs_are_up_to_date() -> None:
    expected = plan_docs.render(
        plan_docs.read_plan(plan_docs.DEFAULT_PLAN), plan_docs.read_aliases(plan_docs.DEFAULT_ALIASES)
    )
    current = plan_docs.DEFAULT_OUTPUT.read_text(encoding="utf-8")
    assert current == expected, (
        "models/docs/tracking_plan.md is out of date with seeds/tracking_plan.csv: "
        "run .venv/bin/python -m metrics_tools tracking-plan-docs"
    )


def test_tracking_plan_docs_list_every_planned_event() -> None:
    text = plan_docs.DEFAULT_OUTPUT.read_text(encoding="utf-8")
    for event in plan_docs.read_plan(plan_docs.DEFAULT_PLAN):
        assert f"| `{event.event_name}` |" in text


def test_tracking_plan_renderer_escapes_markdown_and_jinja(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "event_name,description,owner_team,category,status,is_active,is_revenue,is_shipped,required_properties\n"
        'a_b,"x | y {{ z }} {% w %}",team,cat,active,true,false,,"{""k"": ""string""}"\n',
        encoding="utf-8",
    )
    text = plan_docs.render(plan_docs.read_plan(plan), {})
    row = next(line for line in text.splitlines() if line.startswith("| `a_b`"))
    assert "x \\| y &#123;&#123; z &#125;&#125; &#123;% w %&#125;" in row
    assert "| activity |" in row  # empty is_shipped means shipped
    body = text.split("{% docs tracking_plan_events %}", 1)[1]
    assert "{{" not in body and "{%" not in body.replace("{% enddocs %}", "")


def test_tracking_plan_renderer_rejects_bad_input(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("event_name,description\nx,y\n", encoding="utf-8")
    result = subprocess.run(
        [*TOOLS, "tracking-plan-docs", "--plan", str(plan), "--output", str(tmp_path / "o.md")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "missing column" in result.stderr
    check = subprocess.run(
        [*TOOLS, "tracking-plan-docs", "--check", "--output", str(tmp_path / "absent.md")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 1 and "out of date" in check.stderr


def test_every_public_metric_model_is_in_the_catalog() -> None:
    overview = (DOCS_DIR / "overview.md").read_text(encoding="utf-8")
    catalog = (DOCS_DIR / "metric_catalog.md").read_text(encoding="utf-8")
    models = public_metric_models()
    assert models
    for model in models:
        link = f"#!/model/model.product_metrics.{model}"
        assert f"{link})" in overview or f"{link}.v" in overview, f"{model} missing from the overview's catalog"
        assert f"{{% docs catalog_{model} %}}" in catalog, f"{model} has no catalog card in metric_catalog.md"
        yaml_text = (METRICS_DIR / f"{model}.yml").read_text(encoding="utf-8")
        assert f'{{{{ doc("catalog_{model}") }}}}' in yaml_text, f"{model}.yml does not show its catalog card"


def test_docs_images_exist_as_charts() -> None:
    for doc_file in DOCS_DIR.glob("*.md"):
        for image in re.findall(r"\]\(docs/assets/([^)]+)\)", doc_file.read_text(encoding="utf-8")):
            assert image in CHARTS, f"{doc_file.name} shows {image}, which `metrics_tools charts` does not draw"


@pytest.mark.parametrize("command", ["charts", "tracking-plan-docs", "embed-docs"])
def test_docs_commands_have_help(command: str) -> None:
    result = subprocess.run([*TOOLS, command, "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_render_charts_fails_in_one_line_without_a_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [*TOOLS, "charts", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "make build" in result.stderr


# ------------------------------------------------------------------ documentation linter (dbt-score)


@pytest.fixture(scope="module")
def parsed_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The project's manifest from `dbt parse` (no database needed)."""
    db_path = tmp_path_factory.mktemp("parse") / "parse.duckdb"
    run_dbt(["parse"], db_path)
    return json.loads((db_path.parent / "target" / "manifest.json").read_text(encoding="utf-8"))


def lint(manifest: dict[str, object], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return subprocess.run(
        [str(DBT_SCORE), "lint", "--manifest", str(path)],
        cwd=PROJECT_DIR,  # reads pyproject.toml [tool.dbt-score] and the dbt_score_rules package
        capture_output=True,
        text=True,
        check=False,
    )


def test_documentation_lint_passes(parsed_manifest: dict[str, object], tmp_path: Path) -> None:
    result = lint(parsed_manifest, tmp_path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_documentation_lint_fails_on_layer_prefix_break(parsed_manifest: dict[str, object], tmp_path: Path) -> None:
    manifest = copy.deepcopy(parsed_manifest)
    node = manifest["nodes"]["model.product_metrics.dim_users"]  # type: ignore[index]
    node["name"] = "users_dimension"
    result = lint(manifest, tmp_path)
    assert result.returncode == 1
    assert "model_name_has_layer_prefix" in result.stdout and "dim_* or fct_*" in result.stdout


def test_documentation_lint_fails_on_undocumented_column(parsed_manifest: dict[str, object], tmp_path: Path) -> None:
    manifest = copy.deepcopy(parsed_manifest)
    node = manifest["nodes"]["model.product_metrics.metrics_revenue_daily"]  # type: ignore[index]
    node["columns"]["arpu_usd"]["description"] = ""
    result = lint(manifest, tmp_path)
    assert result.returncode == 1 and "columns_have_description" in result.stdout


def test_documentation_lint_fails_on_undocumented_macro_argument(
    parsed_manifest: dict[str, object], tmp_path: Path
) -> None:
    manifest = copy.deepcopy(parsed_manifest)
    macro = manifest["macros"]["macro.product_metrics.safe_divide"]  # type: ignore[index]
    macro["arguments"] = [arg for arg in macro["arguments"] if arg["name"] != "denominator"]
    result = lint(manifest, tmp_path)
    assert result.returncode == 1 and "macro_signature_arguments_documented" in result.stdout
