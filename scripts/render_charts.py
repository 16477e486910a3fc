#!/usr/bin/env python3
"""Render the docs' charts (PNG) from a built DuckDB file of the product metrics layer.

Reads only the public metric models (schema `metrics`) and writes the charts into the docs'
asset folder (`docs/assets/` by default, which `dbt docs generate` copies to `target/assets/`):

  active_users.png     DAU, WAU and MAU per day
  retention.png        weekly retention heatmap by first-seen week, and the daily retention curve
  funnels.png          users reaching each step of every funnel (all reported entry days)
  funnel_options.png   funnels with options: conversion per step, and time to convert of the last step
  lifecycle.png        new, returning, resurrecting and dormant users per complete week
  data_quality.png     raw rows per quarantine reason and owning team
  retention_daily.png  day-N and unbounded retention over all daily cohorts (the daily retention page)
  retention_weekly.png weekly retention heatmap (the weekly retention page)
  new_users.png        new users per day and cumulative users
  stickiness.png       share of weekly active users by days active, last four complete weeks
  sessions.png         sessions per day and the median session length
  revenue.png          revenue (USD) and paying users per day
  event_volume.png     clean events per event name (top 15)
  retention_definitions.png  retention curve of every definition of the retention_definitions seed
  lifecycle_monthly.png      new, returning, resurrecting and dormant users per complete month
  transitions.png            what people do next after the most frequent events (within a session)
  quality_thresholds.png     each team's daily rejected share against its threshold (data_quality_thresholds seed)

Example:
  .venv/bin/python scripts/render_charts.py --db target/product_metrics.duckdb --out docs/assets
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import duckdb  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parents[1]
DEFAULT_DB = PROJECT_DIR / "target" / "product_metrics.duckdb"
DEFAULT_OUT = PROJECT_DIR / "docs" / "assets"
SCHEMA = "metrics"
REQUIRED_MODELS = (
    "metrics_active_users_daily",
    "metrics_retention_weekly_cohorts",
    "metrics_retention_daily_cohorts",
    "metrics_funnel_conversion",
    "metrics_funnel_conversion_v2",
    "metrics_funnel_time_to_convert",
    "metrics_lifecycle_weekly",
    "metrics_data_quality_daily",
    "metrics_new_users_daily",
    "metrics_stickiness_weekly",
    "metrics_sessions_daily",
    "metrics_revenue_daily",
    "metrics_event_volume_daily",
    "metrics_retention",
    "metrics_lifecycle_monthly",
    "metrics_event_transitions_weekly",
)
# Fixed palette (colour-blind friendly, Okabe-Ito) so every chart reads the same way.
BLUE, ORANGE, GREEN, RED, PURPLE, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#999999"
# No software version or timestamp in the PNG: the same data gives byte-identical files.
PNG_METADATA: dict[str, Any] = {"Software": None}


class ChartError(Exception):
    """Bad input: reported as one line, exit code 1."""


def query(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """Run a query and return a DataFrame."""
    return con.execute(sql).df()


def new_figure(width: float = 9.0, height: float = 4.2) -> Figure:
    """A figure with the docs' common style."""
    fig = plt.figure(figsize=(width, height), dpi=100)
    fig.patch.set_facecolor("white")
    return fig


def no_data(fig: Figure, title: str, reason: str) -> Figure:
    """Draw a readable placeholder instead of an empty or broken chart."""
    ax = fig.add_subplot(1, 1, 1)
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.text(0.5, 0.5, reason, ha="center", va="center", fontsize=11, color=GREY)
    return fig


def style_axis(ax: Any, title: str, ylabel: str) -> None:
    """Common axis style: left title, light grid, no top/right frame."""
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#e5e5e5")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def chart_active_users(con: duckdb.DuckDBPyConnection) -> Figure:
    """DAU, rolling WAU and rolling MAU per day."""
    df = query(con, f"select activity_date, dau, wau, mau from {SCHEMA}.metrics_active_users_daily order by 1")
    fig = new_figure()
    title = "Active users per day (DAU, rolling 7-day WAU, rolling 30-day MAU)"
    if df.empty:
        return no_data(fig, title, "No reporting days yet")
    ax = fig.add_subplot(1, 1, 1)
    dates = pd.to_datetime(df["activity_date"])
    ax.plot(dates, df["mau"], color=PURPLE, linewidth=2, label="MAU (30 days)")
    ax.plot(dates, df["wau"], color=ORANGE, linewidth=2, label="WAU (7 days)")
    ax.plot(dates, df["dau"], color=BLUE, linewidth=2, label="DAU")
    style_axis(ax, title, "people")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


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


