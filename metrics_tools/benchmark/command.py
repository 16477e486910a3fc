"""`python -m metrics_tools benchmark`: benchmark the metrics layer against two baselines, in one run, on generated Parquet data.

For each size (1M and 10M events by default, 100M with --huge) it measures:
- the full build (`dbt run` of every model on 60 days of daily Parquet files): wall time, events
  per second and peak RSS of the dbt process tree;
- an incremental run of one new day on top of those 60 days;
- (a) the lower bound: one hand-written DuckDB SQL script computing DAU/WAU/MAU, daily retention
  and sessions straight from the Parquet files, without dbt;
- (b) what an analyst would write otherwise: pandas code computing the same.
It prints the ratios and writes them to docs/benchmarks.md.
"""

from __future__ import annotations

from pathlib import Path

import click

from metrics_tools import PROJECT_DIR
from metrics_tools.benchmark.report import report
from metrics_tools.benchmark.run import DBT, Result, fail, progress, run_size


@click.command()
@click.option("--sizes", default="1000000,10000000", show_default=True, help="comma-separated event counts")
@click.option("--huge", is_flag=True, help="also run 100,000,000 events")
@click.option("--work-dir", type=click.Path(path_type=Path), default=PROJECT_DIR / "data" / "benchmark",
              show_default=True)
@click.option("--memory-limit", default="8GB", show_default=True, help="DuckDB memory limit for every engine run")
@click.option("--no-pandas", is_flag=True, help="skip the pandas baseline")
@click.option("--output", type=click.Path(path_type=Path), default=PROJECT_DIR / "docs" / "benchmarks.md",
              show_default=True)
def benchmark(sizes: str, huge: bool, work_dir: Path, memory_limit: str, no_pandas: bool, output: Path) -> int:
    """Benchmark the metrics layer against two baselines, in one run, on generated Parquet data
    (full build, one incremental day, hand-written DuckDB SQL, pandas); writes docs/benchmarks.md."""
    try:
        counts = [int(value) for value in sizes.split(",") if value.strip()]
    except ValueError:
        fail(f"--sizes must be comma-separated integers, got {sizes!r}")
    if huge:
        counts.append(100_000_000)
    if not DBT.exists():
        fail(f"{DBT} not found: run `make build` first")
    work_dir.mkdir(parents=True, exist_ok=True)
    results: dict[int, Result] = {}
    for size in counts:
        results[size] = run_size(size, work_dir, memory_limit, not no_pandas)
        text = report(results, memory_limit)
        click.echo(text)
        output.write_text(text)
    progress(f"wrote {output}")
    return 0
