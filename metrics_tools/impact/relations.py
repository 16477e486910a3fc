"""Built relations read from the base and change databases, attached to one DuckDB connection
as catalogs `base` and `head`."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

# Columns written at load time, not derived from the inputs: ignored when comparing data.
LOAD_TIME_COLUMNS = frozenset({"written_at", "processed_at"})


def display_name(node: dict[str, Any]) -> str:
    return f"{node['name']} v{node['version']}" if node.get("version") is not None else node["name"]


def table_columns(con: duckdb.DuckDBPyConnection, catalog: str, node: dict[str, Any]) -> dict[str, str]:
    """Column name -> type of the node's relation in an attached database ({} when absent)."""
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, node["schema"], node.get("alias") or node["name"]],
    ).fetchall()
    return {name: data_type for name, data_type in rows}


def read_table(con: duckdb.DuckDBPyConnection, catalog: str, node: dict[str, Any]) -> pd.DataFrame:
    return con.execute(f'select * from {catalog}."{node["schema"]}"."{node.get("alias") or node["name"]}"').df()
