"""The charts' common style: palette, figure, placeholder, axis, and one chart shape."""

from __future__ import annotations

from typing import Any

import duckdb
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

SCHEMA = "metrics"  # the charts read only the public metric models
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


def style_bar_axis(ax: Any, title: str, xlabel: str, longest: float) -> None:
    """Axis style of a horizontal bar chart: left title, light vertical grid, no top/right frame,
    room on the right for the value labels."""
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#e5e5e5")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(0, longest * 1.15)


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
