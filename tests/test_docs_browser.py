"""The single-file docs site, opened in a real headless Chromium.

Builds what `make build` builds, in temporary folders: charts from the default build
(`python -m metrics_tools charts`), `dbt docs generate --static`, images embedded
(`python -m metrics_tools embed-docs`). Then Debian's `chromium`, driven by Playwright, opens the file
with no server, finds the overview, a metric model page, the tracking plan and the charts, checks
the texts and that no image is broken, and saves screenshots (also copied to
`target/docs-screenshot.png`).

Without a browser the browser test skips locally and FAILS under CI (`CI=true`).
The other tests here check the generated docs themselves: every built column is documented and
every example query in the docs runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from dbt_helpers import PROJECT_DIR, run_dbt

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT_COPY = PROJECT_DIR / "target" / "docs-screenshot.png"
CHART_FILES = (
    "active_users.png",
    "retention.png",
    "funnels.png",
    "funnel_options.png",
    "lifecycle.png",
    "data_quality.png",
    "retention_daily.png",
    "retention_weekly.png",
    "new_users.png",
    "stickiness.png",
    "sessions.png",
    "revenue.png",
    "event_volume.png",
    "retention_definitions.png",
    "lifecycle_monthly.png",
    "transitions.png",
)
FRESHNESS_LINE = re.compile(r"Freshness: data through \d{4}-\d{2}-\d{2}, built \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC, [\d,]+ events, [\d,]+ quarantined")
METRIC_MODEL = "metrics_active_users_daily"
TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class StaticDocs:
    """The generated docs of one build."""

    html: Path
    target: Path
    db_path: Path


@pytest.fixture(scope="module")
def static_docs(default_db: Path, tmp_path_factory: pytest.TempPathFactory) -> StaticDocs:
    """Charts + `dbt docs generate --static` + embedded images, from the session's default build."""
    work = tmp_path_factory.mktemp("docs")
    assets = work / "assets"
    subprocess.run(
        [sys.executable, "-m", "metrics_tools", "charts", "--db", str(default_db), "--out", str(assets), "--quiet"],
        check=True,
    )
    run_dbt(["docs", "generate", "--static"], default_db)
    target = default_db.parent / "target"
    html = target / "static_index.html"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "metrics_tools",
            "embed-docs",
            str(html),
            "--assets",
            str(assets),
            "--db",
            str(default_db),
        ],
        check=True,
        capture_output=True,
    )
    return StaticDocs(html=html, target=target, db_path=default_db)


