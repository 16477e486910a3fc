"""Writers: numeric rows formatted to text by DuckDB, written as one CSV file (the seed's format)
or as one Parquet file per UTC received day."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from metrics_tools.generate.numeric import splitmix64
from metrics_tools.generate.simulation import Config
from metrics_tools.generate.sql_format import select_sql
from metrics_tools.generate.vocabulary import Vocabulary
from metrics_tools.generate.world import COUNTRIES, OUTPUT_COLUMNS, PLATFORMS, SALTS, VERSIONS


class Writer:
    """Format numeric rows with DuckDB and write CSV or per-received-day Parquet files.

    Days are buffered until ``chunk_rows`` rows so that one formatting query serves several
    small days; each day is then copied out of a temporary table, sorted by arrival.
    """

    def __init__(self, vocab: Vocabulary, cfg: Config, fmt: str, output: Path,
                 chunk_rows: int = 300_000) -> None:
        import duckdb  # local import: the pilot run does not need it

        self.vocab, self.cfg, self.fmt, self.output = vocab, cfg, fmt, output
        self.chunk_rows = chunk_rows
        self.compression = "snappy"
        self.con = duckdb.connect()
        self.con.execute("set preserve_insertion_order = true")
        self.con.execute("set memory_limit = '1GB'")
        self.con.execute("set allocator_flush_threshold = '64MB'")
        self.sql = select_sql(vocab, cfg)
        self.tmp = tempfile.TemporaryDirectory(prefix="generate_events_")
        self.pending: list[tuple[date, dict[str, np.ndarray]]] = []
        self.pending_rows = 0
        self.csv_handle: IO[bytes] | None = None
        if fmt == "csv":
            self.csv_handle = output.open("wb")
            self.csv_handle.write((",".join(OUTPUT_COLUMNS) + "\n").encode())
        else:
            output.mkdir(parents=True, exist_ok=True)

    def write(self, day: date, rows: dict[str, np.ndarray]) -> None:
        """Queue one received day's rows; format and write once enough rows are queued."""
        n = rows["seq"].size
        if n == 0:
            return
        if self.pending and self.pending_rows + n > self.chunk_rows:
            self.flush()
        self.pending.append((day, rows))
        self.pending_rows += n

    def _frame(self) -> pd.DataFrame:
        v, seed = self.vocab, self.cfg.seed
        rows = {k: np.concatenate([r[k] for _, r in self.pending]) for k in self.pending[0][1]}
        rday = np.concatenate([np.full(r["seq"].size, i, dtype=np.int16)
                               for i, (_, r) in enumerate(self.pending)])
        order = np.lexsort((rows["seq"], rows["r_ms"], rday))  # arrival order within each day
        rows = {k: val[order] for k, val in rows.items()}
        rday = rday[order]
        seq = rows["seq"]
        did = rows["did"].clip(0)
        frame = {
            "rday": rday, "seq": seq, "ev": rows["ev"], "uid": rows["uid"], "did": rows["did"],
            "t_ms": rows["t_ms"], "r_ms": rows["r_ms"], "tz": rows["tz"],
            "tier": rows["tier"], "shape": rows["shape"], "has_iid": rows["has_iid"],
            "kind": rows["kind"], "var": rows["var"], "ri": rows["ri"], "cur": rows["cur"],
            "pl": rows["pl"], "rev": rows["rev"],
            "h1": splitmix64(seq, SALTS["insert"] + seed),
            "h2": splitmix64(seq, SALTS["insert2"] + seed),
            "hu": splitmix64(rows["uid"].clip(0), SALTS["user"] + seed),
            "d1": splitmix64(did, SALTS["device"] + seed),
            "d2": splitmix64(did, SALTS["device2"] + seed),
            "nm": pd.Categorical.from_codes(rows["nm"], categories=v.names),
            "plat": pd.Categorical.from_codes(rows["plat"], categories=list(PLATFORMS)),
            "ver": pd.Categorical.from_codes(rows["ver"], categories=[x for x, _ in VERSIONS]),
            "ctry": pd.Categorical.from_codes(rows["ctry"], categories=[c[0] for c in COUNTRIES]),
        }
        return pd.DataFrame(frame)

    def flush(self) -> None:
        """Format the queued days in one query and write each day out, sorted by arrival."""
        if not self.pending:
            return
        batch = self._frame()  # noqa: F841  (scanned by DuckDB by name)
        self.con.register("batch", batch)
        columns = ", ".join(OUTPUT_COLUMNS)
        # rows are already sorted by arrival, and DuckDB keeps insertion order
        if self.fmt == "csv":
            part = Path(self.tmp.name) / "part.csv"
            self.con.execute(f"copy (select {columns} from ({self.sql})) "
                             f"to '{part}' (format csv, header false)")
            assert self.csv_handle is not None
            with part.open("rb") as handle:
                while chunk := handle.read(1 << 22):
                    self.csv_handle.write(chunk)
        elif len(self.pending) == 1:  # one (large) day: stream it straight to its file
            path = self.output / f"events_{self.pending[0][0].isoformat()}.parquet"
            self.con.execute(f"copy (select {columns} from ({self.sql})) "
                             f"to '{path}' (format parquet, compression {self.compression})")
        else:  # several small days: format once, then split by day
            self.con.execute(f"create or replace temp table formatted as {self.sql}")
            for i, (day, _) in enumerate(self.pending):
                path = self.output / f"events_{day.isoformat()}.parquet"
                self.con.execute(
                    f"copy (select {columns} from formatted where rday = {i}) "
                    f"to '{path}' (format parquet, compression {self.compression})")
            self.con.execute("drop table formatted")
        self.con.unregister("batch")
        del batch
        self.pending, self.pending_rows = [], 0

    def close(self) -> None:
        """Write what is still queued and release resources."""
        try:
            self.flush()
        finally:
            if self.csv_handle is not None:
                self.csv_handle.close()
            self.con.close()
            self.tmp.cleanup()
