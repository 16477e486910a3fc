"""Retention charts: weekly heatmap, daily curve, day-N, every retention definition."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from metrics_tools.charts.style import (BLUE, GREY, ORANGE, SCHEMA, new_figure, no_data, query, style_axis)


def chart_retention(con: duckdb.DuckDBPyConnection) -> Figure:
    """Weekly cohort heatmap (left) and the daily retention curve over all cohorts (right)."""
    weekly = query(
        con,
        f"""
        select cohort_week_start_date, week_number, cohort_size, retention_rate
        from {SCHEMA}.metrics_retention_weekly_cohorts
        order by cohort_week_start_date, week_number
        """,
    )
    daily = query(
        con,
        f"""
        select day_number, sum(retained_users) / sum(cohort_size) as retention_rate, count(*) as cohorts
        from {SCHEMA}.metrics_retention_daily_cohorts
        group by day_number
        order by day_number
        """,
    )
    fig = new_figure(11.0, 4.6)
    title = "Retention by first-seen cohort"
    if weekly.empty and daily.empty:
        return no_data(fig, title, "No complete cohort yet")
    heat_ax = fig.add_subplot(1, 2, 1)
    if weekly.empty:
        heat_ax.set_axis_off()
        heat_ax.text(0.5, 0.5, "No complete week yet", ha="center", va="center", color=GREY)
    else:
        grid = weekly.pivot(index="cohort_week_start_date", columns="week_number", values="retention_rate")
        sizes = weekly.groupby("cohort_week_start_date")["cohort_size"].max()
        values = grid.to_numpy(dtype=float)
        image = heat_ax.imshow(np.ma.masked_invalid(values), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        for (row, col), value in np.ndenumerate(values):
            if not np.isnan(value):
                colour = "white" if value > 0.55 else "black"
                heat_ax.text(col, row, f"{value:.0%}", ha="center", va="center", fontsize=8, color=colour)
        heat_ax.set_xticks(range(len(grid.columns)), [str(c) for c in grid.columns])
        heat_ax.set_yticks(
            range(len(grid.index)),
            [f"{pd.Timestamp(d):%d %b} (n={int(sizes[d])})" for d in grid.index],
            fontsize=8,
        )
        heat_ax.set_xlabel("weeks after the cohort week")
        heat_ax.set_title("Weekly retention, cohort week (Monday)", loc="left", fontsize=11, fontweight="bold")
        fig.colorbar(image, ax=heat_ax, fraction=0.046, pad=0.04, format=lambda v, _: f"{v:.0%}")
    curve_ax = fig.add_subplot(1, 2, 2)
    if daily.empty:
        curve_ax.set_axis_off()
        curve_ax.text(0.5, 0.5, "No daily cohort yet", ha="center", va="center", color=GREY)
    else:
        curve_ax.plot(daily["day_number"], daily["retention_rate"], marker="o", color=BLUE, linewidth=2)
        for day, rate in zip(daily["day_number"], daily["retention_rate"], strict=True):
            curve_ax.annotate(f"{rate:.0%}", (day, rate), textcoords="offset points", xytext=(5, 5), ha="left", fontsize=8)
        style_axis(curve_ax, "Day-N retention, all daily cohorts", "share of cohort active on day N")
        curve_ax.set_xlabel("days after first seen")
        curve_ax.set_ylim(0, 1.08)
        curve_ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    fig.tight_layout()
    return fig


def chart_retention_daily(con: duckdb.DuckDBPyConnection) -> Figure:
    """Day-N retention and unbounded retention over all daily cohorts, weighted by cohort size."""
    daily = query(
        con,
        f"""
        select day_number,
               sum(retained_users) / sum(cohort_size) as retention_rate,
               sum(unbounded_retained_users) / sum(cohort_size) as unbounded_retention_rate,
               count(*) as cohorts
        from {SCHEMA}.metrics_retention_daily_cohorts
        group by day_number
        order by day_number
        """,
    )
    fig = new_figure(9.0, 4.6)
    title = "Daily retention: share of a first-seen day's cohort active on day N"
    if daily.empty:
        return no_data(fig, title, "No complete daily cohort yet")
    ax = fig.add_subplot(1, 1, 1)
    # Day numbers (0, 1, 2, 3, 7, 14, 30) are evenly spaced so that every label stays readable.
    x = np.arange(len(daily))
    ax.plot(x, daily["unbounded_retention_rate"], marker="s", color=ORANGE, linewidth=2,
            label="unbounded: day N or any later day")
    ax.plot(x, daily["retention_rate"], marker="o", color=BLUE, linewidth=2.5, label="day N exactly")
    for position, rate, unbounded in zip(x, daily["retention_rate"], daily["unbounded_retention_rate"], strict=True):
        ax.annotate(f"{rate:.0%}", (position, rate), textcoords="offset points", xytext=(0, -18), ha="center",
                    fontsize=11, color=BLUE, fontweight="bold")
        if position > 0:
            ax.annotate(f"{unbounded:.0%}", (position, unbounded), textcoords="offset points", xytext=(0, 8),
                        ha="center", fontsize=10, color=ORANGE)
    style_axis(ax, title, "share of the cohort (weighted by size)")
    ax.set_xlabel("days after first seen (N), and the number of cohorts averaged")
    ax.set_xticks(x, [f"day {d}\n{int(c)} cohorts" for d, c in zip(daily["day_number"], daily["cohorts"], strict=True)],
                  fontsize=10)
    ax.set_ylim(-0.08, 1.1)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(frameon=False, loc="upper right", fontsize=10)
    fig.tight_layout()
    return fig


def chart_retention_weekly(con: duckdb.DuckDBPyConnection) -> Figure:
    """Weekly retention heatmap, one row per cohort week, with legible cell labels."""
    weekly = query(
        con,
        f"""
        select cohort_week_start_date, week_number, cohort_size, retention_rate
        from {SCHEMA}.metrics_retention_weekly_cohorts
        order by cohort_week_start_date, week_number
        """,
    )
    cohorts = weekly["cohort_week_start_date"].nunique() if not weekly.empty else 0
    fig = new_figure(10.0, max(3.0, 1.2 + 0.45 * cohorts))
    title = "Weekly retention by first-seen week (Monday)"
    if weekly.empty:
        return no_data(fig, title, "No complete week yet")
    ax = fig.add_subplot(1, 1, 1)
    grid = weekly.pivot(index="cohort_week_start_date", columns="week_number", values="retention_rate")
    sizes = weekly.groupby("cohort_week_start_date")["cohort_size"].max()
    values = grid.to_numpy(dtype=float)
    ax.imshow(np.ma.masked_invalid(values), cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for (row, col), value in np.ndenumerate(values):
        if not np.isnan(value):
            ax.text(col, row, f"{value:.0%}", ha="center", va="center", fontsize=10,
                    color="white" if value > 0.55 else "black")
    ax.set_xticks(range(len(grid.columns)), [str(c) for c in grid.columns], fontsize=10)
    ax.set_yticks(range(len(grid.index)), [f"{pd.Timestamp(d):%d %b} (n={int(sizes[d])})" for d in grid.index],
                  fontsize=10)
    ax.set_xlabel("weeks after the cohort week (W)")
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    fig.tight_layout()
    return fig


def chart_retention_definitions(con: duckdb.DuckDBPyConnection) -> Figure:
    """One retention curve per definition: retained / cohort size over every reported cohort."""
    df = query(
        con,
        f"""
        select retention_name, period, bracket_position, bracket,
            sum(retained_users) / sum(cohort_size) as retention_rate, count(*) as cohorts
        from {SCHEMA}.metrics_retention
        group by retention_name, period, bracket_position, bracket
        order by retention_name, bracket_position
        """,
    )
    title = "Retention curves, one per definition (retained / cohort size, all reported cohorts)"
    names = list(dict.fromkeys(df["retention_name"]))
    columns = 3
    rows = max(1, -(-len(names) // columns))
    fig = new_figure(12.0, 3.0 * rows + 0.6)
    if df.empty:
        return no_data(fig, title, "No complete bracket yet")
    axes = fig.subplots(rows, columns, squeeze=False).flatten()
    for ax, name in zip(axes, names, strict=False):
        curve = df[df["retention_name"] == name]
        x = np.arange(len(curve))
        ax.plot(x, curve["retention_rate"], marker="o", color=BLUE, linewidth=2)
        for position, rate in zip(x, curve["retention_rate"], strict=True):
            ax.annotate(f"{rate:.0%}", (position, rate), textcoords="offset points", xytext=(0, 6), ha="center",
                        fontsize=7)
        ax.set_xticks(x, list(curve["bracket"]), fontsize=7)
        style_axis(ax, name, "retention")
        ax.set_xlabel(f"{curve['period'].iloc[0]}s after the start (bracket)", fontsize=8)
        ax.set_ylim(0, 1.15)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    for ax in axes[len(names):]:
        ax.set_axis_off()
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    fig.tight_layout()
    return fig