def chromium_path() -> str | None:
    """Debian's chromium, or the one named by $CHROMIUM_PATH."""
    candidates = [os.environ.get("CHROMIUM_PATH", ""), shutil.which("chromium") or "", *CHROMIUM_CANDIDATES]
    return next((c for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


def require_browser() -> str:
    """The browser path; skip locally, fail under CI, when there is none."""
    path = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        message = "no Chromium (apt-get install -y chromium) or no Playwright for Python"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{message}: required under CI")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def browser_page(static_docs: StaticDocs) -> Iterator[object]:
    """A Chromium page, with the console errors collected on `page.errors`."""
    executable = require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            yield page
        finally:
            browser.close()


def broken_images(page: object, selector: str) -> list[str]:
    """Sources (shortened) of images under ``selector`` that did not load."""
    return page.evaluate(  # type: ignore[attr-defined]
        """selector => Array.from(document.querySelectorAll(selector + ' img'))
            .filter(img => !(img.complete && img.naturalWidth > 0))
            .map(img => (img.getAttribute('src') || '').slice(0, 80))""",
        selector,
    )


def chart_images(page: object, selector: str) -> list[int]:
    """naturalWidth of every embedded PNG chart under ``selector``."""
    return page.evaluate(  # type: ignore[attr-defined]
        """selector => Array.from(document.querySelectorAll(selector + ' img'))
            .filter(img => (img.getAttribute('src') || '').startsWith('data:image/png'))
            .map(img => img.naturalWidth)""",
        selector,
    )


def test_static_docs_in_a_real_browser(static_docs: StaticDocs, browser_page: object, tmp_path: Path) -> None:
    page = browser_page
    url = static_docs.html.as_uri()

    # The overview: the landing page.
    page.goto(url + "#!/overview")  # type: ignore[attr-defined]
    page.get_by_text("Tempo product metrics").first.wait_for(timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    overview = page.inner_text("body")  # type: ignore[attr-defined]
    for text in (
        "How to find a metric",
        "Metric catalog",
        "Daily active users (DAU)",
        "Naming conventions",
        "How to propose a new event or metric",
        "Data freshness",
        "Who owns what",
    ):
        assert text in overview, f"overview lacks {text!r}"
    assert FRESHNESS_LINE.search(overview), "overview lacks the freshness line (metrics_tools embed-docs --db)"
    assert broken_images(page, "body") == []
    overview_charts = chart_images(page, "body")
    assert len(overview_charts) >= 3 and all(width > 0 for width in overview_charts), overview_charts
    overview_png = tmp_path / "docs-overview.png"
    page.screenshot(path=str(overview_png), full_page=False)  # type: ignore[attr-defined]

    # A public metric model: description, catalog card, chart, columns.
    page.goto(f"{url}#!/model/model.product_metrics.{METRIC_MODEL}")  # type: ignore[attr-defined]
    page.get_by_text("Active users per day").first.wait_for(timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    model_text = page.inner_text("body")  # type: ignore[attr-defined]
    for text in ("Grain", "Owner", "Caveats", "Example", "dau_mau_ratio", "Monthly active users (MAU)"):
        assert text in model_text, f"{METRIC_MODEL} page lacks {text!r}"
    assert broken_images(page, "body") == []
    model_charts = chart_images(page, "body")
    assert model_charts and all(width > 0 for width in model_charts), model_charts
    model_png = tmp_path / "docs-metric-model.png"
    page.screenshot(path=str(model_png), full_page=False)  # type: ignore[attr-defined]

    # A MetricFlow metric: definition, owner, chart, caveats, a link back to the catalog; no
    # "Contract" row (contracts are for models); sidebar labels keep the spaces between words.
    page.goto(f"{url}#!/metric/metric.product_metrics.dau")  # type: ignore[attr-defined]
    page.get_by_text("Back to the metric catalog").first.wait_for(timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    metric_text = page.inner_text("body")  # type: ignore[attr-defined]
    for text in ("Distinct people (user keys)", "Product Analytics", "Caveats", "metrics_active_users_daily"):
        assert text in metric_text, f"dau metric page lacks {text!r}"
    assert "Not Enforced" not in metric_text
    # The sidebar cuts a long label in two flex items ("DAU change" + " week over week"): the
    # second keeps its leading space only with `white-space: pre` (innerText puts a line break there).
    label_end = page.evaluate(  # type: ignore[attr-defined]
        """() => { const span = document.querySelector(
              '[data-nav-unique-id="metric.product_metrics.dau_change_week_over_week"] .filename-ellip + .filename-normal');
            return [span.textContent, getComputedStyle(span).whiteSpace]; }"""
    )
    assert label_end == [" week over week", "pre"], label_end
    assert "DAU change\n week over week" in metric_text
    assert broken_images(page, "body") == [] and chart_images(page, "body")
    page.screenshot(path=str(tmp_path / "docs-metric-dau.png"), full_page=False)  # type: ignore[attr-defined]

    # Daily retention leads with the daily chart.
    page.goto(f"{url}#!/model/model.product_metrics.metrics_retention_daily_cohorts")  # type: ignore[attr-defined]
    page.get_by_text("Back to the metric catalog").first.wait_for(timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    charts = page.evaluate(  # type: ignore[attr-defined]
        """() => Array.from(document.querySelectorAll('img'))
            .filter(img => (img.getAttribute('src') || '').startsWith('data:image/png'))
            .map(img => img.getAttribute('alt'))"""
    )
    assert charts and "daily cohorts" in (charts[0] or ""), charts

    # The tracking plan, generated from the seed.
    page.goto(f"{url}#!/seed/seed.product_metrics.tracking_plan")  # type: ignore[attr-defined]
    page.get_by_text("The tracking plan: every planned event").first.wait_for(timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    plan_text = page.inner_text("body")  # type: ignore[attr-defined]
    assert "song_played" in plan_text and "Playback of a song started" in plan_text

    SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model_png, SCREENSHOT_COPY)
    shutil.copyfile(overview_png, SCREENSHOT_COPY.with_name("docs-screenshot-overview.png"))
    shutil.copyfile(tmp_path / "docs-metric-dau.png", SCREENSHOT_COPY.with_name("docs-screenshot-metric-dau.png"))


def test_static_docs_are_one_self_contained_file(static_docs: StaticDocs) -> None:
    html = static_docs.html.read_text(encoding="utf-8")
    assert "docs/assets/" not in html, "an image still links to docs/assets/ instead of being embedded"
    for chart in CHART_FILES:
        assert chart not in html or f"assets/{chart}" not in html


def test_every_built_column_is_documented(static_docs: StaticDocs) -> None:
    """The catalog (what the database really holds) against the manifest's descriptions."""
    manifest = json.loads((static_docs.target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((static_docs.target / "catalog.json").read_text(encoding="utf-8"))
    undocumented: list[str] = []
    checked = 0
    for unique_id, node in catalog["nodes"].items():
        declared = manifest["nodes"].get(unique_id)
        if declared is None or declared["resource_type"] not in ("model", "seed"):
            continue
        descriptions = {name.lower(): column.get("description", "") for name, column in declared["columns"].items()}
        for column_name in node["columns"]:
            checked += 1
            if not descriptions.get(column_name.lower(), "").strip():
                undocumented.append(f"{declared['name']}.{column_name}")
    assert checked > 0
    assert undocumented == [], f"columns in the database without a description: {undocumented}"


def test_example_queries_in_the_docs_run(static_docs: StaticDocs) -> None:
    """Every ```sql example of the docs runs on the built database and returns rows."""
    examples: list[tuple[str, str]] = []
    for doc_file in sorted((PROJECT_DIR / "models" / "docs").glob("*.md")):
        for sql in re.findall(r"```sql\n(.*?)```", doc_file.read_text(encoding="utf-8"), flags=re.S):
            examples.append((doc_file.name, sql))
    assert len(examples) >= 10
    con = duckdb.connect(str(static_docs.db_path), read_only=True)
    try:
        for doc_file, sql in examples:
            try:
                rows = con.execute(sql).fetchall()
            except duckdb.Error as exc:
                pytest.fail(f"example in models/docs/{doc_file} fails: {exc}\n{sql}")
            assert rows, f"example in models/docs/{doc_file} returns no rows:\n{sql}"
    finally:
        con.close()
