"""The impact report as markdown."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from metrics_tools.impact.compare import ColumnChange, DatasetImpact, format_value


def number(value: Any) -> str:
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:,.4g}" if value != int(value) else f"{int(value):,}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return format_value(value)


def change_text(change: ColumnChange) -> str:
    """`base -> change (+delta) at key`."""
    text = f"{number(change.abs_base)} → {number(change.abs_head)}"
    if change.abs_change is not None:
        sign = "+" if float(change.abs_head) >= float(change.abs_base) else "-"
        text += f" ({sign}{number(change.abs_change)})"
    return f"{text} at {change.abs_key}"


def render_dataset(impact: DatasetImpact) -> list[str]:
    lines = [f"## {impact.label}", ""]
    if not impact.moved:
        return lines + ["No public numbers changed.", ""]
    changed = impact.changed_models
    if changed:
        summary = pd.DataFrame(
            [
                {
                    "public model": f"`{m.name}`",
                    "grain": ", ".join(m.key),
                    "rows base": "-" if m.base_rows is None else f"{m.base_rows:,}",
                    "rows change": "-" if m.head_rows is None else f"{m.head_rows:,}",
                    "added": m.added,
                    "removed": m.removed,
                    "changed": m.changed,
                }
                for m in changed
            ]
        )
        unchanged = len(impact.models) - len(changed)
        lines += [summary.to_markdown(index=False), "", f"{unchanged} other public models: no cell changed.", ""]
    for model in changed:
        lines += [f"### `{model.name}`", ""]
        lines += [f"- {item}" for item in model.schema_change]
        if model.added_keys:
            lines.append(f"- rows added ({model.added}), e.g. " + "; ".join(model.added_keys))
        if model.removed_keys:
            lines.append(f"- rows removed ({model.removed}), e.g. " + "; ".join(model.removed_keys))
        lines += [f"- `{column}`: {rows} rows changed" for column, rows in model.other_columns.items()]
        if model.columns:
            table = pd.DataFrame(
                [
                    {
                        "column": f"`{c.column}`",
                        "rows changed": c.changed_rows,
                        "largest absolute change": change_text(c),
                        "largest relative change": "-" if c.rel_change is None else f"{c.rel_change:.1%} at {c.rel_key}",
                    }
                    for c in model.columns
                ]
            )
            lines += ["" if lines[-1] else None, table.to_markdown(index=False)]
            lines = [line for line in lines if line is not None]
        lines.append("")
    if impact.movements is None:
        lines += ["Raw rows between clean and quarantine: not compared (no quarantine or clean events "
                  "with source file and raw row number in one of the builds).", ""]
    elif len(impact.movements):
        moved = impact.movements.copy()
        moved["name_sent"] = moved["name_sent"].fillna("")
        moved.columns = ["event", "name as sent", "base", "change", "owner team (base)", "owner team (change)", "raw rows"]
        lines += [
            "### Raw rows that moved between clean and quarantine",
            "",
            "Matched by raw row identity (source file and row number); `accepted` = clean.",
            "",
            moved.to_markdown(index=False),
            "",
        ]
    if impact.changed_upstream:
        lines += ["Models read by the semantic layer whose data changed: "
                  + ", ".join(f"`{name}`" for name in impact.changed_upstream), ""]
    found = [(label, names) for label, names in impact.downstream.items() if names]
    if found:
        lines += ["### Downstream of the changed models", ""]
        lines += [f"- {label}: " + ", ".join(f"`{n}`" for n in names) for label, names in found]
        lines.append("")
    return lines


def render(impacts: list[DatasetImpact], base_label: str, head_label: str) -> str:
    lines = [f"# Impact report: {head_label} against {base_label}", ""]
    if not any(impact.moved for impact in impacts):
        compared = len(impacts[0].models) if impacts else 0
        return "\n".join(
            lines
            + [
                f"No public numbers changed: {compared} public models compared cell by cell on "
                + " and ".join(impact.label for impact in impacts)
                + (
                    "; raw rows between clean and quarantine not compared (no raw row identity)."
                    if any(impact.movements is None for impact in impacts)
                    else "; no raw row moved between clean and quarantine."
                ),
                "",
            ]
        )
    for impact in impacts:
        lines += render_dataset(impact)
    return "\n".join(lines)
