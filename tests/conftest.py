"""Shared test fixtures: where the real data lives, and a skip when it is absent."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DWC_LETTERS = SHARED_DATA / "dwc-imr-letters"
SEED_LETTER_DIR = SHARED_DATA / "seed-letter"
DMHC_CSV = SHARED_DATA / "dmhc-imr" / "Independent_Medical_Review__IMR__Determinations__Trend.csv"


def require_shared(path: Path) -> Path:
    """Skip the calling test, with the reason, when ../shared is not next to this checkout."""
    if not path.exists():
        pytest.skip(f"real data not available: {path} is missing (../shared is absent on this machine)")
    return path


@pytest.fixture(scope="session")
def dwc_letters_dir() -> Path:
    return require_shared(DWC_LETTERS)


@pytest.fixture(scope="session")
def real_letters_parsed(dwc_letters_dir: Path) -> object:
    """Every shared real letter PDF parsed once per session (an IngestResult); modules take deep
    copies of its cases (`[c.model_copy(deep=True) for c in ...cases]`) so none sees another's edits."""
    from letters.ingest import parse_paths

    return parse_paths([dwc_letters_dir / "pdf"])


@pytest.fixture(scope="session")
def seed_letter_dir() -> Path:
    return require_shared(SEED_LETTER_DIR)


@pytest.fixture(scope="session")
def dmhc_csv() -> Path:
    return require_shared(DMHC_CSV)


E2E_DIR = REPO_ROOT / "tests" / "e2e"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """`-m "not slow"` deselects all of tests/e2e (its conftest marks every test there slow): skip
    importing those modules (Dask, Playwright, servers) at all, which saves seconds of collection."""
    if config.getoption("markexpr", "").strip() == "not slow" and collection_path == E2E_DIR:
        return True
    return None



def pytest_collection_finish(session: pytest.Session) -> None:
    """Every object alive after collection (imported libraries, parsed tables) moved out of the cyclic
    garbage collector's reach: each full collection scanned them all again (~0.13 s each, two seconds of a
    worker's CPU); objects are still freed by reference counting, and the tests' own garbage is collected."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a module's last test (its module fixtures torn down), what is still alive (the spaCy pipeline,
    compiled lexicons, session fixtures) is frozen as after collection: later modules' collections skip it."""
    result = yield
    if nextitem is None or getattr(nextitem, "module", None) is not getattr(item, "module", None):
        gc.freeze()
    return result
