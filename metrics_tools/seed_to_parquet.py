"""Write the raw events seed as Parquet files, rows in file order, every column as text.

`make spark-test` uses it to build both engines from the same files through the
`raw_events_path` var: several files exercise per-file row numbering and file names, and an
extra raw CSV (the hostile rows of tests/hostile_rows.py) adds one more file.

Example:
    python -m metrics_tools seed-to-parquet --output target/spark-check/raw --files 2 --extra-csv hostile.csv
"""

from __future__ import annotations

import math
from pathlib import Path

import click
import duckdb

from metrics_tools import PROJECT_DIR
from metrics_tools.cli import ToolError

SEED = PROJECT_DIR / "seeds" / "raw_events.csv"
# Every column as text, RFC 4180 quoting: as stg_raw_events reads a raw CSV.
CSV_READER = "read_csv(?, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')"


@click.command()
@click.option("--output", type=click.Path(path_type=Path), required=True, help="directory for raw_events_<n>.parquet")
@click.option("--files", type=int, default=2, show_default=True, help="number of files (rows split in order)")
@click.option("--extra-csv", type=click.Path(path_type=Path), default=None,
              help="a raw events CSV written as one more file, as it is")
def seed_to_parquet(output: Path, files: int, extra_csv: Path | None) -> int:
    """Write the raw events seed as Parquet files, rows in file order, every column as text."""
    if files < 1:
        raise ToolError(f"--files must be at least 1, got {files}")
    output.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as connection:
        # Insertion order is kept, so row k of the table is row k of the CSV.
        connection.execute(f"create table raw_rows as select row_number() over () as seed_row, * from {CSV_READER}",
                           [str(SEED)])
        total = connection.execute("select count(*) from raw_rows").fetchone()[0]
        per_file = math.ceil(total / files)
        for index in range(files):
            target = output / f"raw_events_{index + 1}.parquet"
            connection.execute(
                f"copy (select * exclude (seed_row) from raw_rows where seed_row > {index * per_file} "
                f"and seed_row <= {(index + 1) * per_file} order by seed_row) to '{target}' (format parquet)")
        extra = 0
        if extra_csv:
            if not extra_csv.exists():
                raise ToolError(f"--extra-csv {extra_csv} does not exist; give a raw events CSV")
            target = output / f"raw_events_{files + 1}.parquet"
            connection.execute(f"copy (select * from {CSV_READER}) to '{target}' (format parquet)", [str(extra_csv)])
            extra = connection.execute("select count(*) from read_parquet(?)", [str(target)]).fetchone()[0]
    click.echo(f"seed-to-parquet: {total:,} rows of {SEED.name} in {files} files"
           f"{f', and {extra:,} rows of {extra_csv.name} in one more' if extra_csv else ''}, under {output}")
    return 0
