"""The impact report names exactly what a change moves, and nothing for a comment.

Each case edits a temporary copy of the project (a tracking-plan row, an alias, a funnel step, a
metric's SQL, a comment), builds only what changed and its downstream models from a copy of the
session's `default_db` (the base, built once for the whole session), and compares. Expected
movements are computed by the Python oracle (tests/oracle.py) on the raw seed with the base and
the edited seeds, never read from the report's own queries.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import oracle
from dbt_helpers import PROJECT_DIR, SEEDS_DIR

sys.path.insert(0, str(PROJECT_DIR))
from metrics_tools.impact import builds, compare, report  # noqa: E402

SAMPLE = builds.Dataset("Sample seed")
DATA_QUALITY = "metrics_data_quality_daily"
EVENT_VOLUME = "metrics_event_volume_daily"


@pytest.fixture(scope="module")
def base_build(default_db: Path, tmp_path_factory: pytest.TempPathFactory) -> builds.Build:
    """The session's default build is the base (copied, then parsed where the impact report
    keeps its builds, so that every case re-parses only the files it edits)."""
    build = builds.Build(PROJECT_DIR, tmp_path_factory.mktemp("impact_base"))
    shutil.copyfile(default_db, build.db_path)
    builds.run_dbt(["parse"], build, SAMPLE)
    return build


def run_case(
    base: builds.Build, work: Path, edit: Callable[[Path], None], models: list[str]
) -> compare.DatasetImpact:
    head = builds.copy_project(PROJECT_DIR, work / "project")
    edit(head)
    build = builds.build_change(head, base, work / "build", SAMPLE, models)
    return compare.compare(base, build, SAMPLE.label, models)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@functools.cache
def classified(seeds_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, oracle.PlannedEvent]]:
    """The oracle's (clean, quarantine, tracking plan) of the raw seed under the given seeds."""
    seeds = oracle.load_seeds(seeds_dir)
    clean, quarantine = oracle.classify(oracle.load_raw_csv(SEEDS_DIR / "raw_events.csv"), seeds)
    return clean, quarantine, seeds.tracking_plan


def outcomes(seeds_dir: Path) -> dict[int, tuple[str, str, str | None]]:
    """Raw row number -> (outcome, owner team, canonical event) by the oracle's staging rules."""
    clean, quarantine, plan = classified(seeds_dir)
    result: dict[int, tuple[str, str, str | None]] = {}
    for row in clean.itertuples():
        result[row.raw_row_number] = ("accepted", plan[row.event_name].owner_team, row.event_name)
    for row in quarantine.itertuples():
        result[row.raw_row_number] = (row.reason, row.owner_team, row.event_name)
    return result


@pytest.fixture(scope="module")
def base_outcomes() -> dict[int, tuple[str, str, str | None]]:
    return outcomes(SEEDS_DIR)


def quality_rows(seeds_dir: Path) -> Counter[tuple[Any, str, str]]:
    """metrics_data_quality_daily by the contract: raw rows per (received_date, owner_team, reason)."""
    clean, quarantine, plan = classified(seeds_dir)
    counts: Counter[tuple[Any, str, str]] = Counter()
    for row in clean.itertuples():
        counts[(row.received_date, plan[row.event_name].owner_team, "accepted")] += 1
    for row in quarantine.itertuples():
        counts[(row.received_date, row.owner_team, row.reason)] += 1
    return counts


def expected_quality_diff(edited_seeds: Path) -> tuple[int, int, int]:
    """(added, removed, changed) rows of the data-quality model between the two seed versions."""
    before, after = quality_rows(SEEDS_DIR), quality_rows(edited_seeds)
    changed = sum(1 for key in before.keys() & after.keys() if before[key] != after[key])
    return len(after.keys() - before.keys()), len(before.keys() - after.keys()), changed


def moved_rows(result: compare.DatasetImpact) -> pd.DataFrame:
    assert result.movements is not None, "clean/quarantine movement was not compared"
    return result.movements


def changed_names(result: compare.DatasetImpact) -> set[str]:
    return {model.name for model in result.changed_models}


def model(result: compare.DatasetImpact, name: str) -> compare.ModelDiff:
    return next(m for m in result.models if m.name == name)


def test_tracking_plan_owner_change_moves_only_data_quality(base_build: builds.Build, tmp_path: Path) -> None:
    def edit(project: Path) -> None:
        text = (project / "seeds" / "tracking_plan.csv").read_text(encoding="utf-8")
        line = next(line for line in text.splitlines() if line.startswith("song_shared,"))
        (project / "seeds" / "tracking_plan.csv").write_text(
            text.replace(line, line.replace(",social,", ",playback,", 1)), encoding="utf-8"
        )

    result = run_case(base_build, tmp_path, edit, [DATA_QUALITY, EVENT_VOLUME])
    assert changed_names(result) == {DATA_QUALITY}
    assert moved_rows(result).empty, "an owner change moves no raw row between clean and quarantine"
    quality = model(result, DATA_QUALITY)
    added, removed, changed = expected_quality_diff(tmp_path / "project" / "seeds")
    assert (quality.added, quality.removed, quality.changed) == (added, removed, changed)
    assert added + removed + changed > 0
    assert [c.column for c in quality.columns] == ["rows"]
    assert all("owner_team=social" in key or "owner_team=playback" in key for key in quality.added_keys + quality.removed_keys)


