"""The dashboard names a model version as the CLI does: `v2` for a registry number, the content version
(`imr-overturn-3fa9c2b1d0e4`) as it is. `imr score --model models/model` (the README's command, no
--model-version) stores the content version, and every label read `vimr-overturn-3fa9c2b1d0e4`."""

from __future__ import annotations

from pathlib import Path

import pytest

from serving.scores_db import open_scores_db
from serving.synthetic_scores import synthetic_score_rows
from tests.e2e.dashboard_support import live_dashboard

pytestmark = pytest.mark.slow

CONTENT = "imr-overturn-3fa9c2b1d0e4"



def test_a_content_version_is_not_prefixed_with_v(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'scores.db'}"
    repo = open_scores_db(url)
    repo.save_scores(synthetic_score_rows(5, seed=6, model_name="imr-overturn", model_version="2"))
    repo.save_scores(synthetic_score_rows(30, seed=5, model_name="imr-overturn", model_version=CONTENT))
    repo.engine.dispose()
    with live_dashboard(url) as base:  # the current model (scored last) is the content version
        page = browser.new_page()
        page.goto(base)
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        assert page.locator("#queue tbody tr").count() > 0
        options = page.locator("#f-model option").all_inner_texts()
        assert any(o.startswith("imr-overturn v2 ") for o in options), options  # a registry number
        assert any(o.startswith(f"{CONTENT} (") for o in options), options  # its name said once
        assert not any("imr-overturn imr-overturn" in o for o in options), options
        texts = [page.inner_text("#model-badge"), page.inner_text("#calibration-model"), *options,
                 *page.locator("#queue tbody tr").all_inner_texts()]  # fmt: skip
        assert not any("v" + CONTENT in t for t in texts), texts
        assert not any("imr-overturn imr-overturn" in t for t in texts), texts
        case = page.locator("#queue tbody tr td:nth-child(3) a").first
        case.click()
        page.wait_for_selector("body[data-state=ready]", timeout=30_000)
        shown = page.inner_text("body")
        assert ("v" + CONTENT) not in shown and CONTENT in shown, shown[:2000]
        assert "imr-overturn imr-overturn" not in shown, shown[:2000]
        page.close()
