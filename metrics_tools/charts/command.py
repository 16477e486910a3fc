"""`python -m metrics_tools charts`: render the docs' charts (PNG) from a built DuckDB file.

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
  unplanned_properties.png   property keys clean events carry that the tracking plan does not declare, by team

Example:
  .venv/bin/python -m metrics_tools charts --db target/product_metrics.duckdb --out docs/assets
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import duckdb
from matplotlib.figure import Figure

from metrics_tools import PROJECT_DIR
from metrics_tools.charts.activity import (chart_active_users, chart_lifecycle, chart_lifecycle_monthly,
                                           chart_new_users, chart_revenue, chart_sessions, chart_stickiness)
from metrics_tools.charts.events import (chart_data_quality, chart_event_volume, chart_quality_thresholds,
                                         chart_transitions, chart_unplanned_properties)
from metrics_tools.charts.funnels import chart_funnel_options, chart_funnels
from metrics_tools.charts.retention import (chart_retention, chart_retention_daily, chart_retention_definitions,
                                            chart_retention_weekly)
from metrics_tools.charts.style import PNG_METADATA, SCHEMA, ChartError, plt
from metrics_tools.cli import ToolError

DEFAULT_DB = PROJECT_DIR / "target" / "product_metrics.duckdb"
DEFAULT_OUT = PROJECT_DIR / "docs" / "assets"
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
    "metrics_unplanned_properties_daily",
)


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
    "unplanned_properties.png": chart_unplanned_properties,
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
                click.echo(f"[{index}/{len(CHARTS)}] {path}")
    finally:
        con.close()
    return written


@click.command(epilog="Charts: " + ", ".join(CHARTS) + ". The docs pages show them as assets/<file>.")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=DEFAULT_DB,
              help=f"built DuckDB file (default: {DEFAULT_DB.relative_to(PROJECT_DIR)})")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT,
              help=f"output folder (default: {DEFAULT_OUT.relative_to(PROJECT_DIR)})")
@click.option("--quiet", is_flag=True, help="print nothing on success")
def charts(db_path: Path, out_dir: Path, quiet: bool) -> int:
    """Render the docs' charts (PNG) from a built DuckDB file of the product metrics layer."""
    try:
        render(db_path, out_dir, quiet=quiet)
    except ChartError as exc:
        raise ToolError(str(exc)) from exc
    return 0