def chart_funnels(con: duckdb.DuckDBPyConnection) -> Figure:
    """Users reaching each step of each funnel, summed over every reported entry day."""
    df = query(
        con,
        f"""
        select funnel_name, step_number, step_event_name, sum(users) as users
        from {SCHEMA}.metrics_funnel_conversion
        group by funnel_name, step_number, step_event_name
        order by funnel_name, step_number
        """,
    )
    fig = new_figure(11.0, 4.2)
    title = "Funnels: people reaching each step"
    if df.empty:
        return no_data(fig, title, "No funnel with a complete conversion window yet")
    funnels = list(dict.fromkeys(df["funnel_name"]))
    axes = fig.subplots(1, len(funnels), squeeze=False)[0]
    for ax, funnel in zip(axes, funnels, strict=True):
        steps = df[df["funnel_name"] == funnel]
        start = float(steps["users"].iloc[0]) or float("nan")
        labels = [f"{n}. {name}" for n, name in zip(steps["step_number"], steps["step_event_name"], strict=True)]
        bars = ax.bar(range(len(steps)), steps["users"], color=BLUE)
        for bar, users in zip(bars, steps["users"], strict=True):
            share = users / start if start == start else float("nan")
            text = f"{int(users):,}\n{share:.0%}" if share == share else f"{int(users):,}"
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), textcoords="offset points",
                        xytext=(0, 3), ha="center", fontsize=8)
        ax.set_xticks(range(len(steps)), labels, rotation=20, ha="right", fontsize=8)
        style_axis(ax, funnel, "people")
        ax.set_ylim(0, max(float(steps["users"].max()), 1.0) * 1.25)
    fig.suptitle(title + " (share = conversion from step 1)", x=0.01, ha="left", fontsize=12, fontweight="bold")
    fig.tight_layout()
    return fig


def funnel_options_frames(con: duckdb.DuckDBPyConnection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Funnels with options (in version 2, not in the default-settings version 1): users per step
    over every reported entry day, and the last step's time-to-convert buckets."""
    steps = query(
        con,
        f"""
        select funnel_name, step_number, sum(users) as users
        from {SCHEMA}.metrics_funnel_conversion_v2
        where funnel_name not in (select funnel_name from {SCHEMA}.metrics_funnel_conversion)
        group by funnel_name, step_number
        order by funnel_name, step_number
        """,
    )
    buckets = query(
        con,
        f"""
        select funnel_name, bucket, bucket_start_seconds, users
        from {SCHEMA}.metrics_funnel_time_to_convert
        where
            funnel_name not in (select funnel_name from {SCHEMA}.metrics_funnel_conversion)
            and step_number = (
                select max(last.step_number) from {SCHEMA}.metrics_funnel_time_to_convert as last
                where last.funnel_name = metrics_funnel_time_to_convert.funnel_name
            )
        order by funnel_name, bucket_start_seconds
        """,
    )
    return steps, buckets


def chart_funnel_options(con: duckdb.DuckDBPyConnection) -> Figure:
    """Left: conversion from step 1 per step of each funnel with options. Right: when the last
    step was reached, as shares of the people who reached it, per time-to-convert bucket."""
    steps, buckets = funnel_options_frames(con)
    fig = new_figure(11.0, 4.4)
    title = "Funnels with options: conversion and time to convert"
    if steps.empty:
        return no_data(fig, title, "No funnel with options and a complete conversion window yet")
    left, right = fig.subplots(1, 2)
    colours = [BLUE, ORANGE, GREEN, RED, PURPLE, GREY]
    for index, (funnel, rows) in enumerate(steps.groupby("funnel_name", sort=True)):
        start = float(rows["users"].iloc[0]) or float("nan")
        left.plot(rows["step_number"], rows["users"] / start, marker="o", color=colours[index % len(colours)],
                  label=funnel)
        last = buckets[buckets["funnel_name"] == funnel]
        total = float(last["users"].sum())
        if total > 0:
            right.plot(range(len(last)), last["users"] / total, marker="o", color=colours[index % len(colours)],
                       label=funnel)
            right.set_xticks(range(len(last)), list(last["bucket"]), fontsize=8)
    left.set_xticks(sorted(steps["step_number"].unique()))
    left.set_ylim(0, 1.05)
    left.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    style_axis(left, "Conversion from step 1", "share of entries")
    left.set_xlabel("step")
    left.legend(fontsize=8, frameon=False)
    right.set_ylim(0, 1.05)
    right.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    style_axis(right, "Time from entry to the last step", "share of conversions")
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    fig.tight_layout()
    return fig


def chart_lifecycle(con: duckdb.DuckDBPyConnection) -> Figure:
    """Growth accounting per complete week; dormant users drawn below zero."""
    df = query(
        con,
        f"""
        select week_start_date, new_users, returning_users, resurrecting_users, dormant_users, quick_ratio
        from {SCHEMA}.metrics_lifecycle_weekly
        order by week_start_date
        """,
    )
    fig = new_figure()
    title = "Lifecycle per week: where active users come from, and who left"
    if df.empty:
        return no_data(fig, title, "No complete week yet")
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(df))
    ax.bar(x, df["returning_users"], color=BLUE, label="returning")
    ax.bar(x, df["new_users"], bottom=df["returning_users"], color=GREEN, label="new")
    ax.bar(x, df["resurrecting_users"], bottom=df["returning_users"] + df["new_users"], color=ORANGE,
           label="resurrecting")
    ax.bar(x, -df["dormant_users"], color=RED, label="dormant (shown below 0)")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, [f"{pd.Timestamp(d):%d %b}" for d in df["week_start_date"]], rotation=0, fontsize=8)
    style_axis(ax, title, "people")
    ax.set_xlabel("week starting (Monday)")
    ax.legend(frameon=False, ncols=4, loc="upper left", fontsize=8)
    top = float((df["returning_users"] + df["new_users"] + df["resurrecting_users"]).max())
    ax.set_ylim(-max(float(df["dormant_users"].max()), 1.0) * 1.15, max(top, 1.0) * 1.3)
    fig.tight_layout()
    return fig


