#!/usr/bin/env python3
"""Write the raw events seed as Parquet files, rows in file order, every column as text.

`make spark-test` uses it to build both engines from the same files through the
`raw_events_path` var: several files exercise per-file row numbering and file names, and an
extra raw CSV (the hostile rows of tests/hostile_rows.py) adds one more file.

Example:
    python scripts/seed_to_parquet.py --output target/spark-check/raw --files 2 --extra-csv hostile.csv
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[1]
SEED = PROJECT_DIR / "seeds" / "raw_events.csv"
# Every column as text, RFC 4180 quoting: as stg_raw_events reads a raw CSV.
CSV_READER = "read_csv(?, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, required=True, help="directory for raw_events_<n>.parquet")
    parser.add_argument("--files", type=int, default=2, help="number of files (rows split in order)")
    parser.add_argument("--extra-csv", type=Path, help="a raw events CSV written as one more file, as it is")
    args = parser.parse_args()
    if args.files < 1:
        sys.exit(f"seed_to_parquet: --files must be at least 1, got {args.files}")
    args.output.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as connection:
        # Insertion order is kept, so row k of the table is row k of the CSV.
        connection.execute(f"create table raw_rows as select row_number() over () as seed_row, * from {CSV_READER}",
                           [str(SEED)])
        total = connection.execute("select count(*) from raw_rows").fetchone()[0]
        per_file = math.ceil(total / args.files)
        for index in range(args.files):
            target = args.output / f"raw_events_{index + 1}.parquet"
            connection.execute(
                f"copy (select * exclude (seed_row) from raw_rows where seed_row > {index * per_file} "
                f"and seed_row <= {(index + 1) * per_file} order by seed_row) to '{target}' (format parquet)")
        extra = 0
        if args.extra_csv:
            if not args.extra_csv.exists():
                sys.exit(f"seed_to_parquet: --extra-csv {args.extra_csv} does not exist")
            target = args.output / f"raw_events_{args.files + 1}.parquet"
            connection.execute(f"copy (select * from {CSV_READER}) to '{target}' (format parquet)", [str(args.extra_csv)])
            extra = connection.execute("select count(*) from read_parquet(?)", [str(target)]).fetchone()[0]
    print(f"seed_to_parquet: {total:,} rows of {SEED.name} in {args.files} files"
          f"{f', and {extra:,} rows of {args.extra_csv.name} in one more' if args.extra_csv else ''}, under {args.output}")


if __name__ == "__main__":
    main()
