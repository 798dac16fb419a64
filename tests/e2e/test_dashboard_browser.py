"""The dashboard in headless Debian Chromium (Playwright), against a live uvicorn server whose scores
database was filled by `imr score` on SYNTHETIC letters: every chart drawn with data, a filter
changes the numbers, the queue links to a case page, CSV export matches, and nothing leaves loopback.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from serving.scores_db import ScoreFilters, open_scores_db
from tests.e2e.dashboard_support import imr, live_dashboard, live_production_api, write_synthetic_letters
from tests.synthetic_explain_model import synthetic_model_dir

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHARTS = ["chart-distribution", "chart-monthly", "chart-family", "chart-region", "chart-guideline",
          "chart-calibration"]  # fmt: skip


@pytest.fixture(scope="module")
def scored_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("dash-e2e")
    write_synthetic_letters(tmp / "letters", 60, seed=73)
    db = f"sqlite:///{tmp / 'scores.db'}"
    model = str(synthetic_model_dir())
    # Two model versions: an older one on part of the letters, the current one on all of them.
    old = imr("score", *sorted(str(p) for p in (tmp / "letters").iterdir())[:20], "--model", model,
              "--db", db, "--model-version", "1", "--no-progress")  # fmt: skip
    assert old.returncode == 0, old.stderr
    new = imr(
        "score", str(tmp / "letters"), "--model", model, "--db", db, "--model-version", "2", "--no-progress"
    )
    assert new.returncode == 0, new.stderr
    return db


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian `chromium` (apt-get install chromium) to run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _chart_points(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return page.evaluate(
        """ids => Object.fromEntries(ids.map(id => {
            const c = Chart.getChart(document.getElementById(id));
            const d = c ? c.data.datasets[0].data : [];
            const nonzero = d.filter(v => (typeof v === 'object' ? v.y : v) > 0).length;
            return [id, nonzero];
        }))""",
        CHARTS,
    )


def test_dashboard_renders_filters_and_exports(scored_db: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = open_scores_db(scored_db)
    current = ScoreFilters(model_name="imr-overturn", model_version="2")
    total = repo.summary(current)["services"]
    family = repo.by_group(current, "service_family")[0]["key"]
    in_family = repo.summary(ScoreFilters(**current.model_dump(exclude_none=True), service_family=family))
    assert 0 < in_family["services"] < total

    with live_dashboard(scored_db) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1300})
        page = context.new_page()
        errors: list[str] = []
        outside: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on(
            "request", lambda r: None if r.url.startswith(base.rsplit("/", 1)[0]) else outside.append(r.url)
        )

        page.goto(base)
        page.wait_for_selector("body[data-state=ready][data-generation='1']", timeout=30_000)
        assert page.input_value("#f-model") == "imr-overturn@@2", "the current model is selected by default"
        assert "imr-overturn v2" in page.inner_text("#model-badge")
        assert page.inner_text("#kpi-services") == f"{total:,}"
        points = _chart_points(page)
        assert all(n > 0 for n in points.values()), f"charts without data: {points}"
        rows = page.locator("#queue tbody tr")
        assert rows.count() == min(25, total)
        shown = [
            float(t.rstrip("%")) for t in page.locator("#queue tbody tr td:first-child").all_inner_texts()
        ]
        assert shown == sorted(shown, reverse=True)
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        assert (tmp_path / "dashboard.png").stat().st_size > 20_000

        # Filter by one service family: the numbers change to what the database says.
        dist_before = page.evaluate("() => Chart.getChart('chart-distribution').data.datasets[0].data")
        page.select_option("#f-family", family)
        page.click("#apply")
        page.wait_for_selector("body[data-state=ready][data-generation='2']", timeout=30_000)
        assert page.inner_text("#kpi-services") == f"{in_family['services']:,}"
        dist_after = page.evaluate("() => Chart.getChart('chart-distribution').data.datasets[0].data")
        assert sum(dist_after) == in_family["services"] and dist_after != dist_before
        fam_labels = page.evaluate("() => Chart.getChart('chart-family').data.labels")
        assert fam_labels == [family]
        assert set(page.locator("#queue tbody tr td:nth-child(6)").all_inner_texts()) == {family}

        # Export follows the filters.
        href = page.get_attribute("#export", "href")
        assert f"service_family={family}" in href
        exported = list(
            csv.DictReader(io.StringIO(page.request.get(base.rsplit("/dashboard", 1)[0] + href).text()))
        )
        assert len(exported) == in_family["services"]

        # The queue links to the case detail page with every service and its reasons.
        link = page.locator("#queue tbody tr td:nth-child(3) a").first
        letter_id = link.inner_text()
        link.click()
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        assert page.inner_text("#case-id") == letter_id
        n_case_rows = len(repo.case_rows(letter_id))
        assert page.locator("#case-services tbody tr").count() == n_case_rows
        assert page.locator("#case-services li").count() > 0
        context.close()

    repo.engine.dispose()
    assert not errors, errors
    assert not outside, f"requests left loopback: {outside}"


def test_production_dashboard_signs_in_through_the_form(scored_db: str, browser) -> None:  # type: ignore[no-untyped-def]
    """`imr serve` in production mode: the dashboard asks for a key with the `dashboard` scope, names a
    wrong one, keeps the right one in a cookie scripts cannot read, and signs out."""
    import json

    from serving.api_keys import hash_api_key

    keys = json.dumps([
        {"name": "analyst", "hash": hash_api_key("analyst-secret-1"), "scopes": ["dashboard"]},
        {"name": "scorer", "hash": hash_api_key("scorer-secret-2"), "scopes": ["score"]},
    ])  # fmt: skip
    with live_production_api(scored_db, synthetic_model_dir(), keys) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base)
        page.wait_for_selector("#login-form")
        assert "/dashboard/login" in page.url
        page.fill("#login-key", "scorer-secret-2")
        page.click("#login-submit")
        assert "lacks the 'dashboard' scope" in page.inner_text("#login-error")
        page.fill("#login-key", "analyst-secret-1")
        page.click("#login-submit")
        page.wait_for_selector("body[data-state=ready][data-generation='1']", timeout=30_000)
        assert page.evaluate("() => document.cookie") == ""  # HttpOnly: not readable by scripts
        assert int(page.inner_text("#kpi-services").replace(",", "")) > 0
        page.click("#signout")
        page.wait_for_selector("#login-form")
        page.goto(base)
        page.wait_for_selector("#login-form")
        context.close()
    assert not errors, errors
