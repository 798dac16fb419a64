"""Fixtures two or more unit modules share, built once per worker instead of once per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits
from training_tables import tiny_table

# what `imr train` would be given for a model trained in seconds (the CLI tests' model)
SMALL_CLI_PARAMS = {"cv_folds": 2, "weighting": "unweighted", "calibration": "sigmoid",
                    "lgbm": {"num_boost_round": 20}}


@pytest.fixture(scope="session")
def cli_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small model trained on a tiny generated table (SYNTHETIC), saved as `imr train` saves it; the
    `imr` command tests only read it."""
    from features.spec import load_spec
    from training.boosting import TrainParams
    from training.train import train_model

    out = tmp_path_factory.mktemp("cli-model") / "model"
    train_model(tiny_table(150), load_spec(), TrainParams(**SMALL_CLI_PARAMS)).model.save(out)
    return out


@pytest.fixture(scope="module", autouse=True)
def _one_numeric_thread_per_worker() -> Iterator[None]:
    """BLAS and OpenMP at one thread in the unit tests: their calls here are tiny, and on a shared 2-core
    host two xdist workers with two spinning threads each wait on one another (L-BFGS fits of the
    calibrators took ten times their CPU); limited per module, so e2e servers keep their defaults."""
    with threadpool_limits(limits=1):
        yield
