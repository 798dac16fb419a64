"""Tracking URI resolution (env overrides the project-local SQLite default) and param flattening."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.tracking import DEFAULT_TRACKING_URI, flatten_params, resolve_tracking_uri


def test_default_is_project_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert resolve_tracking_uri() == DEFAULT_TRACKING_URI == "sqlite:///mlflow.db"


def test_environment_and_explicit_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5999")
    assert resolve_tracking_uri() == "http://127.0.0.1:5999"
    assert resolve_tracking_uri("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_flatten_params_dotted_strings() -> None:
    flat = flatten_params({"train": {"lgbm": {"num_leaves": 15}, "seed": 0}, "register": {"margin": 0.005}})
    assert flat == {"train.lgbm.num_leaves": "15", "train.seed": "0", "register.margin": "0.005"}


def test_flattened_keys_of_the_real_params_file_are_valid_mlflow_names() -> None:
    """params.yaml uses globs (``crit_*``) as keys; MLflow refuses them, so logging a run failed."""
    import yaml
    from mlflow.utils.validation import validate_param_and_metric_name

    params = yaml.safe_load((Path(__file__).resolve().parents[2] / "params.yaml").read_text())
    flat = flatten_params(params)
    assert any("crit_*" in v for v in flat.values())
    assert all(validate_param_and_metric_name(k) for k in flat), [k for k in flat if "*" in k]


def test_a_mapping_keyed_by_patterns_is_one_json_param() -> None:
    """`crit_*` is no MLflow param name: the settings keyed by it stay one JSON value under their parent."""
    train = {"monotone": {"crit_*": 1}, "encoder": {"ordinal": {"crit_*": {"met": 2}}}}
    flat = flatten_params({"train": train})
    assert flat == {"train.monotone": '{"crit_*": 1}', "train.encoder.ordinal": '{"crit_*": {"met": 2}}'}
