"""A bad serving setting in the environment is refused in one line naming the variable (or the option it
came from), exit 2, never echoing the value: `imr serve` printed pydantic's several lines naming the field
(`workers`), `IMR_SERVE_LOG_LEVEL=loud` reached uvicorn and ended in a traceback, and `imr score` with a bad
`IMR_SERVE_*` value ended in a traceback after loading the model."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from imr_triage.cli import app


@pytest.fixture(autouse=True)
def _no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout, no ./mlflow.db
    for var in ("IMR_SERVE_PRODUCTION", "IMR_SERVE_API_KEYS", "IMR_SERVE_MODEL_PATH", "IMR_SERVE_PORT"):
        monkeypatch.delenv(var, raising=False)


def _serve(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> tuple[int, list[str]]:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    res = CliRunner().invoke(app, ["serve", "--no-progress", "--model-path", "no-model-here", *args])
    return res.exit_code, res.stderr.strip().splitlines()


@pytest.mark.parametrize(
    ("env", "args", "said"),
    [
        ({"IMR_SERVE_WORKERS": "0"}, (), "IMR_SERVE_WORKERS: Input should be greater than or equal to 1"),
        ({"IMR_SERVE_LOG_LEVEL": "loud"}, (), "IMR_SERVE_LOG_LEVEL: Input should be 'critical', 'error'"),
        ({"IMR_SERVE_PORT": "abc"}, (), "IMR_SERVE_PORT: Input should be a valid integer"),
        ({}, ("--port", "70000"), "--port: Input should be less than or equal to 65535"),
        (
            {"IMR_SERVE_RISK_BAND_LABELS": '["low", "high"]'},
            (),
            "IMR_SERVE_RISK_BAND_EDGES / IMR_SERVE_RISK_BAND_LABELS: risk band labels: needs 3 labels",
        ),
        (
            {"IMR_SERVE_API_KEYS": '[{"name": "ops", "hash": "sha256:0123456789abcdef", "scopes": ["x"]}]'},
            (),
            "IMR_SERVE_API_KEYS (at 0.scopes.0): Input should be 'score', 'admin' or 'dashboard'",
        ),
        (
            {"IMR_SERVE_API_KEYS": '[{"name": "ops", "hash": "sha256:0123456789abcdef"'},
            (),
            "IMR_SERVE_API_KEYS: not valid JSON (Expecting ',' delimiter",
        ),
    ],
)
def test_imr_serve_names_the_variable_in_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: tuple[str, ...], said: str
) -> None:
    code, lines = _serve(monkeypatch, env, *args)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"imr serve: invalid settings: {said}"), lines
    assert "0123456789abcdef" not in lines[0] and "pydantic.dev" not in lines[0], lines


def test_an_upper_case_log_level_is_read_as_uvicorn_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from serving.settings import ServingSettings

    monkeypatch.setenv("IMR_SERVE_LOG_LEVEL", "WARNING")
    assert ServingSettings(_env_file=None).log_level == "warning"


def test_imr_score_refuses_a_bad_serving_setting_before_loading_the_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("SYNTHETIC", encoding="utf-8")
    monkeypatch.setenv("IMR_SERVE_TOP_K", "-1")
    args = ["score", str(tmp_path / "a.txt"), "--model", "no-model-here", "--no-progress"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    errors = [line for line in res.stderr.splitlines() if not line.startswith("note: no params.yaml")]
    assert errors == ["error: invalid settings: IMR_SERVE_TOP_K: Input should be greater than or equal to 0"]


def test_imr_fetch_names_the_variable_of_a_bad_fetch_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """It said `imr fetch: timeout_s: ...`, the field, which an operator sets as IMR_FETCH_TIMEOUT_S."""
    monkeypatch.setenv("IMR_FETCH_TIMEOUT_S", "abc")
    res = CliRunner().invoke(app, ["fetch", "CM16-0000001", "--out", "letters", "--no-progress"])
    assert res.exit_code == 2, res.output
    errors = [line for line in res.stderr.splitlines() if not line.startswith("note: no params.yaml")]
    assert errors == [
        "error: invalid settings: IMR_FETCH_TIMEOUT_S: Input should be a valid number, unable to parse "
        "string as a number"
    ], errors
