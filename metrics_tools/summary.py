"""Print the headline numbers of a built product-metrics DuckDB file as a small terminal table.

Opens the database read-only and reads only the public metric models (schema `metrics`):
data end, DAU/WAU/MAU and new users on data end, D1/D7/D30 retention, each funnel's conversion,
revenue, and the quarantined share of raw rows by reason. It ends with one line:

  data through <date>, built <time>, <n> events, <m> quarantined

(the same line is on the docs overview; `python -m metrics_tools embed-docs --db` writes it there).

Example:
  .venv/bin/python -m metrics_tools summary --db target/product_metrics.duckdb
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import click
import duckdb
from rich.console import Console
from rich.table import Table

from metrics_tools import PROJECT_DIR
from metrics_tools.cli import ToolError

DEFAULT_DB = PROJECT_DIR / "target" / "product_metrics.duckdb"
SCHEMA = "metrics"
RETENTION_DAYS = (1, 7, 30)
# Tables whose run stamp says when a build last wrote data (the newest one wins).
RUN_STAMPS = (
    ("marts", "dim_users", "processed_at"),
    ("marts", "fct_user_days", "processed_at"),
    ("intermediate", "int_events__judged", "written_at"),
)


class SummaryError(Exception):
    """Bad input: reported as one line, exit code 1."""


@dataclass(frozen=True)
class Freshness:
    """What the one-line freshness stamp says."""

    data_end: date | None
    built_at: datetime | None
    events: int
    quarantined: int

    def line(self) -> str:
        """`data through <date>, built <time>, <n> events, <m> quarantined`."""
        through = self.data_end.isoformat() if self.data_end else "(no complete day yet)"
        built = f"{self.built_at:%Y-%m-%d %H:%M} UTC" if self.built_at else "(unknown)"
        return f"data through {through}, built {built}, {self.events:,} events, {self.quarantined:,} quarantined"


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection; one line when the file is missing or not a built database."""
    if not db_path.is_file():
        raise SummaryError(f"{db_path}: no such database; run `make build` first")
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SummaryError(f"{db_path}: cannot open read-only ({first_line})") from exc


def relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str | None:
    """The newest dbt model version of `schema.name` (`name_v<n>`; version 1 may keep the plain
    name), else `schema.name`, else None."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? and table_name like ?",
        [schema, f"{name}%"],
    ).fetchall()
    names = {row[0] for row in rows}
    versions = sorted(
        (int(match.group(1)), table) for table in names if (match := re.fullmatch(rf"{name}_v(\d+)", table))
    )
    if versions:
        return f"{schema}.{versions[-1][1]}"
    return f"{schema}.{name}" if name in names else None


def required(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """A public metric model that must exist."""
    found = relation(con, SCHEMA, name)
    if found is None:
        raise SummaryError(f"{SCHEMA}.{name} is missing: is this a database built by `make build`?")
    return found


def built_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The newest run stamp of the models that record one (UTC), or None."""
    stamps: list[datetime] = []
    for schema, table, column in RUN_STAMPS:
        found = relation(con, schema, table)
        if found is None:
            continue
        try:
            value = con.execute(f"select max({column}) from {found}").fetchone()
        except duckdb.Error:
            continue
        if value and value[0] is not None:
            stamps.append(value[0])
    return max(stamps) if stamps else None


def freshness(con: duckdb.DuckDBPyConnection) -> Freshness:
    """Data end, build time, clean events and quarantined rows."""
    active = required(con, "metrics_active_users_daily")
    quality = required(con, "metrics_data_quality_daily")
    data_end = con.execute(f"select max(activity_date) from {active}").fetchone()
    counts = con.execute(
        f"""select coalesce(sum(rows) filter (where reason = 'accepted'), 0),
                   coalesce(sum(rows) filter (where reason <> 'accepted'), 0)
            from {quality}"""
    ).fetchone()
    assert data_end is not None and counts is not None
    return Freshness(
        data_end=data_end[0], built_at=built_at(con), events=int(counts[0]), quarantined=int(counts[1])
    )


