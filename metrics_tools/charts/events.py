"""Event-level charts: data quality (quarantine) and each team's threshold, event volume, next-event
transitions."""

from __future__ import annotations

import duckdb
import matplotlib.patches
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure

from metrics_tools.charts.style import (BLUE, GREEN, GREY, ORANGE, PURPLE, RED, SCHEMA, new_figure, no_data,
                                        query, style_axis, style_bar_axis)


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
    style_bar_axis(ax, title, "raw rows (all received days)", float(left.max()))
    ax.legend(frameon=False, title="owner team", fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def chart_unplanned_properties(con: duckdb.DuckDBPyConnection) -> Figure:
    """Undeclared property keys per event (top 15 over all received days), coloured by owning team."""
    df = query(
        con,
        f"""
        select owner_team, event_name || '.' || property_key as event_property, sum(rows) as events
        from {SCHEMA}.metrics_unplanned_properties_daily
        group by owner_team, event_name, property_key
        order by events desc, event_property
        """,
    )
    fig = new_figure(9.0, 5.0)
    title = "Unplanned properties: keys the tracking plan does not declare"
    if df.empty:
        return no_data(fig, title, "Every property of every clean event is in the tracking plan")
    title = f"{title}\n{len(df):,} event properties, top 15; the events stay clean"
    top = df.head(15).iloc[::-1]
    teams = sorted(df["owner_team"].unique())
    palette = [BLUE, ORANGE, GREEN, PURPLE, RED, "#56B4E9", "#F0E442", GREY]
    colour_of = {team: palette[index % len(palette)] for index, team in enumerate(teams)}
    ax = fig.add_subplot(1, 1, 1)
    ax.barh(top["event_property"], top["events"], color=[colour_of[team] for team in top["owner_team"]])
    for row, value in enumerate(top["events"]):
        ax.annotate(f"{int(value):,}", (value, row), textcoords="offset points", xytext=(4, 0), va="center", fontsize=8)
    legend = [matplotlib.patches.Patch(color=colour_of[team], label=team) for team in teams if team in set(top["owner_team"])]
    style_bar_axis(ax, title, "clean events carrying the key (all received days)", float(top["events"].max()))
    ax.legend(handles=legend, frameon=False, title="owner team", fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


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
    style_bar_axis(ax, title, "events", float(df["events"].max()))
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
