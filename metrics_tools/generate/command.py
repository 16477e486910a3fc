"""`python -m metrics_tools generate`: the generator's command line, the day loop and its summary.

The event schema (names, required properties and their types, aliases, currencies, funnel
windows) is read from the reference seeds, so the output stays consistent with the tracking
plan. Behaviour flows (sign-up, onboarding, paywall, trial, subscription) name Tempo's events;
a flow whose events are not shipped in the plan is skipped.

Rows are simulated day by day with numpy and formatted to text by DuckDB, so memory stays
bounded by one day of events. Same arguments give byte-identical output.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from metrics_tools.cli import ToolError
from metrics_tools.generate.bad_rows import BAD_KINDS, KIND, parse_weights
from metrics_tools.generate.reference import InputError, Reference, load_reference
from metrics_tools.generate.simulation import Config, Simulation
from metrics_tools.generate.vocabulary import Vocabulary
from metrics_tools.generate.world import DAY
from metrics_tools.generate.writers import Writer

Rows = dict[str, np.ndarray]
EXAMPLES = """Examples:

\b
    python -m metrics_tools generate --seed 42 --output seeds/raw_events.csv
    python -m metrics_tools generate --events 1000000 --output /tmp/events --format parquet
"""


def received_batches(sim: Simulation, cfg: Config,
                     on_day: Callable[[int], None] | None = None) -> Iterator[tuple[date, Rows]]:
    """Yield rows grouped by UTC received day, in day order, carrying late arrivals over."""
    carry: Rows | None = None
    start_ms = datetime(cfg.start.year, cfg.start.month, cfg.start.day,
                        tzinfo=timezone.utc).timestamp() * 1000
    for d in range(cfg.days):
        rows = sim.day(d)
        rows["t_ms"] = rows["t_ms"] + int(start_ms)
        rows["r_ms"] = rows["r_ms"] + int(start_ms)
        if carry is not None:
            rows = {k: np.concatenate([carry[k], rows[k]]) for k in rows}
        r_day = (rows["r_ms"] - int(start_ms)) // (DAY * 1000)
        now = r_day <= d
        yield cfg.start + timedelta(days=d), {k: val[now] for k, val in rows.items()}
        carry = {k: val[~now] for k, val in rows.items()}
        if on_day is not None:
            on_day(d)
    if carry is not None and carry["seq"].size:
        r_day = (carry["r_ms"] - int(start_ms)) // (DAY * 1000)
        for day_ in np.unique(r_day):
            sel = r_day == day_
            yield cfg.start + timedelta(days=int(day_)), {k: v[sel] for k, v in carry.items()}


def pilot_rows_per_user(cfg: Config, ref: Reference, vocab: Vocabulary) -> float:
    """Rows per registered user for these options, measured on a small simulation."""
    sample = 3_000
    pilot = Config(cfg.seed, sample, cfg.days, cfg.start, cfg.bad_rate, cfg.bad_weights)
    sim = Simulation(pilot, vocab, ref)
    rows = sum(sim.day(d)["seq"].size for d in range(cfg.days))
    return rows / sample


def make_config(seed: int, users: int, days: int, start_date: str, events: int | None,
                bad_rate: float, bad_weights: str) -> Config:
    try:
        start = date.fromisoformat(start_date)
    except ValueError as exc:
        raise InputError(f"--start-date must be YYYY-MM-DD, got {start_date!r}") from exc
    if seed < 0:
        raise InputError("--seed must be a non-negative integer")
    if users < 1:
        raise InputError("--users must be at least 1")
    if not 1 <= days <= 3650:
        raise InputError("--days must be between 1 and 3650")
    if events is not None and events < 1:
        raise InputError("--events must be at least 1")
    if not 0.0 <= bad_rate <= 0.5:
        raise InputError("--bad-rate must be between 0 and 0.5")
    weights = parse_weights(bad_weights)
    if bad_rate > 0 and sum(weights.values()) <= 0:
        raise InputError("--bad-weights: at least one weight must be positive")
    return Config(seed, users, days, start, bad_rate, weights)


def resolve_output(output: Path, fmt: str | None) -> str:
    fmt = fmt or ("csv" if output.suffix.lower() == ".csv" else "parquet")
    if fmt == "csv":
        if output.is_dir():
            raise InputError(f"--output {output} is a directory; give a .csv file for CSV")
        if not output.parent.exists():
            raise InputError(f"--output directory does not exist: {output.parent}")
    elif output.exists() and not output.is_dir():
        raise InputError(f"--output {output} must be a directory for Parquet output")
    return fmt


def write_all(sim: Simulation, cfg: Config, writer: Writer, quiet: bool) -> np.ndarray:
    """Simulate and write every day (a progress bar on stderr unless quiet); rows per bad kind."""
    stats = np.zeros(len(BAD_KINDS) + 1, dtype=np.int64)
    columns = (TextColumn("days"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rows]:,} rows"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), disable=quiet) as progress:
        task = progress.add_task("days", total=cfg.days, rows=0)
        rows_done = 0
        try:
            for day, rows in received_batches(sim, cfg, lambda d: progress.update(task, completed=d + 1)):
                writer.write(day, rows)
                rows_done += rows["seq"].size
                progress.update(task, rows=rows_done)
                kinds = np.where(rows["dup"], KIND["duplicate_event"], rows["kind"])
                stats += np.bincount(kinds, minlength=stats.size)
        finally:
            writer.close()
    return stats


KINDS_HELP = ", ".join(f"{n}={w:g}{' (clean)' if c else ''}" for n, w, c in BAD_KINDS)


@click.command(epilog=f"Bad-row kinds and default weights: {KINDS_HELP}.\n\n{EXAMPLES}")
@click.option("--seed", type=int, default=42, show_default=True, help="random seed")
@click.option("--users", type=int, default=1500, show_default=True,
              help="registered users (anonymous-only visitors come on top)")
@click.option("--days", type=int, default=75, show_default=True, help="days to simulate")
@click.option("--start-date", default="2026-08-01", show_default=True, help="first UTC day, YYYY-MM-DD")
@click.option("--events", type=int, default=None, help="target total rows; scales --users to reach roughly that many")
@click.option("--output", type=click.Path(path_type=Path), required=True,
              help="a .csv file, or a directory for one Parquet file per UTC received day "
                   "(events_YYYY-MM-DD.parquet)")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default=None,
              help="output format (default: csv for a .csv path, else parquet)")
@click.option("--seeds-dir", type=click.Path(path_type=Path), default=Path("seeds"), show_default=True,
              help="directory holding tracking_plan.csv, event_aliases.csv, currency_rates.csv, funnel_steps.csv")
@click.option("--bad-rate", type=float, default=0.06, show_default=True, help="overall share of bad rows")
@click.option("--bad-weights", default="",
              help="comma-separated kind=weight overrides that split --bad-rate, e.g. duplicate_event=3,pii=0")
@click.option("--quiet", is_flag=True, help="no progress or summary")
def generate(seed: int, users: int, days: int, start_date: str, events: int | None, output: Path,
             fmt: str | None, seeds_dir: Path, bad_rate: float, bad_weights: str, quiet: bool) -> int:
    """Generate deterministic synthetic raw events for Tempo (music streaming). Event names,
    required properties, aliases, currencies and funnel windows come from the reference seeds."""
    try:
        cfg = make_config(seed, users, days, start_date, events, bad_rate, bad_weights)
        fmt = resolve_output(output, fmt)
        ref = load_reference(seeds_dir)
    except InputError as exc:
        raise ToolError(f"error: {exc}", exit_code=2) from exc
    vocab = Vocabulary.build(ref)
    if events is not None:
        per_user = pilot_rows_per_user(cfg, ref, vocab)
        users = max(1, int(round(events / max(per_user, 1e-9))))
        cfg = Config(cfg.seed, users, cfg.days, cfg.start, cfg.bad_rate, cfg.bad_weights)
        if not quiet:
            click.echo(f"--events {events:,}: {per_user:.1f} rows per user -> {users:,} users", err=True)
    started = time.monotonic()
    stats = write_all(Simulation(cfg, vocab, ref), cfg, Writer(vocab, cfg, fmt, output), quiet)
    if not quiet:
        elapsed = time.monotonic() - started
        total = int(stats.sum())
        click.echo(f"{total:,} rows, {cfg.users:,} registered users, {cfg.days} days, "
                   f"{elapsed:.1f}s ({total / max(elapsed, 1e-9):,.0f} rows/s) -> {output}", err=True)
        for i, (name, _, clean) in enumerate(BAD_KINDS, start=1):
            click.echo(f"  {name:<24}{stats[i]:>12,}{'  (clean)' if clean else ''}", err=True)
    return 0