def chart_data_quality(con: duckdb.DuckDBPyConnection) -> Figure:
    """Rejected raw rows per reason, stacked by owning team, with the accepted share in the title."""
    df = query(
        con,
        f"""
        select reason, owner_team, sum(rows) as raw_rows
        from {SCHEMA}.metrics_data_quality_daily
        group by reason, owner_team
        """,
    )
    fig = new_figure()
    title = "Data quality: rejected raw rows by reason and owning team"
    if df.empty:
        return no_data(fig, title, "No raw rows received yet")
    total = float(df["raw_rows"].sum())
    accepted = float(df.loc[df["reason"] == "accepted", "raw_rows"].sum())
    rejected = df[df["reason"] != "accepted"]
    title = f"{title}\n{accepted / total:.1%} of {int(total):,} raw rows accepted"
    if rejected.empty:
        return no_data(fig, title, "No rejected rows")
    grid = rejected.pivot_table(index="reason", columns="owner_team", values="raw_rows", aggfunc="sum", fill_value=0)
    grid = grid.loc[grid.sum(axis=1).sort_values().index]
    teams = sorted(grid.columns)
    colours = [BLUE, ORANGE, GREEN, PURPLE, RED, "#56B4E9", "#F0E442", GREY]
    ax = fig.add_subplot(1, 1, 1)
    left = np.zeros(len(grid))
    for index, team in enumerate(teams):
        colour = GREY if team == "unassigned" else colours[index % len(colours)]
        ax.barh(grid.index, grid[team], left=left, color=colour, label=team)
        left += grid[team].to_numpy(dtype=float)
    for row, value in enumerate(left):
        ax.annotate(f"{int(value):,}", (value, row), textcoords="offset points", xytext=(4, 0), va="center", fontsize=8)
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.set_xlabel("raw rows (all received days)")
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(0, float(left.max()) * 1.15)
    ax.legend(frameon=False, title="owner team", fontsize=8, loc="lower right")
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


