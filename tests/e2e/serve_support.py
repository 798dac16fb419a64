"""Helpers for live-server tests of the scoring API: a small model trained on synthetic letters,
registered in a temporary SQLite MLflow store, and `imr serve` run as a real uvicorn subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.child_process import free_port, stop_process

SCORE_KEY = "synthetic-score-key"
ADMIN_KEY = "synthetic-admin-key"
MODEL_NAME = "imr-overturn-test"


def synthetic_letters(n: int, seed: int) -> list[str]:
    """Letter texts from the project's synthetic generator (each carries the SYNTHETIC marker)."""
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    return [text for _, text in iter_letters(n, GeneratorSettings(seed=seed))]


def train_small_model(letters: list[str], seed: int, rounds: int = 60) -> Any:
    """A small TriageModel trained with the project's own parser, feature table and trainer."""
    from features.spec import load_spec
    from features.table import build_feature_table
    from letters.parser import parse_text

    cases = [parse_text(t, f"synthetic-{seed}-{i}.txt") for i, t in enumerate(letters)]
    table = build_feature_table(cases, spec=load_spec())
    return train_on_table(table, seed, rounds), table


def train_on_table(table: Any, seed: int, rounds: int = 60) -> Any:
    """A small TriageModel trained on an existing feature table (another seed gives another model), with
    exactly `rounds` trees. With rounds chosen by the 2-fold CV on ~300 synthetic services the champion
    of the live tests had one tree: its explanations were one tree's few splits, most features read
    exactly 0, and the tests never saw a real model's reasons."""
    from features.spec import load_spec
    from training.train import TrainParams, train_model

    params = TrainParams(
        seed=seed, cv_folds=2, num_threads=1, select_rounds=False, lgbm={"num_boost_round": rounds}
    )
    return train_model(table, load_spec(), params).model


@dataclass
class Registry:
    """A temporary MLflow store holding registered versions of one model name."""

    root: Path
    uri: str
    name: str = MODEL_NAME
    versions: dict[str, str] = field(default_factory=dict)  # label -> registry version

    def client(self) -> Any:
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=self.uri, registry_uri=self.uri)

    def register(self, label: str, model_dir: Path, model: Any, record_digest: bool = True) -> str:
        """Log a saved model directory with the project's pyfunc wrapper and register a new version.

        Requirements are given, not inferred, and no input example is validated: both would load the
        model in a subprocess per version and cost tens of seconds in a test.
        """
        import mlflow

        from model.pyfunc import ARTIFACT_KEY, TriagePyfunc, pyfunc_signature
        from training.registry import record_artifact_digest

        # The tracking URI only: the registry follows it, and no registry URI stays set for later tests
        # (a test that configures only its tracking URI would otherwise register into this store).
        mlflow.set_tracking_uri(self.uri)
        client = self.client()
        exp = client.get_experiment_by_name("serve-tests")
        exp_id = (
            exp.experiment_id
            if exp
            else client.create_experiment("serve-tests", artifact_location=(self.root / "artifacts").as_uri())
        )
        with mlflow.start_run(experiment_id=exp_id, run_name=label):
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=TriagePyfunc(),
                artifacts={ARTIFACT_KEY: str(model_dir)},
                signature=pyfunc_signature(model.spec),
                pip_requirements=["imr-triage"],
            )
        mv = mlflow.register_model(info.model_uri, self.name)
        if record_digest:  # as `register_challenger` does; False: a version registered before checksums
            record_artifact_digest(client, self.name, str(mv.version), info.model_uri)
        self.versions[label] = str(mv.version)
        return str(mv.version)

    def point(self, alias: str, label: str) -> None:
        self.client().set_registered_model_alias(self.name, alias, self.versions[label])


def key_entry(name: str, key: str, scopes: list[str]) -> dict[str, Any]:
    return {"name": name, "hash": "sha256:" + hashlib.sha256(key.encode()).hexdigest(), "scopes": scopes}


@dataclass
class LiveServer:
    """`imr serve` in a subprocess on 127.0.0.1, stopped by `stop()`."""

    proc: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def client(self, key: str | None = SCORE_KEY, timeout: float = 30.0) -> httpx.Client:
        headers = {"X-API-Key": key} if key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self.proc, grace_s=15)


def imr_command() -> list[str]:
    exe = Path(sys.executable).parent / "imr"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from imr_triage.cli import app; app()"]


def start_server(
    workdir: Path, env: dict[str, str], wait_ready: bool = True, timeout: float = 90.0
) -> LiveServer:
    """Start `imr serve` with IMR_SERVE_* settings in `env`; wait (bounded) for health (and readiness)."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("IMR_SERVE_")}
    full_env.update(
        {"IMR_SERVE_HOST": "127.0.0.1", "IMR_SERVE_PORT": str(port), "IMR_SERVE_LOG_LEVEL": "info"}
    )
    full_env.update(env)
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"server-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            imr_command() + ["serve"], cwd=workdir, env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
    server = LiveServer(proc, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + timeout
    path = "/readyz" if wait_ready else "/healthz"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"imr serve exited with {proc.returncode}:\n{server.log()}")
        try:
            if httpx.get(server.base_url + path, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"imr serve not {'ready' if wait_ready else 'up'} within {timeout}s:\n{server.log()}")


def server_env(registry: Registry, **extra: str) -> dict[str, str]:
    keys = [
        key_entry("synthetic-scorer", SCORE_KEY, ["score"]),
        key_entry("synthetic-admin", ADMIN_KEY, ["score", "admin"]),
    ]
    env = {
        "IMR_SERVE_PRODUCTION": "true",
        "IMR_SERVE_API_KEYS": json.dumps(keys),
        "IMR_SERVE_TRACKING_URI": registry.uri,
        "IMR_SERVE_MODEL_NAME": registry.name,
        "IMR_SERVE_MODEL_ALIAS": "champion",
        "IMR_SERVE_POLL_INTERVAL_S": "0.5",
        "IMR_SERVE_MAX_BODY_BYTES": str(4 * 1024 * 1024),
        "IMR_SERVE_TOP_K": "3",
        "IMR_SCORES_DB_URL": f"sqlite:///{registry.root / 'scores.db'}",
    }
    env.update(extra)
    return env
