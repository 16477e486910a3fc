"""The command group: subcommands loaded lazily (click's documented LazyGroup pattern), and one
error shape for all of them -- one line on stderr naming the command, the option or file, and
the fix; a non-zero exit status."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

PROG = "python -m metrics_tools"

# subcommand -> ("module:attribute" of its click command, one-line help); imported only when run
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("metrics_tools.generate.command:generate", "Generate deterministic synthetic raw events (CSV or daily Parquet)."),
    "benchmark": ("metrics_tools.benchmark.command:benchmark", "Time the dbt build against hand-written DuckDB SQL and pandas."),
    "charts": ("metrics_tools.charts.command:charts", "Draw the docs charts (PNG) from a built database."),
    "embed-docs": ("metrics_tools.embed_docs:embed_docs", "Embed chart images and the freshness line into the static docs page."),
    "tracking-plan-docs": ("metrics_tools.tracking_plan_docs:tracking_plan_docs", "Write (or --check) the tracking plan docs block from the seed."),
    "summary": ("metrics_tools.summary:summary", "Print the headline numbers of a built database."),
    "checks": ("metrics_tools.checks:checks", "Run every check of `make test`, numbered and timed."),
    "spark-check": ("metrics_tools.spark_check:spark_check", "Build every model on Spark and compare with DuckDB."),
    "exclusive": ("metrics_tools.exclusive:exclusive", "Run dbt (or any command) with exclusive use of the DuckDB file."),
    "seed-to-parquet": ("metrics_tools.seed_to_parquet:seed_to_parquet", "Write the raw events seed as Parquet files."),
    "structure": ("metrics_tools.structure.command:structure", "Check the project's layer rules from manifest.json."),
    "verification-docs": ("metrics_tools.verification_docs:verification_docs",
                          "Write (or --check) the 'How we know these numbers are right' page from the test run."),
    "impact": ("metrics_tools.impact.command:impact", "Impact report: what a change does to the public numbers."),
}


def available_commands() -> dict[str, tuple[str, str]]:
    """Every subcommand, by name."""
    return dict(COMMANDS)


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(available_commands())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = available_commands().get(cmd_name)
        if entry is None:
            return None
        target = entry[0]
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list in --help, without importing every subcommand (and its libraries)."""
        rows = [(name, short_help) for name, (_, short_help) in sorted(available_commands().items())]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """The project's tools: data generator, checks, docs, charts, benchmark."""


class ToolError(click.ClickException):
    """A one-line failure: `<command>: <message>`, exit status ``exit_code`` (default 1)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def one_line(text: str) -> str:
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run a subcommand; return its exit status (errors reported in one line on stderr)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=args, prog_name=PROG, standalone_mode=False)
    except click.UsageError as error:
        where = error.ctx.command_path if error.ctx is not None else PROG
        click.echo(f"{where}: error: {one_line(error.format_message())} (see {where} --help)", err=True)
        return 2
    except click.ClickException as error:
        name = args[0] if args else PROG
        click.echo(f"{name}: {error.format_message()}", err=True)
        return error.exit_code
    except click.Abort:
        click.echo(f"{PROG}: aborted", err=True)
        return 1
    return result if isinstance(result, int) else 0
