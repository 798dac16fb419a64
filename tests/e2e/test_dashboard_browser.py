"""The dashboard in headless Debian Chromium (Playwright), against a live uvicorn server whose scores
database was filled by `imr score` on SYNTHETIC letters: every chart drawn with data, a filter
changes the numbers, the queue links to a case page, CSV export matches, and nothing leaves loopback.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from serving.plain_reasons import value_words
from serving.scores_db import ScoreFilters, open_scores_db
from tests.e2e.dashboard_support import imr, live_dashboard, live_production_api
from tests.synthetic_explain_model import synthetic_model_dir
from tests.synthetic_letter_files import write_synthetic_letters

pytestmark = pytest.mark.slow

CHARTS = ["chart-distribution", "chart-monthly", "chart-family", "chart-region", "chart-guideline",
          "chart-calibration"]  # fmt: skip


@pytest.fixture(scope="module")
def scored_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("dash-e2e")
    write_synthetic_letters(tmp / "letters", 60, seed=73, name="synthetic-{seed}-{i:04d}.txt")
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
        # `imr score` used a model trained on SYNTHETIC letters alone: the page says so above everything.
        assert "SYNTHETIC-ONLY MODEL" in page.inner_text("#model-badge")
        assert page.is_visible("#model-banner")
        assert page.inner_text("#model-banner").startswith("SYNTHETIC-ONLY MODEL: these scores come from")
        assert page.locator("#queue tbody tr .synthetic-model-badge").count() == min(25, total)
        assert page.inner_text("#kpi-services") == f"{total:,}"
        points = _chart_points(page)
        assert all(n > 0 for n in points.values()), f"charts without data: {points}"
        note = page.inner_text("#calibration-note")  # the server's words: the curve's source, bin sizes
        assert note.startswith("Each point: mean predicted vs observed overturn rate in one bin, ") and \
            "Services per bin: " in note and "held-out" not in note, note
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
        # the queue writes a family in words ("physical medicine" for physical_medicine), as the server does
        assert set(page.locator("#queue tbody tr td:nth-child(6)").all_inner_texts()) == {value_words(family)}

        # Export follows the filters.
        href = page.get_attribute("#export", "href")
        assert f"service_family={family}" in href
        exported = list(
            csv.DictReader(io.StringIO(page.request.get(base.rsplit("/dashboard", 1)[0] + href).text()))
        )
        assert len(exported) == in_family["services"]

        # The queue links to the case detail page with every service and its guideline checklist
        # (`imr score` stores it for every letter service with a governing section) or its reasons.
        link = page.locator("#queue tbody tr td:nth-child(3) a").first
        letter_id = link.inner_text()
        link.click()
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        assert page.inner_text("#case-id") == letter_id
        assert page.is_visible("#model-banner") and "SYNTHETIC-ONLY MODEL" in page.inner_text("#model-banner")
        n_items = len({r["item_index"] for r in repo.case_rows(letter_id)})
        assert page.locator("article.item").count() == n_items
        with_checklist = sum(1 for r in repo.case_rows(letter_id) if r["checklist"] is not None)
        assert with_checklist > 0  # scored letters carry their checklist into the scores database
        assert page.locator("h3.checklist-summary").count() + page.locator("ol.why").count() >= n_items
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


CITATION = {"guideline": "MTUS Chronic Pain Medical Treatment Guidelines", "section": "Opioids",
            "pages": "74-96"}  # fmt: skip
CITATION_TEXT = "MTUS Chronic Pain Medical Treatment Guidelines, Opioids, p.74-96"
PHRASE = "SYNTHETIC phrase: an opioid continues only with documented gains in function."


def _cited_reason(feature: str, value: object, lo: float) -> dict[str, object]:
    return {
        "feature": feature, "value": value, "direction": "raises" if lo > 0 else "lowers", "log_odds": lo,
        "probability_effect": lo / 10, "phrase": PHRASE, "citations": [CITATION], "citation": CITATION_TEXT,
        "no_guideline": False, "note": None,
        "evidence": [{"section": "clinical_summary", "start": 0, "end": 9, "text": "SYNTHETIC"}],
    }  # fmt: skip


@pytest.fixture(scope="module")
def mixed_db(scored_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The scored SYNTHETIC letters plus: SYNTHETIC rows with checklists (issue #18's shape), one
    SYNTHETIC case whose reasons share a citation, and rows marked real for this test only."""
    import shutil

    from serving.scores_db import ScoreRow
    from serving.synthetic_scores import synthetic_score_rows

    path = tmp_path_factory.mktemp("dash-mixed") / "scores.db"
    shutil.copy(scored_db.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    repo = open_scores_db(url)
    rows = synthetic_score_rows(300, seed=31, model_name="imr-overturn", model_version="2", checklist=True)
    rows += [
        r.model_copy(update={"synthetic": False, "letter_id": "TEST-REAL-" + r.letter_id})
        for r in synthetic_score_rows(90, seed=32, model_name="imr-overturn", model_version="2")
    ]
    section = {"guideline": "MTUS", "edition": "2016", "chapter": "SYNTHETIC Opioids Treatment",
               "section": "SYNTHETIC ongoing management", "pages": "12-14"}  # fmt: skip
    checklist = [
        {"criterion_id": "synthetic_function", "citation": section, "status": "unmet", "log_odds": -0.6,
         "criterion": "SYNTHETIC criterion: function improved on the drug",
         "evidence": [{"text": "SYNTHETIC no change in function.", "section": "clinical_summary", "start": 0,
                       "end": 32, "author": None}] * 2},
        {"criterion_id": "synthetic_screen", "criterion": "SYNTHETIC criterion: urine drug screen on file",
         "citation": section, "status": "not_documented", "evidence": [], "log_odds": -0.1,
         "likelihood_if_met": 0.7},
    ]  # fmt: skip
    context = [{"feature": "family_prior", "value": 0.09, "log_odds": -0.2, "note": "SYNTHETIC prior note"}]
    summary = "MTUS SYNTHETIC Opioids Treatment, SYNTHETIC ongoing management: 1 of 2 criteria not documented"
    reasons = [_cited_reason("functional_improvement", "no", -0.6),
               _cited_reason("duration_of_use_months", 14.0, -0.4), _cited_reason("pain_score", 8.0, 0.3)]
    explained = {"checklist": checklist, "context": context, "summary": summary}
    for letter_id, extra in (("SYNTH-CHECKLIST-0001", explained), ("SYNTH-CITED-0001", {})):
        for item in (0, 1):
            rows.append(
                ScoreRow(
                    letter_id=letter_id, item_index=item, service_heading=f"SYNTHETIC opioid {item}",
                    service_family="medication", ur_guideline_source="mtus", probability=0.62 - 0.3 * item,
                    risk_band="high" if item == 0 else "medium", model_name="imr-overturn",
                    model_version="2", synthetic=True, top_reasons=reasons, **extra,
                )
            )  # fmt: skip
    one = rows[-1].model_copy(update={"letter_id": "SYNTH-ONE-0001", "item_index": 0})  # a one-item letter
    repo.save_scores([*rows, one])
    repo.engine.dispose()
    return url


def _queue_ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    cases = page.locator("#queue tbody tr td:nth-child(3) a").all_inner_texts()
    items = page.locator("#queue tbody tr td:nth-child(4)").all_inner_texts()
    return [f"{c}#{i}" for c, i in zip(cases, items, strict=True)]


def _repo_ids(q: dict) -> list[str]:  # type: ignore[type-arg]
    return [f"{i['letter_id']}#{i['item_index'] + 1}" for i in q["items"]]  # items from 1 on screen


def _wait_queue(page, generation: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector(f"#queue[data-state=ready][data-generation='{generation}']", timeout=30_000)


def test_queue_sorts_filters_pages_and_case_page_reads_for_a_nurse(  # type: ignore[no-untyped-def]
    mixed_db: str, browser, tmp_path: Path
) -> None:
    repo = open_scores_db(mixed_db)
    model = {"model_name": "imr-overturn", "model_version": "2"}
    real = ScoreFilters(**model, synthetic=False)
    synthetic = ScoreFilters(**model, synthetic=True)
    with live_dashboard(mixed_db) as base:
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        # Real rows exist: the queue opens on them, none marked SYNTHETIC, and says what it shows.
        page.goto(base)
        page.wait_for_selector("body[data-state=ready][data-generation='1']", timeout=30_000)
        assert page.input_value("#f-origin") == "real"
        assert page.locator("#queue .synthetic-badge").count() == 0
        assert page.locator("#origin-banner").is_hidden()
        n_real = repo.summary(real)["services"]
        assert page.inner_text("#queue-count") == f"rows 1–25 of {n_real} matching; {n_real} in all"
        page.screenshot(path=str(tmp_path / "queue-real.png"), full_page=True)

        # SYNTHETIC cases: every row and the banner say so; band and UR guideline filters narrow it.
        page.select_option("#f-origin", "synthetic")
        page.select_option("#f-band", "high")
        page.select_option("#f-guideline", "mtus")
        page.click("#apply")
        page.wait_for_selector("body[data-state=ready][data-generation='2']", timeout=30_000)
        narrowed = synthetic.model_copy(update={"risk_band": "high", "ur_guideline_source": "mtus"})
        want = repo.queue(narrowed, 1, 25)
        n_synthetic = repo.summary(synthetic)["services"]
        assert page.inner_text("#queue-count") == (
            f"rows 1–{want['last']} of {want['total']} matching; {n_synthetic:,} in all"
        )
        rows = page.locator("#queue tbody tr")
        assert rows.count() == len(want["items"]) > 0
        assert page.locator("#queue tbody tr .synthetic-badge").count() == rows.count()
        assert "SYNTHETIC" in page.inner_text("#origin-banner")
        assert set(page.locator("#queue tbody tr td:nth-child(2)").all_inner_texts()) == {"high"}
        assert set(page.locator("#queue tbody tr td:nth-child(8)").all_inner_texts()) == {"MTUS"}
        assert page.inner_text("#kpi-services") == f"{want['total']:,}"

        # Sort by UR denial date: newest first, then oldest first, as the database orders them.
        page.select_option("#f-band", "")
        page.select_option("#f-guideline", "")
        page.click("#apply")
        page.wait_for_selector("body[data-state=ready][data-generation='3']", timeout=30_000)
        generation = int(page.get_attribute("#queue", "data-generation"))
        page.click("#queue th[data-sort=ur_denial_date]")
        _wait_queue(page, generation := generation + 1)
        assert page.get_attribute("#queue th[data-sort=ur_denial_date]", "aria-sort") == "descending"
        assert _queue_ids(page) == _repo_ids(repo.queue(synthetic, 1, 25, sort="ur_denial_date"))
        page.click("#queue th[data-sort=ur_denial_date]")
        _wait_queue(page, generation := generation + 1)
        assert page.get_attribute("#queue th[data-sort=ur_denial_date]", "aria-sort") == "ascending"
        dates = page.locator("#queue tbody tr td:nth-child(9)").all_inner_texts()
        assert dates == sorted(dates)
        by_date = repo.queue(synthetic, 1, 25, sort="ur_denial_date", descending=False)
        assert _queue_ids(page) == _repo_ids(by_date)

        # Page jump, last and first page.
        page.fill("#page-input", "3")
        page.click("#page-go")
        _wait_queue(page, generation := generation + 1)
        third = repo.queue(synthetic, 3, 25, sort="ur_denial_date", descending=False)
        shown = f"rows 51–75 of {n_synthetic:,} matching; {n_synthetic:,} in all"
        assert page.inner_text("#queue-count") == shown
        assert _queue_ids(page) == _repo_ids(third)
        page.click("#last")
        _wait_queue(page, generation := generation + 1)
        last = repo.queue(synthetic, 10_000, 25, sort="ur_denial_date", descending=False)
        assert page.input_value("#page-input") == str(last["pages"]) and page.is_disabled("#next")
        assert _queue_ids(page) == _repo_ids(last)
        page.screenshot(path=str(tmp_path / "queue-last-page.png"), full_page=True)
        # The view is in the address: a reload (or Back from a case) shows the same page and sort.
        page.reload()
        page.wait_for_selector("body[data-state=ready][data-generation='1']", timeout=30_000)
        assert page.input_value("#f-origin") == "synthetic"
        assert _queue_ids(page) == _repo_ids(last)
        generation = int(page.get_attribute("#queue", "data-generation"))
        page.click("#first")
        _wait_queue(page, generation + 1)
        assert page.is_disabled("#prev") and _queue_ids(page) == _repo_ids(by_date)

        # The case page: items from 1, likelihood and band, the checklist, each citation once.
        page.goto(base + "/case/SYNTH-CHECKLIST-0001")
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        items = page.locator("article.item")
        assert items.count() == 2
        assert page.locator("article.item .item-no").all_inner_texts() == ["Item 1", "Item 2"]
        assert page.locator("article.item .band-chip").all_inner_texts() == ["high band", "medium band"]
        assert page.locator("article.item .pct").all_inner_texts() == ["62.0%", "32.0%"]
        assert page.locator("#case-origin .synthetic-badge").count() == 1
        first = items.nth(0)
        # The checklist: summary line, criterion | status | the letter's sentence | effect | citation,
        # what would change it (the what-if) and the context factors in their own box; no reasons list.
        assert first.locator("h3.checklist-summary").inner_text().endswith("1 of 2 criteria not documented")
        checklist = first.locator("table.checklist tbody tr")
        assert checklist.count() == 2
        citation = "MTUS SYNTHETIC Opioids Treatment (2016), SYNTHETIC ongoing management, p.12-14"
        assert checklist.nth(0).locator("td").all_inner_texts() == [
            "SYNTHETIC criterion: function improved on the drug",
            "not met",
            "\u201cSYNTHETIC no change in function.\u201d (clinical case summary)",
            "▼ makes an overturn less likely",
            citation,
        ]
        assert checklist.nth(1).locator("td").nth(2).inner_text() == "not found in the letter"
        what_if = first.locator(".what-if li")
        assert what_if.count() == 1 and "70.0% (+8.0 points)" in what_if.inner_text()
        box = first.locator(".context-box")
        assert "Usual overturn rate of this kind of request: 9%" in box.inner_text()
        assert "SYNTHETIC criterion" not in box.inner_text()
        assert first.locator("ol.why").count() == 0
        # Model language only behind the toggle.
        technical = first.locator("details.technical")
        assert not technical.evaluate("d => d.open")
        assert "functional_improvement" not in first.evaluate("n => n.innerText")
        technical.locator("summary").click()
        assert "functional_improvement" in technical.inner_text() and "-0.600" in technical.inner_text()
        assert "synthetic_screen" in technical.inner_text()

        # A case scored without a checklist: the reasons in plain words, each citation once.
        page.goto(base + "/case/SYNTH-CITED-0001")
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        first = page.locator("article.item").nth(0)
        text = first.inner_text()
        assert first.locator("table.checklist").count() == 0
        assert text.count(CITATION_TEXT) == 1 and text.count(PHRASE) == 1
        assert first.locator("ol.why > li").count() == 3
        assert "the same criterion as reason 1 [1]" in text
        assert "Functional improvement from treatment documented: no" in text
        page.screenshot(path=str(tmp_path / "case-checklist.png"), full_page=True)

        # the status line counts in words: "2 items scored.", "1 item scored."
        page.goto(base + "/case/SYNTH-CITED-0001")
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        assert page.inner_text("#status") == "2 items scored."
        page.goto(base + "/case/SYNTH-ONE-0001")
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        assert page.inner_text("#status") == "1 item scored."
        context.close()

        # A letter with no scores (its 404 is expected, so outside the console-error watch): said once, in the
        # banner; no history table shown
        missing = browser.new_page()
        missing.goto(base + "/case/NO-SUCH-LETTER")
        missing.wait_for_selector("body[data-state=error]", timeout=30_000)
        assert missing.inner_text("#error-banner") == "no scored services for letter 'NO-SUCH-LETTER'"
        assert missing.inner_text("body").count("no scored services") == 1
        assert not missing.is_visible("#history-card")
        missing.close()
    repo.engine.dispose()
    assert not errors, errors


def test_a_mistyped_database_path_is_named_at_the_top_and_not_created(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "scroes.db"
    with live_dashboard(f"sqlite:///{missing}") as base:
        page = browser.new_page()
        page.goto(base)
        page.wait_for_selector("body[data-state=error]", timeout=30_000)
        assert page.is_visible("#error-banner")
        assert page.inner_text("#error-banner").startswith(f"{missing}: no scores database there")
        page.close()
    assert not missing.exists()
