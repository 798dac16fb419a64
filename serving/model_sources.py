"""Where the served model comes from: an MLflow registry alias, or a local model directory.

`current()` is the cheap question the poller asks every interval (which version does the alias
point at?); `load()` downloads and loads that version, off the event loop.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from serving.model_store import ModelRef, ModelSource
from serving.settings import ServingSettings


class LocalModelSource:
    """A `TriageModel.save` directory; its version is the `model_version` in its metadata."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = Path(path)
        self.name = name

    def describe(self) -> str:
        return f"local model directory {self.path}"

    def current(self) -> ModelRef | None:
        from model.artifact import METADATA_FILE

        meta = self.path / METADATA_FILE
        if not meta.is_file():
            return None
        version = json.loads(meta.read_text(encoding="utf-8")).get("model_version") or "unknown"
        return ModelRef(name=self.name, version=str(version), alias=None, uri=str(self.path))

    def load(self, ref: ModelRef) -> Any:
        from model.artifact import TriageModel

        return TriageModel.load(self.path)


class RegistryModelSource:
    """A registered model followed by alias (e.g. `imr-overturn@champion`) in an MLflow registry."""

    def __init__(self, tracking_uri: str | None, name: str, alias: str) -> None:
        self.tracking_uri = tracking_uri
        self.name = name
        self.alias = alias
        self._client: Any = None

    def describe(self) -> str:
        return f"models:/{self.name}@{self.alias} at {self.tracking_uri or 'the default MLflow tracking URI'}"

    def _mlflow(self) -> Any:
        if self._client is None:
            from mlflow import MlflowClient

            self._client = MlflowClient(tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri)
        return self._client

    def current(self) -> ModelRef | None:
        from mlflow.exceptions import MlflowException

        try:
            mv = self._mlflow().get_model_version_by_alias(self.name, self.alias)
        except MlflowException as exc:
            if getattr(exc, "error_code", "") in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
                return None
            raise
        return ModelRef(
            name=self.name, version=str(mv.version), alias=self.alias, uri=f"models:/{self.name}/{mv.version}"
        )

    def load(self, ref: ModelRef) -> Any:
        import mlflow

        from model.artifact import METADATA_FILE, TriageModel

        with tempfile.TemporaryDirectory(prefix="imr-serve-model-") as tmp:
            local = Path(
                mlflow.artifacts.download_artifacts(
                    artifact_uri=ref.uri, dst_path=tmp, tracking_uri=self.tracking_uri
                )
            )
            # The pyfunc keeps the saved directory under artifacts/<its name>; find it by its metadata.
            found = sorted(local.rglob(METADATA_FILE), key=lambda p: len(p.parts))
            for meta in found:
                return TriageModel.load(meta.parent)
        raise FileNotFoundError(f"{ref.uri}: no TriageModel artifact in the registered model")


def build_source(settings: ServingSettings) -> ModelSource[Any]:
    """A local directory when `model_path` is set, else the registry alias."""
    if settings.model_path is not None:
        return LocalModelSource(settings.model_path, settings.model_name)
    return RegistryModelSource(settings.tracking_uri, settings.model_name, settings.model_alias)
