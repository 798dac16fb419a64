"""The dashboard's layout in headless Debian Chromium at a laptop width (1366 px) and a narrow one
(800 px), with a long case number and a long request name: every queue column, "Main reasons"
included, lies inside the queue's card at 1366 px, and nothing of a case page runs past its card.
"""

from __future__ import annotations

import pytest

from letters.ingest import parse_file
from tests.e2e.dashboard_support import imr, live_dashboard
from tests.synthetic_explain_model import synthetic_model_dir
from tests.synthetic_letter_files import write_synthetic_letters

pytestmark = pytest.mark.slow

LONG_CASE = "SYN16-0000001-REOPENED-SUPPLEMENTAL-REVIEW-2016-000123456789"
LONG_REQUEST = (
    "Compounded topical cream Flurbiprofen/Baclofen/Cyclobenzaprine/Gabapentin/Lidocaine "
    "20%/5%/4%/6%/5% 240gm #1 with two refills for the bilateral upper and lower extremities"
)


@pytest.fixture(scope="module")
def long_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """12 SYNTHETIC letters and one case with a long case number and request, scored by `imr score`."""
    tmp = tmp_path_factory.mktemp("dash-layout")
    letters = write_synthetic_letters(tmp / "letters", 12, seed=91)
    case = parse_file(letters[0])
    case.letter_id = case.case_number = LONG_CASE
    case.services[0].heading = case.services[0].service = LONG_REQUEST
    (tmp / "long.json").write_text(case.model_dump_json(), encoding="utf-8")
    db = f"sqlite:///{tmp / 'scores.db'}"
    done = imr("score", str(tmp / "letters"), str(tmp / "long.json"), "--model", str(synthetic_model_dir()),
               "--db", db, "--no-progress")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return db



# Headings (and the long case's cells) whose right edge lies past the queue card's inner edge.
QUEUE_BEYOND = """() => {
  const q = document.querySelector('section.queue');
  const edge = q.getBoundingClientRect().right - parseFloat(getComputedStyle(q).paddingRight);
  const out = [];
  for (const c of document.querySelectorAll('#queue thead th, #queue tbody td')) {
    if (c.getBoundingClientRect().right > edge + 1) out.push(c.textContent.trim().slice(0, 30));
  }
  return out;
}"""

# The element that scrolls the queue sideways (the table's nearest ancestor wider inside than out) and its
# height, or null.
SIDEWAYS_BOX = """() => {
  for (let e = document.getElementById('queue').parentElement; e; e = e.parentElement) {
    if (e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) {
      return {height: Math.round(e.getBoundingClientRect().height)};
    }
  }
  return null;
}"""

# Elements of a case page that end past the card (the item) they belong to.
CASE_BEYOND = """() => {
  const out = [];
  for (const item of document.querySelectorAll('.item')) {
    const right = item.getBoundingClientRect().right;
    for (const e of item.querySelectorAll('table.checklist th, table.checklist td, h2')) {
      if (e.getBoundingClientRect().right > right + 1) out.push(e.textContent.trim().slice(0, 30));
    }
  }
  return out;
}"""


def test_queue_columns_fit_a_laptop_width_with_long_names(long_db: str, browser) -> None:  # type: ignore[no-untyped-def]
    with live_dashboard(long_db) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        # every row of the small database on one page, the long case among them
        page.goto(f"{base}?origin=synthetic&sort=letter_id&order=desc&page_size=100")
        page.wait_for_selector("#queue[data-state=ready]", timeout=30_000)
        assert LONG_CASE in page.inner_text("#queue tbody")
        assert LONG_REQUEST in page.inner_text("#queue tbody")
        beyond = page.evaluate(QUEUE_BEYOND)
        assert beyond == [], f"queue cells past the card at 1366 px (cut off or hidden): {beyond[:6]}"
        # At 800 px the queue scrolls sideways inside its card (the page itself never does), in a box no
        # taller than the window: its sideways scrollbar is on screen with the rows, not below the 100th.
        page.close()
        page = browser.new_page(viewport={"width": 800, "height": 768})
        page.goto(f"{base}?origin=synthetic&sort=letter_id&order=desc&page_size=100")
        page.wait_for_selector("#queue[data-state=ready]", timeout=30_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 800
        box = page.evaluate(SIDEWAYS_BOX)
        assert box is not None, "nothing scrolls the queue sideways at 800 px"
        assert box["height"] <= 768, f"the queue's sideways scrollbar lies {box['height']} px down its box"
        page.close()


@pytest.mark.parametrize("width", [1366, 800])
def test_case_page_with_a_long_request_stays_in_its_card(long_db: str, browser, width: int) -> None:  # type: ignore[no-untyped-def]
    with live_dashboard(long_db) as base:
        page = browser.new_page(viewport={"width": width, "height": 768})
        page.goto(f"{base}/case/{LONG_CASE}")
        page.wait_for_selector("table.checklist", timeout=30_000)
        assert LONG_REQUEST in page.inner_text("body")
        beyond = page.evaluate(CASE_BEYOND)
        assert beyond == [], f"case page cells past their card at {width} px: {beyond[:6]}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.close()
