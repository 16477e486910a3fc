"""Access (issue 7, item 6): models that hold raw personal data are private to data_platform.

- From a parse of the project (manifest.json): every staging model, the quarantine included, is
  `access: private` in the `data_platform` group; the public models are exactly the metric
  models, and each of them has an enforced contract.
- In a throw-away copy of the project, a model of another group that refs `stg_events` or
  `stg_events_quarantine` fails to parse; the same model reading a public metric model, and a
  data_platform model reading staging, parse fine (the failure is the access rule).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import oracle
from dbt_helpers import run_dbt
from reliability_helpers import copy_project, output

OTHER_GROUP_YAML = """
groups:
  - name: marketing
    owner:
      name: Marketing analytics
      email: marketing@example.com

models:
  - name: marketing_report
    description: A model of another team.
    config:
      group: marketing
  - name: platform_helper
    description: A model of the data platform team.
    config:
      group: data_platform
      access: private
"""


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    db_path = tmp_path_factory.mktemp("access_parse") / "parse.duckdb"
    run_dbt(["parse"], db_path)
    return json.loads((db_path.parent / "target" / "manifest.json").read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}


def test_staging_and_quarantine_are_private_to_data_platform(manifest: dict) -> None:
    models = _models(manifest)
    staging = {name: node for name, node in models.items()
               if node["original_file_path"].startswith("models/staging/")}
    assert {"stg_raw_events", "stg_events", "stg_events_quarantine"} <= set(staging)
    wrong = {name: (node["access"], node["group"]) for name, node in staging.items()
             if (node["access"], node["group"]) != ("private", "data_platform")}
    assert wrong == {}


def test_only_metric_models_are_public(manifest: dict) -> None:
    models = _models(manifest)
    public = {name for name, node in models.items() if node["access"] == "public"}
    metric_files = {name for name, node in models.items()
                    if node["original_file_path"].startswith("models/metrics/")}
    assert public == metric_files
    assert set(oracle.PUBLIC_MODELS) <= public
    unenforced = [name for name in public if not models[name]["config"]["contract"]["enforced"]]
    assert unenforced == []


def _parse_with(project: Path, work: Path, marketing_ref: str, platform_ref: str):
    models = project / "models" / "other_team"
    models.mkdir(exist_ok=True)
    (models / "_other_team.yml").write_text(OTHER_GROUP_YAML)
    (models / "marketing_report.sql").write_text(f"select * from {{{{ ref('{marketing_ref}') }}}}\n")
    (models / "platform_helper.sql").write_text(f"select * from {{{{ ref('{platform_ref}') }}}}\n")
    return run_dbt(["parse"], work / "parse.duckdb", project_dir=project, check=False)


def test_another_group_cannot_ref_staging(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    for private_model in ("stg_events", "stg_events_quarantine"):
        result = _parse_with(project, tmp_path, private_model, "stg_events")
        text = output(result)
        assert result.returncode != 0, f"marketing_report could ref {private_model}"
        assert "marketing_report" in text and private_model in text, text[-3000:]
        assert "private" in text and "data_platform" in text, text[-3000:]
    # Control: the same files parse when the other team reads a public model.
    result = _parse_with(project, tmp_path, "metrics_active_users_daily", "stg_events")
    assert result.returncode == 0, output(result)[-3000:]
