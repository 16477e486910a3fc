"""The benchmark's report (docs/benchmarks.md): one table row per size, failures spelled out."""

from __future__ import annotations

import os
import platform
import time

from metrics_tools.benchmark.run import Result

def number(result: Result, key: str) -> float | None:
    value = result.get(key)
    return float(value) if isinstance(value, (int, float)) else None


def report_row(r: Result) -> str:
    full_s = number(r, "full_seconds") or 0.0
    cells = [f"{int(number(r, 'raw_rows') or 0):,}"]
    if "full_error" in r:
        cells += [f"did not complete after {full_s:.0f} s", "-", f"{number(r, 'full_peak_rss_mb') or 0:,.0f}", "-", "-"]
    else:
        incremental_s = number(r, "incremental_seconds") or 0.0
        cells += [f"{full_s:.1f}", f"{number(r, 'events_per_second') or 0:,.0f}",
                  f"{number(r, 'full_peak_rss_mb') or 0:,.0f}"]
        if "incremental_error" in r:
            cells += [f"did not complete after {incremental_s:.0f} s", "-"]
        else:
            cells += [f"{incremental_s:.1f}", f"{incremental_s / full_s:.1%}"]
    duckdb_s = number(r, "duckdb_sql_seconds") or 0.0
    if "duckdb_sql_error" in r:
        cells += [f"did not complete after {duckdb_s:.0f} s", "-"]
    else:
        cells += [f"{duckdb_s:.1f}", "-" if "full_error" in r else f"{full_s / duckdb_s:.1f}x"]
    pandas_s = number(r, "pandas_seconds")
    cells += [f"{pandas_s:.1f}", "-" if "full_error" in r else f"{pandas_s / full_s:.2f}x"] if pandas_s else ["-", "-"]
    return "| " + " | ".join(cells) + " |"


def report(results: dict[int, Result], memory_limit: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `python -m metrics_tools benchmark` on {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, "
        f"{platform.machine()}, Python {platform.python_version()}, DuckDB memory limit {memory_limit}.",
        "Full build = `dbt run` of every model on 60 days of daily Parquet files (seeds loaded before);",
        "incremental = `dbt run` after the next day's file (and the late-arrivals file) lands. Baselines",
        "compute DAU/WAU/MAU, daily retention and sessions from the same 60 files, without validation,",
        "quarantine or identity merge. `pandas / full` above 1 means the dbt build is that many times faster.",
        "",
        "| events | full build s | events/s | peak RSS MB | incremental s (1 day) | incremental / full | DuckDB SQL s | full / DuckDB SQL | pandas s | pandas / full |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [report_row(r) for r in results.values()]
    for size, r in results.items():
        for key, what in (("full_error", "the full build"), ("incremental_error", "the incremental run"),
                          ("duckdb_sql_error", "the DuckDB SQL baseline")):
            if key in r:
                lines += ["", f"{size:,} events: {what} failed with `{r[key]}`."]
    lines += ["", "Targets: full build at 10M within 3x the DuckDB SQL lower bound; incremental <= 10% of",
              "the full build; 100M completes with peak RSS under 10 GB (8 GB DuckDB limit); 10x faster than",
              "pandas at 10M.", ""]
    return "\n".join(lines)
