"""Run a command (dbt, or the whole main job) with exclusive use of the DuckDB file, or fail at
once with a one-line message.

DuckDB allows one writing process per database file. A second `dbt build` on a file that is
being built fails only after dbt has parsed the project, with a long traceback around
"Could not set lock on file ... Conflicting lock is held". This wrapper says it plainly and
before any work:

    python -m metrics_tools exclusive build --vars '{raw_events_path: data/*.parquet}'
    python -m metrics_tools exclusive --wait -- make build-locked     # any command, waiting for the lock

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
import itertools
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import NoReturn

import click

from metrics_tools.cli import ToolError

IN_USE_EXIT_CODE = 75
DEFAULT_DB_PATH = "target/product_metrics.duckdb"


def database_path() -> Path:
    return Path(os.environ.get("DBT_DUCKDB_PATH") or DEFAULT_DB_PATH)


def fail(message: str, code: int = IN_USE_EXIT_CODE) -> NoReturn:
    raise ToolError(f"error: {message}", exit_code=code)


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


class PassThrough(click.Command):
    """Everything after the options is the command, untouched; remembers whether it came after
    `--` (any command) or not (dbt arguments)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options = list(itertools.takewhile(lambda arg: arg in ("--wait", "-h", "--help"), args))
        rest = args[len(options):]
        ctx.meta["exclusive.raw_command"] = bool(rest) and rest[0] == "--"
        return super().parse_args(ctx, options + rest[1:] if ctx.meta["exclusive.raw_command"] else args)


USAGE = "usage: exclusive [--wait] DBT_ARGS... | [--wait] -- COMMAND..."


@click.command(cls=PassThrough, context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--wait", is_flag=True, help="wait for another run on the same database instead of failing")
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def exclusive(ctx: click.Context, wait: bool, arguments: tuple[str, ...]) -> int:
    """Run dbt (DBT_ARGS) or, after `--`, any COMMAND with exclusive use of the DuckDB file
    ($DBT_DUCKDB_PATH, else target/product_metrics.duckdb), or fail at once in one line
    (exit code 75: in use, try again later)."""
    if not arguments:
        raise ToolError(f"error: no command given; {USAGE}", exit_code=2)
    raw = ctx.meta["exclusive.raw_command"]
    command = list(arguments) if raw else [str(Path(sys.executable).with_name("dbt")), *arguments]
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
        click.echo(f"waiting for the database {db_path}: in use by another run ({holder})", err=True)
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