def percent(value: float | None) -> str:
    """0.4312 -> '43.1%'; None -> 'n/a'."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


Row = tuple[str, str, str, str]


def headline_rows(con: duckdb.DuckDBPyConnection, data_end: date | None) -> list[Row]:
    """(section, measure, value, detail) rows of the summary table."""
    rows: list[Row] = []
    active = required(con, "metrics_active_users_daily")
    new = required(con, "metrics_new_users_daily")
    retention = required(con, "metrics_retention_daily_cohorts")
    funnels = required(con, "metrics_funnel_conversion")
    revenue = required(con, "metrics_revenue_daily")
    quality = required(con, "metrics_data_quality_daily")
    day = f"on {data_end.isoformat()}" if data_end else "on data end"

    users = con.execute(f"select dau, wau, mau from {active} where activity_date = ?", [data_end]).fetchone()
    if users:
        rows += [
            ("Active users", "DAU", f"{users[0]:,}", day),
            ("", "WAU", f"{users[1]:,}", "7 days ending on data end"),
            ("", "MAU", f"{users[2]:,}", "30 days ending on data end"),
        ]
    newcomers = con.execute(
        f"""select new_users, cumulative_users,
                   (select sum(new_users) from {new} where activity_date > cast(? as date) - 7)
            from {new} where activity_date = ?""",
        [data_end, data_end],
    ).fetchone()
    if newcomers:
        rows += [
            ("New users", "new users", f"{newcomers[0]:,}", day),
            ("", "new users", f"{int(newcomers[2] or 0):,}", "7 days ending on data end"),
            ("", "cumulative users", f"{newcomers[1]:,}", "everyone ever active"),
        ]

    for number in RETENTION_DAYS:
        latest = con.execute(
            f"""select cohort_date, retention_rate, cohort_size from {retention}
                where day_number = ? order by cohort_date desc limit 1""",
            [number],
        ).fetchone()
        weighted = con.execute(
            f"""select sum(retained_users) / nullif(sum(cohort_size), 0), count(*)
                from {retention} where day_number = ?""",
            [number],
        ).fetchone()
        section = "Retention" if number == RETENTION_DAYS[0] else ""
        if latest is None or weighted is None or not weighted[1]:
            rows.append((section, f"D{number}", "n/a", "no complete cohort yet"))
            continue
        rows.append(
            (
                section,
                f"D{number}",
                percent(weighted[0]),
                f"all {weighted[1]} cohorts, weighted by size; latest {latest[0].isoformat()}: "
                f"{percent(latest[1])} of {latest[2]:,}",
            )
        )

    funnel_rows = con.execute(
        f"""with steps as (
                select funnel_name, step_number, any_value(step_event_name) as step_event_name,
                       sum(users) as users
                from {funnels} group by funnel_name, step_number
            ),
            ends as (
                select funnel_name, min(step_number) as first_step, max(step_number) as last_step
                from steps group by funnel_name
            )
            select e.funnel_name, f.step_event_name, l.step_event_name, f.users, l.users
            from ends as e
            inner join steps as f on e.funnel_name = f.funnel_name and e.first_step = f.step_number
            inner join steps as l on e.funnel_name = l.funnel_name and e.last_step = l.step_number
            order by e.funnel_name"""
    ).fetchall()
    for index, (name, first, last, entered, converted) in enumerate(funnel_rows):
        rate = converted / entered if entered else None
        rows.append(
            (
                "Funnels" if index == 0 else "",
                name,
                percent(rate),
                f"{converted:,} of {entered:,} entries, {first} -> {last}",
            )
        )
    if not funnel_rows:
        rows.append(("Funnels", "-", "n/a", "no funnel with a complete window yet"))

    money = con.execute(
        f"""select sum(revenue_usd) filter (where activity_date = cast(? as date)),
                   sum(revenue_usd) filter (where activity_date > cast(? as date) - 30),
                   sum(paying_users) filter (where activity_date = cast(? as date))
            from {revenue}""",
        [data_end, data_end, data_end],
    ).fetchone()
    if money:
        rows += [
            ("Revenue", "revenue (USD)", f"{money[0] or 0:,.2f}", f"{day}, paying users: {int(money[2] or 0):,}"),
            ("", "revenue (USD)", f"{money[1] or 0:,.2f}", "30 days ending on data end"),
        ]

    reasons = con.execute(
        f"""select reason, sum(rows) as reason_rows, sum(sum(rows)) over () as all_rows
            from {quality} group by reason having reason <> 'accepted' order by reason_rows desc, reason"""
    ).fetchall()
    total = con.execute(f"select sum(rows) from {quality}").fetchone()
    all_rows = int(total[0] or 0) if total else 0
    for index, (reason, reason_rows, _) in enumerate(reasons):
        share = reason_rows / all_rows if all_rows else None
        rows.append(("Quarantined" if index == 0 else "", reason, percent(share), f"{reason_rows:,} of {all_rows:,} raw rows"))
    if not reasons:
        rows.append(("Quarantined", "-", "0.0%", f"no row quarantined of {all_rows:,}"))
    return rows


def render(db_path: Path, console: Console) -> Freshness:
    """Print the table and the freshness line; return the freshness."""
    con = connect(db_path)
    try:
        stamp = freshness(con)
        rows = headline_rows(con, stamp.data_end)
    finally:
        con.close()
    table = Table(title=f"Product metrics - {db_path}", title_justify="left", show_lines=False)
    table.add_column("", style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("detail", style="dim")
    for section, measure, value, detail in rows:
        table.add_row(section, measure, value, detail)
    console.print(table)
    console.print(stamp.line(), soft_wrap=True)
    return stamp


@click.command()
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=DEFAULT_DB,
              help=f"built DuckDB file (default: {DEFAULT_DB.relative_to(PROJECT_DIR)})")
@click.option("--line", is_flag=True, help="print only the one-line freshness stamp")
def summary(db_path: Path, line: bool) -> int:
    """Print the headline numbers of a built product-metrics DuckDB file."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=120)
    try:
        if line:
            con = connect(db_path)
            try:
                click.echo(freshness(con).line())
            finally:
                con.close()
        else:
            render(db_path, console)
    except SummaryError as exc:
        raise ToolError(str(exc)) from exc
    return 0
