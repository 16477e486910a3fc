"""Funnel charts: users per step, and conversion and time to convert for funnels with options."""

from __future__ import annotations

import duckdb
import matplotlib.ticker
import pandas as pd
from matplotlib.figure import Figure

from metrics_tools.charts.style import (BLUE, GREEN, GREY, ORANGE, PURPLE, RED, SCHEMA, new_figure, no_data,
                                        query, style_axis)


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
