"""Model registry: register a challenger, and move `champion` only when the numbers say so.

The champion is re-scored on the challenger's evaluation rows, so both are judged on the same
data; the first model must beat the service-family-rate baseline instead. Each decision is a typed
object (for a retraining job's exit code) and is logged to the run and the model version as tags.

One name per model: the artifact's content version (`imr-overturn-3fa9c2b1d0e4`, a digest of what
it computes) is tagged on its registered version (`content_version`), and people see both as
`v3 (imr-overturn-3fa9c2b1d0e4)`: the registry number says which registration, the content version
which model (the same in every store, in the API and in the scores database).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from model.predictor import Predictor
from model.version_label import version_label
from training.metrics import HIGHER_IS_BETTER, brier, log_loss, roc_auc

METRIC_FNS = {"roc_auc": roc_auc, "brier": brier, "log_loss": log_loss}
CONTENT_VERSION_TAG = "content_version"


class RegistryParams(BaseModel):
    """params.yaml `register:` section."""

    model_config = ConfigDict(extra="ignore")

    model_name: str = "imr-overturn"
    metric: str = "roc_auc"
    margin: float = 0.005
    challenger_alias: str = "challenger"
    champion_alias: str = "champion"
    experiment: str = "imr-triage"

    def model_post_init(self, __context: Any) -> None:
        if self.metric not in METRIC_FNS:
            raise ValueError(f"register.metric must be one of {sorted(METRIC_FNS)}, got {self.metric!r}")
        if self.margin < 0:
            raise ValueError(f"register.margin must be >= 0, got {self.margin}")


@dataclass(frozen=True)
class PromotionDecision:
    """What the promotion step decided and the numbers it decided on."""

    promoted: bool
    model_name: str
    version: str
    metric: str
    margin: float
    challenger_value: float
    reference: str  # "champion v3" or "baseline family_rate"
    reference_value: float
    previous_champion: str | None
    n_services: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def beats(challenger: float, reference: float, metric: str, margin: float) -> bool:
    """True when the challenger beats the reference by at least `margin`, in the metric's direction."""
    if not np.isfinite(challenger):
        return False
    if not np.isfinite(reference):
        return True
    gain = challenger - reference if HIGHER_IS_BETTER[metric] else reference - challenger
    return bool(gain >= margin)


def decide(
    challenger_value: float,
    reference_value: float,
    reference: str,
    params: RegistryParams,
    version: str,
    previous_champion: str | None,
    n_services: int,
    margin: float | None = None,
) -> PromotionDecision:
    """Pure decision (no registry access), so the rule is unit-testable and identical everywhere."""
    m = params.margin if margin is None else margin
    ok = beats(challenger_value, reference_value, params.metric, m)
    direction = "higher" if HIGHER_IS_BETTER[params.metric] else "lower"
    verb = "promoted" if ok else "not promoted"
    reason = (
        f"{verb}: challenger {params.metric}={challenger_value:.5f} vs {reference} "
        f"{params.metric}={reference_value:.5f} ({direction} is better, required margin {m:g}) "
        f"on {n_services} evaluation services"
    )
    return PromotionDecision(
        ok,
        params.model_name,
        version,
        params.metric,
        m,
        float(challenger_value),
        reference,
        float(reference_value),
        previous_champion,
        n_services,
        reason,
    )


@dataclass(frozen=True)
class RealLetterCheck:
    """The challenger's Brier on real letters beside the base rate's on the same letters."""

    brier: float
    base_rate_brier: float
    source: str  # how the challenger's Brier was measured (its card's CV, or scored on N letters)

    def passes(self) -> bool:
        return bool(np.isfinite(self.brier) and self.brier <= self.base_rate_brier)


def apply_real_letter_gate(decision: PromotionDecision, check: RealLetterCheck | None) -> PromotionDecision:
    """Refuse a challenger whose probabilities on real letters are worse than the base rate's, whatever
    else it beats: a model that cannot beat "everyone gets the average" on real cases must not serve."""
    if check is None or check.passes():
        return decision
    reason = (
        f"refused: Brier on real letters {check.brier:.5f} is worse than the base rate's "
        f"{check.base_rate_brier:.5f} ({check.source}); otherwise: {decision.reason}"
    )
    return PromotionDecision(**{**decision.as_dict(), "promoted": False, "reason": reason})


def register_challenger(
    model_uri: str, params: RegistryParams, run_id: str | None = None, content_version: str | None = None
) -> str:
    """Register `model_uri` as a new version (tagged with the artifact's content version) and point the
    challenger alias at it; returns the registry version number."""
    import mlflow

    client = mlflow.MlflowClient()
    mv = mlflow.register_model(model_uri, params.model_name)
    record_artifact_digest(client, params.model_name, str(mv.version), model_uri)
    client.set_registered_model_alias(params.model_name, params.challenger_alias, mv.version)
    if run_id:
        client.set_model_version_tag(params.model_name, mv.version, "run_id", run_id)
        # `log_training_run` tags the run with the artifact's content version.
        content_version = content_version or client.get_run(run_id).data.tags.get("model_version")
    if content_version:
        client.set_model_version_tag(params.model_name, mv.version, CONTENT_VERSION_TAG, content_version)
    return str(mv.version)


