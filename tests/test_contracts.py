"""Contracts of the public metric models (issue 7, item 4).

In a throw-away copy of the project, one public model loses a column and another has a column
retyped; the build must fail on both, naming the contract and the column. The edits wrap the
model's own SQL, so they keep working whatever the model's body becomes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dbt_helpers import PROJECT_DIR
from reliability_helpers import build, copy_project, output

GENERATOR = [sys.executable, "-m", "metrics_tools", "generate"]


def _wrap(model_file: Path, select: str) -> None:
    """Replace the model by `select <select> from (<its own SQL>)`; config() calls still render."""
    original = model_file.read_text()
    model_file.write_text(f"select {select}\nfrom (\n{original}\n) as original_model\n")


def test_removing_or_retyping_a_public_column_fails_the_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    metrics = project / "models" / "metrics"
    _wrap(metrics / "metrics_active_users_daily.sql", "* exclude (wau)")
    _wrap(metrics / "metrics_new_users_daily.sql", "* replace (cast(new_users as varchar) as new_users)")
    raw_path = tmp_path / "raw.csv"
    subprocess.run(
        [*GENERATOR, "--seed", "9", "--events", "2000", "--days", "14",
         "--output", str(raw_path), "--quiet"],
        check=True,
    )
    result = build(
        tmp_path / "contracts.duckdb", raw_path, project_dir=project, check=False,
        command=("build", "--select", "+metrics_active_users_daily", "+metrics_new_users_daily",
                 "--indirect-selection", "cautious"),
    )
    text = output(result)
    assert result.returncode != 0
    for model, column, mismatch in (
        ("metrics_active_users_daily", "wau", "missing in definition"),
        ("metrics_new_users_daily", "new_users", "data type mismatch"),
    ):
        section = text.split(f"in model {model} ", 1)
        assert len(section) == 2, f"no error for {model}:\n{text[-4000:]}"
        message = section[1][:2500]
        assert "enforced contract that failed" in message, message
        assert column in message and mismatch in message, message
    # The models that were not touched still build: the failures are the contracts, nothing else.
    assert "OK created sql table model metrics.metrics_active_users_daily" not in text
    assert "OK created sql table model marts." in text
