"""Everything under tests/e2e starts a server, a cluster, a browser or a pipeline: all of it is `slow`
(`pytest -m "not slow"` runs the fast unit and real-letter tests alone)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium, driven by playwright (no browser download)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless chromium per test module; skips with the reason where Debian's chromium is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian `chromium` (apt-get install chromium) to run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def empty_mlflow_store(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], str]:
    """`empty_mlflow_store(path)` puts an empty MLflow SQLite store at `path` and returns its URI: a copy of
    one migrated once per test process. Opening a new store runs MLflow's alembic migrations (~1.4 CPU-s each,
    experiments/test-budget.md, session 37), which tests that prove nothing about creating a store need not
    pay again. Its Default experiment (artifacts under the template's folder) is never used: the product
    logs to named experiments with their own artifact location (`training.tracking.configure`).
    test_training_mlflow_server, test_retrain_store_checks and test_dvc_pipeline's first project still
    create their stores from nothing."""
    import mlflow

    template = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    uri = f"sqlite:///{template}"
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    client.search_experiments()  # the tracking tables, migrated, and the Default experiment
    client.search_registered_models()  # the registry's tables (the same file)

    def copy(path: Path) -> str:
        shutil.copy(template, path)
        return f"sqlite:///{path}"

    return copy