def daily_bars_and_line(
    df: pd.DataFrame, title: str, bars: tuple[str, str, str, str], line: tuple[pd.Series, str, str, float]
) -> Figure:
    """A daily measure as bars (column, label, colour, axis label) and a second one as a line on
    the right axis (values, label, colour, width), one legend for both."""
    fig = new_figure()
    if df.empty:
        return no_data(fig, title, "No reporting days yet")
    ax = fig.add_subplot(1, 1, 1)
    dates = pd.to_datetime(df["activity_date"])
    bar_column, bar_label, bar_colour, axis_label = bars
    ax.bar(dates, df[bar_column], color=bar_colour, label=bar_label)
    style_axis(ax, title, axis_label)
    line_values, line_label, line_colour, line_width = line
    right = ax.twinx()
    right.plot(dates, line_values, color=line_colour, linewidth=line_width, label=line_label)
    right.set_ylabel(line_label)
    right.set_ylim(bottom=0)
    right.spines["top"].set_visible(False)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], frameon=False, loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def chart_new_users(con: duckdb.DuckDBPyConnection) -> Figure:
    """New users per day (bars) and cumulative users (line, right axis)."""
    df = query(con, f"select activity_date, new_users, cumulative_users from {SCHEMA}.metrics_new_users_daily order by 1")
    return daily_bars_and_line(
        df, "New users per day, and everyone ever active (cumulative)",
        ("new_users", "new users", GREEN, "new users per day"), (df.get("cumulative_users"), "cumulative users", PURPLE, 2),
    )


def chart_stickiness(con: duckdb.DuckDBPyConnection) -> Figure:
    """Share of weekly active users by days active, for the last four complete weeks."""
    df = query(
        con,
        f"""
        select week_start_date, days_active, share_of_weekly_active
        from {SCHEMA}.metrics_stickiness_weekly
        where week_start_date in (
            select distinct week_start_date from {SCHEMA}.metrics_stickiness_weekly order by 1 desc limit 4
        )
        order by week_start_date, days_active
        """,
    )
    fig = new_figure()
    title = "Stickiness: days active in the week (last 4 complete weeks)"
    if df.empty:
        return no_data(fig, title, "No complete week yet")
    ax = fig.add_subplot(1, 1, 1)
    weeks = list(dict.fromkeys(df["week_start_date"]))
    width = 0.8 / len(weeks)
    colours = [GREY, PURPLE, ORANGE, BLUE]
    for index, week in enumerate(weeks):
        rows = df[df["week_start_date"] == week]
        ax.bar(rows["days_active"] + (index - (len(weeks) - 1) / 2) * width, rows["share_of_weekly_active"],
               width=width, color=colours[(index + 4 - len(weeks)) % 4], label=f"week of {pd.Timestamp(week):%d %b}")
    style_axis(ax, title, "share of weekly active users")
    ax.set_xlabel("days active in the week")
    ax.set_xticks(range(1, 8))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(frameon=False, loc="upper right", fontsize=9)
    fig.tight_layout()
    return fig


def chart_sessions(con: duckdb.DuckDBPyConnection) -> Figure:
    """Sessions per day (bars) and median session length in minutes (line, right axis)."""
    df = query(
        con,
        f"select activity_date, sessions, median_session_seconds from {SCHEMA}.metrics_sessions_daily order by 1",
    )
    return daily_bars_and_line(
        df, "Sessions per day, and the median session length",
        ("sessions", "sessions", BLUE, "sessions per day"), (df.get("median_session_seconds", pd.Series(dtype=float)) / 60,
                                         "median length (minutes)", ORANGE, 2),
    )


def chart_revenue(con: duckdb.DuckDBPyConnection) -> Figure:
    """Revenue in USD per day (bars) and paying users (line, right axis)."""
    df = query(con, f"select activity_date, revenue_usd, paying_users from {SCHEMA}.metrics_revenue_daily order by 1")
    return daily_bars_and_line(
        df, "Revenue per day (USD) and paying users",
        ("revenue_usd", "revenue (USD)", GREEN, "revenue (USD)"), (df.get("paying_users"), "paying users", PURPLE, 1.5),
    )


def chart_event_volume(con: duckdb.DuckDBPyConnection) -> Figure:
    """Clean events per event name over the whole history, largest first (top 15)."""
    df = query(
        con,
        f"""
        select event_name, sum(events) as events
        from {SCHEMA}.metrics_event_volume_daily
        group by event_name
        order by events desc, event_name
        limit 15
        """,
    )
    fig = new_figure(9.0, 5.0)
    title = "Event volume: clean events per event name (top 15, all days)"
    if df.empty:
        return no_data(fig, title, "No clean event yet")
    ax = fig.add_subplot(1, 1, 1)
    df = df.iloc[::-1]
    ax.barh(df["event_name"], df["events"], color=BLUE)
    for row, value in enumerate(df["events"]):
        ax.annotate(f"{int(value):,}", (value, row), textcoords="offset points", xytext=(4, 0), va="center", fontsize=9)
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.set_xlabel("events")
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(0, float(df["events"].max()) * 1.15)
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