def test_alias_rename_moves_the_alias_rows_to_quarantine(
    base_build: builds.Build, base_outcomes: dict[int, tuple[str, str, str | None]], tmp_path: Path
) -> None:
    def edit(project: Path) -> None:
        replace_in(project / "seeds" / "event_aliases.csv", "app_launch,app_opened", "app_launch_v0,app_opened")

    result = run_case(base_build, tmp_path, edit, [DATA_QUALITY, EVENT_VOLUME])
    after = outcomes(tmp_path / "project" / "seeds")
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for number, (outcome, team, event) in base_outcomes.items():
        if after[number][0] != outcome:
            expected[(str(event), outcome, after[number][0], team)] += 1
    assert expected, "the sample has rows sent as app_launch"
    actual: Counter[tuple[str, str, str, str]] = Counter()
    for row in moved_rows(result).itertuples():
        actual[(row.event, row.base_outcome, row.head_outcome, row.base_owner_team)] += int(row.rows)
    assert actual == expected
    assert set(moved_rows(result)["head_owner_team"]) == {"unassigned"}
    assert all(oracle.normalize_name(name) == "app_launch" for name in moved_rows(result)["name_sent"])
    assert changed_names(result) == {DATA_QUALITY, EVENT_VOLUME}
    quality = model(result, DATA_QUALITY)
    assert (quality.added, quality.removed, quality.changed) == expected_quality_diff(tmp_path / "project" / "seeds")
    volume = model(result, EVENT_VOLUME)
    assert volume.added == 0 and {c.column for c in volume.columns} <= {"events", "users"}
    assert all("event_name=app_opened" in c.abs_key for c in volume.columns)
    text = report.render([result], "base", "change")
    assert "| app_opened" in text and "unplanned_event" in text and "No public numbers changed" not in text


def test_funnel_step_change_moves_only_that_funnel(base_build: builds.Build, tmp_path: Path) -> None:
    def edit(project: Path) -> None:
        replace_in(project / "seeds" / "funnel_steps.csv", "search_to_play,2,song_played", "search_to_play,2,song_liked")

    funnel_models = ["metrics_funnel_conversion", "metrics_funnel_time_to_convert"]
    result = run_case(base_build, tmp_path, edit, [*funnel_models, DATA_QUALITY])
    from oracle_funnels import default_funnel_names

    expected = {"metrics_funnel_conversion v2", "metrics_funnel_time_to_convert"}
    if "search_to_play" in default_funnel_names(SEEDS_DIR):
        expected.add("metrics_funnel_conversion v1")
    assert changed_names(result) == expected
    assert moved_rows(result).empty
    for diff in result.changed_models:
        keys = diff.added_keys + diff.removed_keys + [c.abs_key for c in diff.columns]
        assert keys and all("funnel_name=search_to_play" in key for key in keys), (diff.name, keys)


def edit_event_volume(old: str, new: str) -> Callable[[Path], None]:
    def edit(project: Path) -> None:
        replace_in(project / "models" / "metrics" / f"{EVENT_VOLUME}.sql", old, new)

    return edit


def test_metric_sql_change_names_the_model_the_column_and_the_downstream(
    base_build: builds.Build, tmp_path: Path
) -> None:
    edit = edit_event_volume("cast(sum(user_events.events) as bigint)", "cast(sum(user_events.events) + 1 as bigint)")
    result = run_case(base_build, tmp_path, edit, [EVENT_VOLUME, DATA_QUALITY])
    assert changed_names(result) == {EVENT_VOLUME}
    volume = model(result, EVENT_VOLUME)
    assert (volume.added, volume.removed, volume.changed) == (0, 0, volume.base_rows)
    assert [(c.column, c.changed_rows, c.abs_change) for c in volume.columns] == [("events", volume.base_rows, 1.0)]
    assert moved_rows(result).empty
    exposures = yaml.safe_load((PROJECT_DIR / "models" / "exposures.yml").read_text(encoding="utf-8"))["exposures"]
    readers = sorted(e["name"] for e in exposures if f"ref('{EVENT_VOLUME}')" in e["depends_on"])
    assert result.downstream["exposures"] == readers


def test_comment_only_change_reports_nothing(base_build: builds.Build, tmp_path: Path) -> None:
    edit = edit_event_volume("-- One row per person", "-- A reviewer's note. One row per person")
    result = run_case(base_build, tmp_path, edit, [EVENT_VOLUME, DATA_QUALITY])
    assert not result.moved and moved_rows(result).empty
    text = report.render([result], "base", "change")
    assert "No public numbers changed" in text
    assert not re.search(r"^\|", text, flags=re.MULTILINE), "a comment-only report lists nothing"


def test_impact_command_has_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "metrics_tools", "impact", "--help"], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "--base" in result.stdout


def test_unknown_base_ref_fails_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(builds.ImpactError, match="no-such-ref"):
        builds.export_ref("no-such-ref-xyz", PROJECT_DIR, tmp_path / "base")
