"""Where the served model comes from: an MLflow registry alias, or a local model directory.

`current()` is the cheap question the poller asks every interval (which version does the alias
point at?); `load()` fetches that version and hands it to the `ArtifactLoader`, off the event loop.
The loader refuses files whose checksums differ from those recorded at save and registration, and
loads each new artifact first in a child process (`serving.model_probe`), so a model that crashes
LightGBM costs a refusal, not the server.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from serving.model_store import ModelRef, ModelSource
from serving.settings import ServingSettings

log = logging.getLogger("serving.model_sources")


class ArtifactLoader:
    """Checksums, then (once per artifact) a child-process probe, then the load in this process."""

    def __init__(self, *, probe: bool, probe_timeout_s: float, feature_spec: str | None) -> None:
        self.probe = probe
        self.probe_timeout_s = probe_timeout_s
        self.feature_spec = feature_spec
        self._proven: set[str] = set()  # digests of artifacts a probe already loaded

    def load(self, directory: Path, expected_digest: str | None = None) -> Any:
        from model.artifact import TriageModel, artifact_digest, verify_checksums
        from serving.model_probe import probe_in_child

        if not verify_checksums(directory, expected_digest):
            log.warning("%s records no checksums (saved before they existed): not verified", directory)
        digest = artifact_digest(directory)
        if self.probe and (digest is None or digest not in self._proven):
            probe_in_child(directory, feature_spec=self.feature_spec, timeout_s=self.probe_timeout_s)
            if digest is not None:
                self._proven.add(digest)
        return TriageModel.load(directory)


class LocalModelSource:
    """A `TriageModel.save` directory; its version is the `model_version` in its metadata."""

    def __init__(self, path: Path, name: str, loader: ArtifactLoader) -> None:
        self.path = Path(path).resolve()
        self.name = name
        self.loader = loader

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
        return self.loader.load(self.path)


class RegistryModelSource:
    """A registered model followed by alias (e.g. `imr-overturn@champion`) in an MLflow registry."""

    def __init__(self, tracking_uri: str | None, name: str, alias: str, loader: ArtifactLoader) -> None:
        self.tracking_uri = tracking_uri
        self.name = name
        self.alias = alias
        self.loader = loader
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

        from model.artifact import DIGEST_TAG

        try:
            mv = self._mlflow().get_model_version_by_alias(self.name, self.alias)
        except MlflowException as exc:
            if getattr(exc, "error_code", "") in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"):
                return None
            raise
        return ModelRef(
            name=self.name,
            version=str(mv.version),
            alias=self.alias,
            uri=f"models:/{self.name}/{mv.version}",
            digest=(mv.tags or {}).get(DIGEST_TAG),
        )

    def load(self, ref: ModelRef) -> Any:
        import mlflow

        from model.artifact import find_artifact_dir

        with tempfile.TemporaryDirectory(prefix="imr-serve-model-") as tmp:
            local = Path(
                mlflow.artifacts.download_artifacts(
                    artifact_uri=ref.uri, dst_path=tmp, tracking_uri=self.tracking_uri
                )
            )
            try:
                return self.loader.load(find_artifact_dir(local, ref.uri), expected_digest=ref.digest)
            except Exception as exc:
                named = named_by_uri(exc, tmp, ref.uri)
                if named is exc:
                    raise
                raise named from exc


def named_by_uri(exc: Exception, tmp: str, uri: str) -> Exception:
    """`exc` with the download folder (gone once the load fails) replaced by the model's URI:
    `models:/imr-overturn/3: artifacts/triage_model/booster.txt: checksum mismatch ...`, what `/readyz`,
    `/v1/model` and the log show. The exception itself when its message does not name the folder or its
    type cannot be rebuilt from a message."""
    text = str(exc)
    if tmp not in text:
        return exc
    try:
        return type(exc)(text.replace(tmp + "/", f"{uri}: ").replace(tmp, uri))
    except Exception:
        return exc


def build_source(settings: ServingSettings) -> ModelSource[Any]:
    """A local directory when `model_path` is set, else the registry alias."""
    loader = ArtifactLoader(
        probe=settings.probe_new_models,
        probe_timeout_s=settings.probe_timeout_s,
        feature_spec=settings.feature_spec,
    )
    if settings.model_path is not None:
        return LocalModelSource(settings.model_path, settings.model_name, loader)
    return RegistryModelSource(settings.tracking_uri, settings.model_name, settings.model_alias, loader)
