"""Quality thresholds per team: the dbt test names team, day and share exactly when the contract says.

The share of each team's rejected raw rows per received day is computed in Python from the
contract (tests/oracle.py's staging rules; a rejected row belongs to its event's owner team after
alias resolution, `unassigned` when the name does not resolve) and compared with the rows the
compiled dbt test returns on the session's `default_db` build: with the seed's thresholds (the
sample must pass), with strict thresholds (many breaches, every one compared), and on a
hand-worked table. No dbt build of its own: the compiled test SQL is run on the built database.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

import oracle
import verification
from dbt_helpers import SEEDS_DIR

COMPILED = Path("compiled", "product_metrics", "seeds", "_seeds.yml")
THRESHOLDS_RELATION = re.compile(r'(?:"[^"]*"\.)?"reference"\."data_quality_thresholds"')
QUALITY_RELATION = re.compile(r'(?:"[^"]*"\.)?"metrics"\."metrics_data_quality_daily"')

Breach = tuple[str, date, int, int]  # team, received day, rejected rows, all rows


def read_thresholds(path: Path) -> dict[str, tuple[float, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["owner_team"]: (float(row["max_rejected_share"]), row["severity"]) for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def team_days() -> dict[tuple[str, date], tuple[int, int]]:
    """(team, received day) -> (rejected rows, all rows), from the contract on the raw seed."""
    seeds = oracle.load_seeds(SEEDS_DIR)
    clean, quarantine = oracle.classify(oracle.load_raw_csv(SEEDS_DIR / "raw_events.csv"), seeds)
    counts: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
    for row in clean.itertuples():
        counts[(seeds.tracking_plan[row.event_name].owner_team, row.received_date)][1] += 1
    for row in quarantine.itertuples():
        if row.received_date is None:
            continue  # no received day: not judged
        counts[(row.owner_team, row.received_date)][0] += 1
        counts[(row.owner_team, row.received_date)][1] += 1
    return {key: (rejected, total) for key, (rejected, total) in counts.items()}


def expected_breaches(
    days: dict[tuple[str, date], tuple[int, int]], thresholds: dict[str, tuple[float, str]], level: str
) -> list[Breach]:
    breaches = []
    for (team, day), (rejected, total) in days.items():
        if team in thresholds and thresholds[team][1] == level and rejected / total > thresholds[team][0]:
            breaches.append((team, day, rejected, total))
    return sorted(breaches)


def values_sql(rows: list[tuple[Any, ...]], columns: str) -> str:
    def literal(value: Any) -> str:
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        if isinstance(value, date):
            return f"date '{value.isoformat()}'"
        return "null" if value is None else repr(value)

    body = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    return f"(select * from (values {body}) as t({columns}))"


def run_test_sql(
    db_path: Path, level: str, thresholds: dict[str, tuple[float, str]], quality: list[tuple[Any, ...]] | None = None
) -> list[Breach]:
    """The compiled dbt test of one severity, with the thresholds (and quality rows) given."""
    sql = (db_path.parent / "target" / COMPILED / f"rejected_share_within_threshold_{level}.sql").read_text(encoding="utf-8")
    table = values_sql([(team, share, severity) for team, (share, severity) in thresholds.items()],
                       "owner_team, max_rejected_share, severity")
    sql = THRESHOLDS_RELATION.sub(lambda _: table, sql)
    if quality is not None:
        sql = QUALITY_RELATION.sub(lambda _: values_sql(quality, "received_date, owner_team, reason, rows"), sql)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    for team, day, share, _, rejected, total in rows:
        assert abs(float(share) - rejected / total) <= 5e-5 + 1e-9, f"{team} {day}: share {share} is not {rejected}/{total}"
    return sorted((team, day, int(rejected), int(total)) for team, day, _, _, rejected, total in rows)


def test_sample_passes_its_thresholds(default_db: Path, team_days: dict[tuple[str, date], tuple[int, int]]) -> None:
    thresholds = read_thresholds(SEEDS_DIR / "data_quality_thresholds.csv")
    judged = [key for key in team_days if key[0] in thresholds]
    for level in ("error", "warn"):
        expected = expected_breaches(team_days, thresholds, level)
        actual = run_test_sql(default_db, level, thresholds)
        verification.record("thresholds", f"seed thresholds ({level})", "seed", len(judged), int(actual != expected), "team-days")
        assert expected == [] and actual == [], (expected, actual)
    # Every planned team with rows has a threshold (unassigned rows are all rejected by definition).
    assert {team for team, _ in team_days} - set(thresholds) == {"unassigned"}


def test_strict_thresholds_name_every_breach(default_db: Path, team_days: dict[tuple[str, date], tuple[int, int]]) -> None:
    teams = sorted({team for team, _ in team_days})
    strict = {team: (0.03, "error" if index % 2 else "warn") for index, team in enumerate(teams)}
    total = 0
    for level in ("error", "warn"):
        expected = expected_breaches(team_days, strict, level)
        actual = run_test_sql(default_db, level, strict)
        verification.record("thresholds", f"strict thresholds ({level})", "seed", len(expected), int(actual != expected), "breaches")
        assert actual == expected
        total += len(expected)
    assert total > 50, "strict thresholds should catch many team-days on the sample"


def test_shares_by_hand(default_db: Path) -> None:
    day1, day2 = date(2026, 1, 1), date(2026, 1, 2)
    quality = [
        (day1, "alpha", "accepted", 3), (day1, "alpha", "invalid_properties", 1),  # 1/4 = 0.25 > 0.2
        (day2, "alpha", "accepted", 9), (day2, "alpha", "duplicate_event", 1),  # 1/10 = 0.1, not above
        (day1, "beta", "accepted", 1), (day1, "beta", "missing_identity", 1),  # 1/2 = 0.5, equal: not above
        (day2, "beta", "unplanned_event", 2),  # 2/2 = 1.0 > 0.5 (beta warns)
        (day1, "unassigned", "unplanned_event", 7),  # no threshold: not judged
        (None, "alpha", "invalid_timestamp", 5),  # no received day: not judged
    ]
    thresholds = {"alpha": (0.2, "error"), "beta": (0.5, "warn")}
    assert run_test_sql(default_db, "error", thresholds, quality) == [("alpha", day1, 1, 4)]
    assert run_test_sql(default_db, "warn", thresholds, quality) == [("beta", day2, 2, 2)]