def chart_lifecycle_monthly(con: duckdb.DuckDBPyConnection) -> Figure:
    """Growth accounting per complete month; dormant users drawn below zero."""
    df = query(
        con,
        f"""
        select month_start_date, new_users, returning_users, resurrecting_users, dormant_users, quick_ratio
        from {SCHEMA}.metrics_lifecycle_monthly
        order by month_start_date
        """,
    )
    fig = new_figure(8.0, 4.2)
    title = "Lifecycle per month: where active people come from, who left"
    if df.empty:
        return no_data(fig, title, "No complete month yet")
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(df))
    ax.bar(x, df["returning_users"], color=BLUE, label="returning", width=0.6)
    ax.bar(x, df["new_users"], bottom=df["returning_users"], color=GREEN, label="new", width=0.6)
    ax.bar(x, df["resurrecting_users"], bottom=df["returning_users"] + df["new_users"], color=ORANGE,
           label="resurrecting", width=0.6)
    ax.bar(x, -df["dormant_users"], color=RED, label="dormant (shown below 0)", width=0.6)
    ax.axhline(0, color="black", linewidth=0.8)
    labels = [
        f"{pd.Timestamp(d):%b %Y}" + ("" if pd.isna(q) else f"\nquick ratio {q:.2f}")
        for d, q in zip(df["month_start_date"], df["quick_ratio"], strict=True)
    ]
    ax.set_xticks(x, labels, fontsize=8)
    style_axis(ax, title, "people")
    ax.legend(frameon=False, ncols=2, loc="upper left", fontsize=8)
    top = float((df["returning_users"] + df["new_users"] + df["resurrecting_users"]).max())
    ax.set_ylim(-max(float(df["dormant_users"].max()), 1.0) * 1.15, max(top, 1.0) * 1.45)
    fig.tight_layout()
    return fig


