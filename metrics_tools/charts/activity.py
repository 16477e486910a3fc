"""Charts of active users: DAU/WAU/MAU, new users, stickiness, lifecycle, sessions, revenue."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from metrics_tools.charts.style import (BLUE, GREEN, GREY, ORANGE, PURPLE, RED, SCHEMA, daily_bars_and_line,
                                        new_figure, no_data, query, style_axis)


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
