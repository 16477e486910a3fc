"""The project's tools, one package with one command-line shape:

    .venv/bin/python -m metrics_tools <subcommand> [options]     (--help on each)

Subcommands are imported only when run, so a light environment (the Spark virtualenv) can run
the ones it needs without the others' libraries.
"""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
