"""The repository stands alone: no tracked file names a path outside it.

A clone has only what git tracks. A link to a sibling folder of the repository, a machine path
(the shared work folder, a home directory, a Windows user folder) or a Markdown link that climbs
out of the repository leaves the reader with nothing. The contract and the conventions live in
`docs/`. (This file spells its crafted examples in pieces so that it passes its own check.)
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from dbt_helpers import PROJECT_DIR

SIBLING = "../" + "shared"
MACHINE = "/" + "work/"
# Paths that can only mean "somewhere on one machine, outside this repository".
OUTSIDE_PATTERNS = {
    "a sibling folder": re.compile(r"\.\./shared\b"),
    "a machine path under /work": re.compile(r"(?<![\w.])/wor[k]/"),
    "a home directory": re.compile(r"(?<![\w.])(?:/home/|/Users/|/root/)[\w.-]+"),
    "a Windows user folder": re.compile(r"[A-Za-z]:\\Users\\", re.I),
}
# Markdown links whose target climbs above the repository root.
MARKDOWN_LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)\s]+)\)")


def tracked_files() -> list[Path]:
    """Every file git tracks (what a clone has)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout
    return [PROJECT_DIR / name for name in listing.split("\0") if name]


def outside_references(path: Path, text: str) -> list[str]:
    """`file:line: what` for every reference to a path outside the repository."""
    found: list[str] = []
    relative = path.relative_to(PROJECT_DIR)
    for number, line in enumerate(text.splitlines(), start=1):
        for what, pattern in OUTSIDE_PATTERNS.items():
            if pattern.search(line):
                found.append(f"{relative}:{number}: {what}: {line.strip()[:120]}")
        if path.suffix == ".md":
            for target in MARKDOWN_LINK.findall(line):
                resolved = (path.parent / target.split("#")[0]).resolve()
                if not resolved.is_relative_to(PROJECT_DIR.resolve()):
                    found.append(f"{relative}:{number}: a link out of the repository: {target}")
    return found


def test_no_tracked_file_names_a_path_outside_the_repository() -> None:
    files = tracked_files()
    assert len(files) > 50, "git ls-files found too few files: is this a git checkout?"
    problems: list[str] = []
    for path in files:
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images and other binary files
        problems += outside_references(path, text)
    assert problems == [], "tracked files name paths outside the repository:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"see [the contract]({SIBLING}/metric-definitions.md)", 2),  # a sibling folder, and a link out
        (f'"""Rules of {MACHINE}shared/conventions.md."""', 1),
        ("cd /" + "home/alice/project && make", 1),
        ("open /" + "Users/bob/data.csv", 1),
        ("C:" + "\\Users\\carol\\events.csv", 1),
        ("[up and out](../../elsewhere.md)", 1),
        ("see [the contract](docs/metrics-contract.md) and [0001](docs/decisions/)", 0),
        ("generated files go to /tmp/events and target/", 0),
        (f"a URL https://example.com{MACHINE}x is not a path here", 0),
    ],
)
def test_the_check_catches_outside_paths(text: str, expected: int) -> None:
    """The check can fail: crafted lines, as if in a Markdown file at the repository root."""
    assert len(outside_references(PROJECT_DIR / "README.md", text)) == expected


def test_the_contract_is_in_the_repository() -> None:
    contract = (PROJECT_DIR / "docs" / "metrics-contract.md").read_text(encoding="utf-8")
    for heading in ("Contract v1", "Contract v2", "Staging rules", "Public metric models", "Definitions"):
        assert heading in contract
    models = sorted(path.stem for path in (PROJECT_DIR / "models" / "metrics").glob("metrics_*.sql"))
    missing = [model for model in models if f"`{model}`" not in contract]
    assert missing == [], f"public metric models the contract does not define: {missing}"
