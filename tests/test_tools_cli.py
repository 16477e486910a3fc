"""The tools' one command line (`python -m metrics_tools <subcommand>`): every subcommand has
--help, bad input fails in one line, the
modules stay small, and the generator still writes the committed seed byte for byte."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_helpers import PROJECT_DIR
from metrics_tools import cli

PACKAGE_DIR = PROJECT_DIR / "metrics_tools"


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([command, "--help"]) == 0
    assert f"Usage: {cli.PROG} {command}" in capsys.readouterr().out


@pytest.mark.parametrize("args,names", [
    (["generate", "--output", "x.csv", "--days", "many"], "--days"),
    (["generate", "--output", "x.csv", "--bad-weights", "nope=1"], "--bad-weights"),
    (["generate", "--seeds-dir", "/nonexistent", "--output", "x.csv"], "/nonexistent"),
    (["generate"], "--output"),
    (["charts", "--db", "/nonexistent/none.duckdb"], "make build"),
    (["structure", "--manifest", "/nonexistent/manifest.json"], "dbt parse"),
    (["seed-to-parquet", "--output", "/tmp/x", "--files", "0"], "--files"),
    (["no-such-command"], "no-such-command"),
])
def test_bad_input_fails_in_one_line(args: list[str], names: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(args) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and names in err, err


def test_no_module_over_300_lines_and_no_class_over_150() -> None:
    too_long = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > 300:
            too_long.append(f"{path.relative_to(PROJECT_DIR)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno and node.end_lineno - node.lineno + 1 > 150:
                too_long.append(f"{path.relative_to(PROJECT_DIR)}: class {node.name}")
    assert not too_long, too_long


def test_the_generator_rewrites_the_committed_seed_byte_for_byte(tmp_path: Path) -> None:
    """seeds/raw_events.csv is `generate --seed 42` (seeds/_seeds.yml): same arguments, same bytes."""
    output = tmp_path / "raw_events.csv"
    subprocess.run([sys.executable, "-m", "metrics_tools", "generate", "--seed", "42", "--output", str(output),
                    "--quiet"], cwd=PROJECT_DIR, check=True)
    assert output.read_bytes() == (PROJECT_DIR / "seeds" / "raw_events.csv").read_bytes()
