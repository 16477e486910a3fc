"""Make the single-file docs site self-contained: embed the docs' images as data URIs.

`dbt docs generate --static` inlines the manifest and catalog into `target/static_index.html`,
but images in doc blocks stay links to `docs/assets/<file>` (copied to `target/docs/assets/`).
The file then shows broken images as soon as it is opened anywhere else (mailed, uploaded, moved).
This script replaces each `docs/assets/<file>` link with the file's content as a `data:` URI,
in place.

With `--db`, it also stamps the overview with the built database's freshness line ("data through
<date>, built <time>, <n> events, <m> quarantined", from `python -m metrics_tools summary`): the overview
doc block holds the placeholder sentence `FRESHNESS_PLACEHOLDER`, which reads sensibly when the
docs are served without this step.

Example:
  .venv/bin/python -m metrics_tools embed-docs target/static_index.html --db target/product_metrics.duckdb
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

import click

from metrics_tools import PROJECT_DIR
from metrics_tools.cli import ToolError

ASSET_PREFIX = "docs/assets/"
DEFAULT_ASSETS = PROJECT_DIR / "docs" / "assets"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
# dbt docs' sidebar cuts a long label in two flex items ("DAU change" + " week over week") and
# a flex item drops its leading or trailing space: keep the spaces, so labels read as words.
LABEL_SPACES_CSS = (
    "<style>/* metrics_tools embed-docs: keep spaces where the sidebar splits a label */"
    ".filename .filename-ellip,.filename .filename-ellip+.filename-normal{white-space:pre}</style>"
)
# dbt docs lists "Contract: Not Enforced" on every page, metrics and seeds included, where a model
# contract cannot apply. Show the Contract row on model pages only.
CONTRACT_ROW = '{name:"Contract",value:s?"Enforced":"Not Enforced"}'
CONTRACT_ROW_MODELS_ONLY = '{name:"Contract",value:s?"Enforced":"model"===e.resource_type?"Not Enforced":void 0}'
# The sentence in models/docs/overview.md that the freshness line replaces.
FRESHNESS_PLACEHOLDER = "Freshness: run `make docs` to stamp this page with the data it shows."


class EmbedError(Exception):
    """Bad input: reported as one line, exit code 1."""


def data_uri(path: Path) -> str:
    """The file as a base64 `data:` URI."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def fix_page_labels(html: str) -> tuple[str, list[str]]:
    """Sidebar labels keep their spaces; the Contract row shows on model pages only.

    Returns the new HTML and the fixes that did not apply (the dbt docs bundle changed)."""
    missing: list[str] = []
    if LABEL_SPACES_CSS not in html:
        if "</head>" in html:
            html = html.replace("</head>", LABEL_SPACES_CSS + "</head>", 1)
        else:
            missing.append("sidebar label spaces (no </head>)")
    if CONTRACT_ROW in html:
        html = html.replace(CONTRACT_ROW, CONTRACT_ROW_MODELS_ONLY)
    elif CONTRACT_ROW_MODELS_ONLY not in html:
        missing.append("Contract row on model pages only (dbt docs code changed)")
    return html, missing


def embed(html_path: Path, assets_dir: Path) -> dict[str, int]:
    """Embed every image of ``assets_dir`` linked from ``html_path``; return links replaced per file."""
    if not html_path.is_file():
        raise EmbedError(f"{html_path}: no such file; run `dbt docs generate --static` first")
    if not assets_dir.is_dir():
        raise EmbedError(f"{assets_dir}: no such folder; run `python -m metrics_tools charts` first")
    html = html_path.read_text(encoding="utf-8")
    replaced: dict[str, int] = {}
    for asset in sorted(assets_dir.iterdir()):
        if asset.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        link = ASSET_PREFIX + asset.name
        count = html.count(link)
        if count:
            html = html.replace(link, data_uri(asset))
            replaced[asset.name] = count
    html, missing = fix_page_labels(html)
    for fix in missing:
        click.echo(f"embed-docs: warning: not applied: {fix}", err=True)
    html_path.write_text(html, encoding="utf-8")
    return replaced


def stamp_freshness(html_path: Path, line: str) -> int:
    """Replace the overview's placeholder sentence with ``line``; return how many were replaced."""
    html = html_path.read_text(encoding="utf-8")
    # The doc block sits in the manifest embedded as JSON: its backticks are plain characters.
    count = html.count(FRESHNESS_PLACEHOLDER)
    if count == 0:
        raise EmbedError(f"{html_path}: the overview's freshness placeholder is missing (models/docs/overview.md)")
    html_path.write_text(html.replace(FRESHNESS_PLACEHOLDER, f"**Freshness**: {line}."), encoding="utf-8")
    return count


def freshness_line(db_path: Path) -> str:
    """The one-line freshness stamp of a built database (`python -m metrics_tools summary`)."""
    from metrics_tools import summary as metrics_summary

    try:
        con = metrics_summary.connect(db_path)
    except metrics_summary.SummaryError as exc:
        raise EmbedError(str(exc)) from exc
    try:
        return metrics_summary.freshness(con).line()
    except metrics_summary.SummaryError as exc:
        raise EmbedError(str(exc)) from exc
    finally:
        con.close()


@click.command()
@click.argument("html", type=click.Path(path_type=Path))
@click.option("--assets", type=click.Path(path_type=Path), default=None,
              help="image folder (default: docs/assets beside the HTML file if present, else the project's docs/assets)")
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="built DuckDB file: stamp the overview with its freshness line")
def embed_docs(html: Path, assets: Path | None, db_path: Path | None) -> int:
    """Make the single-file docs site (HTML, e.g. target/static_index.html) self-contained: embed
    the docs' images as data URIs, in place; with --db, stamp the overview's freshness line."""
    if assets is None:
        beside = html.parent / "docs" / "assets"
        assets = beside if beside.is_dir() else DEFAULT_ASSETS
    try:
        replaced = embed(html, assets)
        line = freshness_line(db_path) if db_path is not None else None
        if line is not None:
            stamp_freshness(html, line)
    except EmbedError as exc:
        raise ToolError(str(exc)) from exc
    summary = ", ".join(f"{name} x{count}" for name, count in replaced.items()) or "no image links found"
    click.echo(f"embedded into {html}: {summary}")
    if line is not None:
        click.echo(f"overview stamped: {line}")
    return 0