def chart_transitions(con: duckdb.DuckDBPyConnection) -> Figure:
    """For the four most frequent active events, the five most frequent next events (all weeks)."""
    df = query(
        con,
        f"""
        with totals as (
            select event_name, next_event_name, sum(transitions) as transitions
            from {SCHEMA}.metrics_event_transitions_weekly
            group by event_name, next_event_name
        ),
        key_events as (
            select event_name, sum(transitions) as events
            from totals
            group by event_name
            order by events desc, event_name
            limit 4
        ),
        ranked as (
            select totals.*, key_events.events,
                row_number() over (
                    partition by totals.event_name order by totals.transitions desc, totals.next_event_name
                ) as rank
            from totals
            inner join key_events on totals.event_name = key_events.event_name
        )
        select event_name, next_event_name, transitions, events, rank
        from ranked
        where rank <= 5
        order by events desc, event_name, rank
        """,
    )
    fig = new_figure(12.0, 6.0)
    title = "What people do next: top next events within a session, after the most frequent events"
    if df.empty:
        return no_data(fig, title, "No complete week yet")
    events = list(dict.fromkeys(df["event_name"]))
    axes = fig.subplots(2, 2, squeeze=False).flatten()
    for ax, name in zip(axes, events, strict=False):
        rows = df[df["event_name"] == name].iloc[::-1]
        shares = rows["transitions"] / rows["events"]
        colours = [GREY if n == "(session end)" else BLUE for n in rows["next_event_name"]]
        ax.barh(list(rows["next_event_name"]), shares, color=colours)
        for position, share in enumerate(shares):
            ax.annotate(f"{share:.0%}", (share, position), textcoords="offset points", xytext=(3, 0), va="center",
                        fontsize=8)
        ax.set_title(f"after {name} ({int(rows['events'].iloc[0]):,} events)", loc="left", fontsize=10,
                     fontweight="bold")
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.tick_params(axis="y", labelsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in axes[len(events):]:
        ax.set_axis_off()
    fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
    fig.tight_layout()
    return fig


def chart_quality_thresholds(con: duckdb.DuckDBPyConnection) -> Figure:
    """Each team's rejected share per received day (dots) against its threshold (a bar)."""
    df = query(
        con,
        f"""
        with team_days as (
            select
                received_date,
                owner_team,
                sum(case when reason = 'accepted' then 0 else rows end) / sum(rows) as rejected_share
            from {SCHEMA}.metrics_data_quality_daily
            where received_date is not null
            group by received_date, owner_team
        )
        select team_days.owner_team, team_days.rejected_share, thresholds.max_rejected_share, thresholds.severity
        from team_days
        inner join reference.data_quality_thresholds as thresholds
            on team_days.owner_team = thresholds.owner_team
        """,
    )
    fig = new_figure()
    title = "Quality thresholds: each team's rejected share per received day"
    if df.empty:
        return no_data(fig, title, "No team with a threshold has received rows")
    teams = sorted(df["owner_team"].unique())
    ax = fig.add_subplot(1, 1, 1)
    for row, team in enumerate(teams):
        days = df[df["owner_team"] == team]
        limit = float(days["max_rejected_share"].iloc[0])
        colour = RED if days["severity"].iloc[0] == "error" else ORANGE
        above = days["rejected_share"] > limit
        ax.scatter(days["rejected_share"], [row] * len(days), s=12, color=np.where(above, RED, BLUE), alpha=0.5)
        ax.plot([limit, limit], [row - 0.35, row + 0.35], color=colour, linewidth=3)
        ax.annotate(
            f"{int(above.sum())} of {len(days)} days above {limit:.0%} ({days['severity'].iloc[0]})",
            (1.02, row), xycoords=("axes fraction", "data"), va="center", fontsize=8,
        )
    ax.set_yticks(range(len(teams)), teams)
    ax.set_xlim(0, 1.0)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    style_axis(ax, title, "")
    ax.set_xlabel("rejected raw rows / all the team's raw rows on one received day (bar: threshold)")
    fig.tight_layout()
    return fig


CHARTS: dict[str, Callable[[duckdb.DuckDBPyConnection], Figure]] = {
    "active_users.png": chart_active_users,
    "retention.png": chart_retention,
    "funnels.png": chart_funnels,
    "funnel_options.png": chart_funnel_options,
    "lifecycle.png": chart_lifecycle,
    "data_quality.png": chart_data_quality,
    "retention_daily.png": chart_retention_daily,
    "retention_weekly.png": chart_retention_weekly,
    "new_users.png": chart_new_users,
    "stickiness.png": chart_stickiness,
    "sessions.png": chart_sessions,
    "revenue.png": chart_revenue,
    "event_volume.png": chart_event_volume,
    "retention_definitions.png": chart_retention_definitions,
    "lifecycle_monthly.png": chart_lifecycle_monthly,
    "transitions.png": chart_transitions,
    "quality_thresholds.png": chart_quality_thresholds,
}


def check_database(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Fail with one line when a metric model is missing (database not built)."""
    present = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
        ).fetchall()
    }
    missing = [name for name in REQUIRED_MODELS if name not in present]
    if missing:
        raise ChartError(f"{db_path}: missing {SCHEMA}.{', '.join(missing)}; run `make build` (dbt build) first")


def render(db_path: Path, out_dir: Path, quiet: bool = False) -> list[Path]:
    """Render every chart from ``db_path`` into ``out_dir``; return the written files."""
    if not db_path.is_file():
        raise ChartError(f"{db_path}: no such DuckDB file; run `make build` (dbt build) first")
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        raise ChartError(f"{db_path}: cannot open as DuckDB: {str(exc).splitlines()[0]}") from exc
    written: list[Path] = []
    try:
        check_database(con, db_path)
        for index, (file_name, draw) in enumerate(CHARTS.items(), start=1):
            fig = draw(con)
            path = out_dir / file_name
            fig.savefig(path, format="png", metadata=PNG_METADATA)
            plt.close(fig)
            written.append(path)
            if not quiet:
                print(f"[{index}/{len(CHARTS)}] {path}", flush=True)
    finally:
        con.close()
    return written


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        epilog="Charts: " + ", ".join(CHARTS) + ". The docs pages show them as assets/<file>.",
    )
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"built DuckDB file (default: {DEFAULT_DB.relative_to(PROJECT_DIR)})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT.relative_to(PROJECT_DIR)})")
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    try:
        render(args.db, args.out, quiet=args.quiet)
    except ChartError as exc:
        print(f"render_charts: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