def record_artifact_digest(client: Any, model_name: str, version: str, model_uri: str) -> str | None:
    """Check the registered files against the checksums saved with the model and tag the version with
    their digest (`model.artifact.DIGEST_TAG`), which `imr serve` checks on every load."""
    import tempfile
    from pathlib import Path

    import mlflow

    from model.artifact import DIGEST_TAG, artifact_digest, find_artifact_dir, verify_checksums

    with tempfile.TemporaryDirectory(prefix="imr-register-") as tmp:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=tmp))
        directory = find_artifact_dir(local, model_uri)
        verify_checksums(directory)
        digest = artifact_digest(directory)
    if digest is not None:
        client.set_model_version_tag(model_name, version, DIGEST_TAG, digest)
    return digest


def current_champion(params: RegistryParams) -> str | None:
    """Version number the champion alias points at, or None when no champion exists yet: no registered
    model of that name, or no such alias on it. Any other error (a damaged store, a server that does not
    answer) is raised: read as "no champion", it would let any challenger be promoted."""
    import mlflow
    from mlflow.exceptions import MlflowException
    from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST, ErrorCode

    client = mlflow.MlflowClient()
    try:
        model = client.get_registered_model(params.model_name)
    except MlflowException as exc:
        if exc.error_code == ErrorCode.Name(RESOURCE_DOES_NOT_EXIST):
            return None
        raise
    version = (model.aliases or {}).get(params.champion_alias)
    return None if version is None else str(version)


def promote_if_better(
    version: str,
    challenger_proba: np.ndarray,
    eval_rows: pd.DataFrame,
    y: np.ndarray,
    baseline_proba: np.ndarray,
    params: RegistryParams,
    run_id: str | None = None,
    baseline_name: str = "family_rate",
    real_letters: RealLetterCheck | None = None,
) -> PromotionDecision:
    """Compare with the champion (re-scored on `eval_rows`) or, for the first model, the baseline;
    with `real_letters`, a challenger worse than the base rate on real letters is never promoted."""
    import mlflow

    from model.artifact import load_from_mlflow

    client = mlflow.MlflowClient()
    fn = METRIC_FNS[params.metric]
    challenger_value = fn(y, challenger_proba)
    previous = current_champion(params)
    if previous is None or previous == version:
        decision = decide(
            challenger_value,
            fn(y, baseline_proba),
            f"baseline {baseline_name}",
            params,
            version,
            None,
            len(y),
            margin=0.0,
        )
    else:
        try:
            champion = load_from_mlflow(f"models:/{params.model_name}@{params.champion_alias}")
            champion_value = fn(y, Predictor(champion).predict_proba(eval_rows))
            label = version_label(previous, champion.metadata.model_version)
            decision = decide(
                challenger_value, champion_value, f"champion {label}", params, version, previous, len(y)
            )
        except Exception as exc:  # noqa: BLE001 - a champion that cannot score must not block forever
            base = decide(
                challenger_value,
                fn(y, baseline_proba),
                f"baseline {baseline_name}",
                params,
                version,
                previous,
                len(y),
                margin=0.0,
            )
            decision = PromotionDecision(
                **{
                    **base.as_dict(),
                    "reason": f"champion v{previous} could not score the evaluation data "
                    f"({type(exc).__name__}: {exc}); judged against the baseline instead: {base.reason}",
                }
            )
    decision = apply_real_letter_gate(decision, real_letters)
    if decision.promoted:
        client.set_registered_model_alias(params.model_name, params.champion_alias, version)
    _log_decision(decision, run_id)
    return decision


def _log_decision(decision: PromotionDecision, run_id: str | None) -> None:
    """Record the decision on the model version (tags) and on the training run (tags, metrics, JSON)."""
    import mlflow

    client = mlflow.MlflowClient()
    tags = {
        "promotion.promoted": str(decision.promoted).lower(),
        "promotion.reference": decision.reference,
        "promotion.reason": decision.reason[:5000],
    }
    for k, v in tags.items():
        client.set_model_version_tag(decision.model_name, decision.version, k, v)
    if run_id:
        for k, v in tags.items():
            client.set_tag(run_id, k, v)
        client.log_metric(run_id, f"promotion.challenger_{decision.metric}", decision.challenger_value)
        if np.isfinite(decision.reference_value):
            client.log_metric(run_id, f"promotion.reference_{decision.metric}", decision.reference_value)
        client.log_text(run_id, json.dumps(decision.as_dict(), indent=1), "reports/promotion_decision.json")
