#!/usr/bin/env python3
"""Run a command (dbt, or the whole main job) with exclusive use of the DuckDB file, or fail at
once with a one-line message.

DuckDB allows one writing process per database file. A second `dbt build` on a file that is
being built fails only after dbt has parsed the project, with a long traceback around
"Could not set lock on file ... Conflicting lock is held". This wrapper says it plainly and
before any work:

    scripts/dbt_exclusive.py build --vars '{raw_events_path: data/*.parquet}'
    scripts/dbt_exclusive.py --wait -- make _build-locked     # any command, waiting for the lock

1. It takes an exclusive, non-blocking lock on `<database>.lock` beside the database file and
   holds it until dbt ends, so two wrapped runs never overlap (no race between check and use).
2. It opens the database once and closes it, so a file held by anything else (an analyst's
   DuckDB shell, an unwrapped dbt run) is reported too.
3. It runs dbt with the given arguments (or, after `--`, any command) and exits with its exit
   code. With `--wait` it waits for another run to finish instead of failing.

The database path is $DBT_DUCKDB_PATH, else target/product_metrics.duckdb (as in the profile).
Exit code 75 (EX_TEMPFAIL) means "in use, try again later".
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

IN_USE_EXIT_CODE = 75
DEFAULT_DB_PATH = "target/product_metrics.duckdb"


def database_path() -> Path:
    return Path(os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_DB_PATH)


def fail(message: str, code: int = IN_USE_EXIT_CODE) -> None:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


def duckdb_lock_problem(db_path: Path) -> str | None:
    """The DuckDB lock error when another process holds the file, else None."""
    if not db_path.exists():
        return None
    import duckdb  # imported late: --help must work without it

    try:
        duckdb.connect(str(db_path)).close()
    except duckdb.IOException as error:
        text = str(error)
        if "lock" in text.lower():
            return text.splitlines()[0]
        raise
    return None


def main(argv: list[str]) -> int:
    usage = "usage: dbt_exclusive.py [--wait] DBT_ARGS... | [--wait] -- COMMAND..."
    wait = bool(argv) and argv[0] == "--wait"
    argv = argv[1:] if wait else argv
    if not argv or argv == ["--"]:
        print(f"error: no command given; {usage}", file=sys.stderr)
        return 2
    if argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        print(f"\n{usage}")
        return 0
    command = argv[1:] if argv[0] == "--" else [str(Path(sys.executable).with_name("dbt")), *argv]
    db_path = database_path()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_file = open(lock_path, "a+", encoding="utf-8")
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.seek(0)
        holder = lock_file.read().strip() or "unknown process"
        if not wait:
            fail(
                f"database {db_path} is in use by another run ({holder}); wait for it to finish, "
                "or run `make build WAIT=1` to wait"
            )
        print(f"waiting for the database {db_path}: in use by another run ({holder})", file=sys.stderr)
        fcntl.flock(lock_file, fcntl.LOCK_EX)
    problem = duckdb_lock_problem(db_path)
    if problem is not None:
        fail(f"database {db_path} is in use by another process ({problem}); close it or wait")
    lock_file.seek(0)
    lock_file.truncate()
    started = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    lock_file.write(f"PID {os.getpid()}, {Path(command[0]).name} {' '.join(command[1:2])} started {started}\n")
    lock_file.flush()
    try:
        return subprocess.call(command)
    finally:
        lock_file.seek(0)
        lock_file.truncate()
        fcntl.flock(lock_file, fcntl.LOCK_UN)
        lock_file.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
