"""Build the project on Apache Spark and compare it with the DuckDB build, cell by cell.

Steps, one run:
1. on the `spark` target (local PySpark session, `.venv-spark`): `dbt seed` every seed, raw events
   included, and `dbt run` every model from the same SQL as DuckDB;
2. compare with the DuckDB build (made by `make spark-test` before this command): every public
   metric table, and the staging tables that judge raw rows (validated rows, quarantine, property
   split, device owners); print the number of cells compared.

JSON texts are compared as JSON values: Spark writes an object's keys in sorted order and numbers
in its own notation. See docs/decisions/0003-spark-portability.md.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, NoReturn

import click
import duckdb

from metrics_tools import PROJECT_DIR
from metrics_tools.cli import ToolError

RUN_STAMP_COLUMNS = {"written_at", "owner_changed_at", "source_written_at"}  # when a build wrote a row: differs between builds
# Staging and judgement tables compared besides the public metrics: every column but the run stamps.
COMPARED_STAGING = (("intermediate", "int_events__judged"), ("staging", "stg_events_quarantine"),
                    ("staging", "stg_event_properties"), ("intermediate", "int_devices__owners"))
VIEW_COPY_SCHEMA = "spark_check"  # where Spark views are copied to files for the comparison
# Columns compared as JSON values, not as text (the quarantine keeps raw text: compared as text).
JSON_COLUMNS = {"int_events__judged": {"properties"},
                "stg_event_properties": {"normalized_properties", "sanitized_properties"}}
FLOAT_DIGITS = 12  # doubles are compared to 12 significant digits: sums may associate differently


def fail(message: str) -> NoReturn:
    raise ToolError(message)


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def view_models(manifest_path: Path, names: tuple[str, ...]) -> list[str]:
    manifest = json.loads(manifest_path.read_text())
    return sorted(node["name"] for node in manifest["nodes"].values()
                  if node["resource_type"] == "model" and node["name"] in names
                  and node["config"]["materialized"] == "view")


def public_metric_models(manifest_path: Path) -> list[str]:
    """Relation names of the public models: a model version has its own (`<model>_v2`, or an alias)."""
    manifest = json.loads(manifest_path.read_text())
    return sorted({node.get("alias") or node["name"] for node in manifest["nodes"].values()
                   if node["resource_type"] == "model" and node.get("access") == "public"})


def run_spark_dbt(args: list[str], spark_dir: Path) -> None:
    env = dict(os.environ)
    env.update({
        "DBT_TARGET": "spark",
        "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles"),
        "DBT_SPARK_WAREHOUSE": str(spark_dir / "warehouse"),
        "DBT_SPARK_METASTORE": str(spark_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    dbt = PROJECT_DIR / ".venv-spark" / "bin" / "dbt"
    if not dbt.exists():
        fail(f"{dbt} not found: run `make spark-test` (it installs requirements-spark.txt)")
    command = [str(dbt), *args, "--target-path", str(spark_dir / "target"), "--log-path", str(spark_dir / "logs")]
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        fail(f"spark: dbt {' '.join(args[:3])} failed (log: {spark_dir / 'logs' / 'dbt.log'}):\n{result.stdout[-6000:]}")


def normalized(value: object) -> object:
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return float(f"{value:.{FLOAT_DIGITS}g}")
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Spark writes instants as UTC-adjusted timestamps, DuckDB's are plain UTC timestamps.
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def json_value(text: object) -> object:
    """A JSON text as a comparable value (floats rounded like other doubles)."""
    if not isinstance(text, str):
        return text

    def rounded(value: object) -> object:
        if isinstance(value, dict):
            return {key: rounded(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rounded(item) for item in value]
        return normalized(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    try:
        return json.dumps(rounded(json.loads(text)), sort_keys=True)
    except ValueError:
        return f"not json: {text}"


def table_rows(connection: duckdb.DuckDBPyConnection, query: str,
               converters: dict[str, Callable[[object], object]]) -> tuple[list[str], list[tuple[object, ...]]]:
    cursor = connection.execute(query)
    names = [column[0] for column in cursor.description]
    rows = [tuple(converters.get(name, normalized)(value) for name, value in zip(names, row))
            for row in cursor.fetchall()]
    return names, sorted(rows, key=lambda row: tuple((value is None, str(value)) for value in row))


def compared_columns(connection: duckdb.DuckDBPyConnection, schema: str, model: str) -> list[str]:
    names = [row[0] for row in connection.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, model]).fetchall()]
    if not names:
        fail(f"{schema}.{model} is not in the DuckDB build")
    return [name for name in names if name not in RUN_STAMP_COLUMNS]


def compare(duckdb_path: Path, warehouse: Path, tables: list[tuple[str, str, str]]) -> dict[str, int]:
    """Compare (DuckDB schema, model, Spark schema) tables on every column but run stamps; return
    the number of cells compared per DuckDB schema and fail naming the table, row and column on a
    difference."""
    cells: dict[str, int] = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        connection.execute("set TimeZone = 'UTC'")
        for schema, model, spark_schema in tables:
            spark_files = warehouse / f"{spark_schema}.db" / model
            if not spark_files.exists():
                fail(f"spark table {spark_schema}.{model} not found under {warehouse}")
            columns = compared_columns(connection, schema, model)
            json_columns = JSON_COLUMNS.get(model, set())
            converters = {name: json_value for name in columns if name in json_columns}
            # A JSON column is VARCHAR or JSON in DuckDB and VARIANT in Spark: read both as JSON text.
            select_list = ", ".join(f'cast(cast("{column}" as json) as varchar) as "{column}"'
                                    if column in json_columns else f'"{column}"' for column in columns)
            duck_names, duck_rows = table_rows(connection, f"select {select_list} from {schema}.{model}", converters)
            spark_names, spark_rows = table_rows(
                connection, f"select {select_list} from read_parquet('{spark_files}/*.parquet')", converters)
            if duck_names != spark_names:
                fail(f"{model}: columns differ: duckdb {duck_names} vs spark {spark_names}")
            if len(duck_rows) != len(spark_rows):
                fail(f"{model}: duckdb has {len(duck_rows)} rows, spark {len(spark_rows)}")
            for duck_row, spark_row in zip(duck_rows, spark_rows):
                for name, duck_value, spark_value in zip(duck_names, duck_row, spark_row):
                    if duck_value != spark_value:
                        fail(f"{model}: column {name} differs in row {duck_row[:3]}...: "
                             f"duckdb {duck_value!r} vs spark {spark_value!r}")
            cells[schema] = cells.get(schema, 0) + len(duck_rows) * len(duck_names)
            progress(f"{model}: {len(duck_rows)} rows x {len(duck_names)} columns equal")
    return cells


@click.command()
@click.option("--duckdb", "duckdb_path", type=click.Path(path_type=Path), required=True,
              help="DuckDB file of a finished build")
@click.option("--duckdb-target", type=click.Path(path_type=Path), required=True, help="target dir of that build (manifest)")
@click.option("--work-dir", type=click.Path(path_type=Path), required=True, help="Spark warehouse, metastore and logs")
@click.option("--vars", "dbt_vars", default="", help="dbt vars for the Spark build, as given to the DuckDB one "
              "(e.g. \"{raw_events_path: /data/events/*.parquet}\")")
def spark_check(duckdb_path: Path, duckdb_target: Path, work_dir: Path, dbt_vars: str) -> int:
    """Build the project on Apache Spark (run with .venv-spark/bin/python) and compare it with the
    DuckDB build, cell by cell: every public metric table and the staging tables that judge raw
    rows. See docs/decisions/0003-spark-portability.md."""
    manifest = duckdb_target / "manifest.json"
    if not manifest.exists():
        fail(f"{manifest} not found: build on DuckDB first")
    spark_dir = work_dir.resolve()
    shutil.rmtree(spark_dir, ignore_errors=True)
    spark_dir.mkdir(parents=True)

    started = time.perf_counter()
    progress("spark: dbt seed (every seed, raw events included)")
    run_spark_dbt(["seed"], spark_dir)
    progress("spark: dbt run (every model)")
    run_spark_dbt(["run", *(["--vars", dbt_vars] if dbt_vars else [])], spark_dir)
    spark_seconds = time.perf_counter() - started
    views = view_models(manifest, tuple(model for _, model in COMPARED_STAGING))
    progress(f"spark: copying the views {', '.join(views)} into Parquet tables to compare them")
    run_spark_dbt(["run-operation", "spark_materialize_views", "--args",
                   json.dumps({"schema_name": VIEW_COPY_SCHEMA, "model_names": views})], spark_dir)

    models = public_metric_models(manifest)
    tables = [(schema, model, VIEW_COPY_SCHEMA if model in views else schema) for schema, model in COMPARED_STAGING]
    tables += [("metrics", model, "metrics") for model in models]
    cells = compare(duckdb_path, spark_dir / "warehouse", tables)
    click.echo(f"spark-check: OK - Spark seeds and build {spark_seconds:.0f} s; equal to DuckDB: "
          f"{len(models)} public metric tables ({cells.get('metrics', 0):,} cells) and "
          f"{len(COMPARED_STAGING)} staging and judgement tables "
          f"({cells.get('staging', 0) + cells.get('intermediate', 0):,} cells)")
    return 0
