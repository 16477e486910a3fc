"""Raw rows that moved between clean and quarantine (or between reasons), matched by raw row
identity (source file + raw row number)."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from metrics_tools.impact.builds import Build
from metrics_tools.impact.relations import table_columns


def find_relation(manifest: dict[str, Any], predicate: Any) -> dict[str, Any] | None:
    matches = [node for node in manifest["nodes"].values() if node["resource_type"] in ("model", "seed") and predicate(node)]
    return matches[0] if matches else None


def outcomes_sql(con: duckdb.DuckDBPyConnection, catalog: str, manifest: dict[str, Any]) -> str | None:
    """SQL for every raw row's outcome in one build: (source_file, raw_row_number, event,
    name_sent, outcome, owner_team). None when the build has no quarantine relation."""
    # The contract's name first; an ephemeral model (no relation of its own) never.
    quarantine = find_relation(manifest, lambda n: n["name"] == "stg_events_quarantine") or find_relation(
        manifest, lambda n: n["resource_type"] == "model" and "quarantine" in n["name"]
        and (n.get("config") or {}).get("materialized") != "ephemeral")
    plan = find_relation(manifest, lambda n: n["resource_type"] == "seed" and n["name"] == "tracking_plan")
    if quarantine is None or plan is None:
        return None
    # The clean events: a model with raw row identity and a resolved person (known names first,
    # so a renamed layer still works).
    identity = {"source_file", "raw_row_number", "event_name", "user_key"}
    preferred = ("stg_events", "int_events", "fct_events")
    models = sorted(
        (n for n in manifest["nodes"].values() if n["resource_type"] == "model" and "quarantine" not in n["name"]
         and (n.get("config") or {}).get("materialized") != "ephemeral"),
        key=lambda n: (preferred.index(n["name"]) if n["name"] in preferred else len(preferred), n["name"]),
    )
    clean = next((n for n in models if identity <= set(table_columns(con, catalog, n))), None)
    if clean is None:
        return None
    q_columns = table_columns(con, catalog, quarantine)
    named = [c for c in ("resolved_event_name", "normalized_event_name", "event_name") if c in q_columns]
    if not named:
        return None
    event = "coalesce(" + ", ".join(named) + ")"

    def rel(node: dict[str, Any]) -> str:
        return f'{catalog}."{node["schema"]}"."{node.get("alias") or node["name"]}"'

    return f"""
        select c.source_file, c.raw_row_number, c.event_name as event, null as name_sent,
            'accepted' as outcome, coalesce(p.owner_team, 'unassigned') as owner_team
        from {rel(clean)} as c left join {rel(plan)} as p on c.event_name = p.event_name
        union all
        select q.source_file, q.raw_row_number, {event} as event, q.event_name as name_sent,
            q.reason as outcome, q.owner_team
        from {rel(quarantine)} as q
    """


def quarantine_movements(con: duckdb.DuckDBPyConnection, base: Build, head: Build) -> pd.DataFrame | None:
    """Raw rows whose outcome (clean or a quarantine reason) differs, by event, outcome and team;
    None when a build has no quarantine or clean events with raw row identity."""
    base_sql, head_sql = outcomes_sql(con, "base", base.manifest), outcomes_sql(con, "head", head.manifest)
    columns = ["event", "name_sent", "base_outcome", "head_outcome", "base_owner_team", "head_owner_team", "rows"]
    if base_sql is None or head_sql is None:
        return None
    return con.execute(
        f"""
        with b as ({base_sql}), h as ({head_sql})
        select
            coalesce(b.event, h.event) as event,
            coalesce(h.name_sent, b.name_sent) as name_sent,
            coalesce(b.outcome, '(absent)') as base_outcome,
            coalesce(h.outcome, '(absent)') as head_outcome,
            b.owner_team as base_owner_team,
            h.owner_team as head_owner_team,
            count(*) as rows
        from b full outer join h
            on b.source_file = h.source_file and b.raw_row_number = h.raw_row_number
        where b.outcome is distinct from h.outcome
        group by all
        order by rows desc, event, base_outcome, head_outcome
        """
    ).df()[columns]
