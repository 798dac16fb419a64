"""MLflow pyfunc wrapper of `TriageModel`: the registered model takes plain JSON-typed feature columns.

The whole pipeline (encoding, booster, calibration) runs inside, through the same `Predictor` as
`imr serve`, so `mlflow.pyfunc.load_model` callers send the same raw columns as the API. Imports
mlflow, so it is kept apart from `model.artifact` (serving loads the artifact without this import).

Missing stays missing: MLflow converts each value of an `inputs` request to the declared column type,
and a JSON null declared `boolean` becomes False (`string`: the text 'None'). Boolean and categorical
columns are therefore declared `Any` (passed through as sent) and only numbers `double` (null: NaN),
so `mlflow models serve` gives the probabilities `imr serve` gives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pandas as pd

from features.spec import Dtype, FeatureSpec
from model.artifact import TriageModel
from model.predictor import Predictor

ARTIFACT_KEY = "triage_model"
OUTPUT_COLUMNS = ["overturn_probability", "raw_score"]


class TriagePyfunc(mlflow.pyfunc.PythonModel):
    """Loads the saved TriageModel from the model's artifacts and scores raw feature frames (with the
    text of each service when the model has a text signal)."""

    def load_context(self, context: Any) -> None:
        self.predictor = Predictor.load(context.artifacts[ARTIFACT_KEY], fast_shap=False)

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> Any:
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        for f in self.predictor.model.input_spec.features:
            # a missing fact is a missing value; missing text is an error the predictor names (the
            # text score would silently be the same for every row)
            if f.name not in frame.columns and f.dtype != Dtype.TEXT:
                frame = frame.assign(**{f.name: None})
        raw = self.predictor.raw_scores(frame)
        return pd.DataFrame(
            {"overturn_probability": self.predictor.model.calibrator.apply(raw), "raw_score": raw},
            index=frame.index,
        )


def pyfunc_signature(spec: FeatureSpec) -> Any:
    """Inputs: every spec feature, optional; numbers `double`, the rest `Any` (see the module note)."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema
    from mlflow.types.schema import AnyType

    inputs = [
        ColSpec("double" if f.dtype == Dtype.NUMERIC else AnyType(), f.name, required=False)
        for f in spec.features
    ]
    outputs = Schema([ColSpec("double", c) for c in OUTPUT_COLUMNS])
    return ModelSignature(inputs=Schema(inputs), outputs=outputs)


def input_example(model: TriageModel, rows: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """A few raw rows with exactly the spec's feature columns, typed for JSON (None for missing)."""
    spec = model.input_spec  # what a caller sends: the text score is computed inside
    example = rows.loc[:, spec.names].head(n).copy()
    for f in spec.features:
        col = f.name
        if f.dtype == Dtype.NUMERIC:
            example[col] = pd.to_numeric(example[col], errors="coerce").astype("float64")
        else:
            example[col] = example[col].astype("object").where(example[col].notna(), None)
    return example


# What the wrapper needs where it is served, pinned to what trained it. Stated rather than inferred:
# MLflow's inference loads the model in a subprocess on every registration (seconds each) and found
# the same list (imr-triage brings the rest of its dependencies).
PYFUNC_DISTRIBUTIONS = (
    "imr-triage", "mlflow", "cloudpickle", "lightgbm", "numpy", "pandas", "scikit-learn", "scipy",
)


def pyfunc_requirements() -> list[str]:
    """`name==version` of each distribution the served wrapper imports, as installed here."""
    from importlib.metadata import version

    return [f"{name}=={version(name)}" for name in PYFUNC_DISTRIBUTIONS]


def log_pyfunc_model(
    model: TriageModel,
    saved_dir: Path | str,
    example_rows: pd.DataFrame,
    name: str = "model",
    registered_model_name: str | None = None,
) -> Any:
    """Log the wrapper (signature from the spec, input example from real rows) to the active run.

    `saved_dir` is the saved TriageModel: a folder, or an artifact URI (`runs:/<id>/triage_model`)
    so that the MLmodel file records no local path."""
    return mlflow.pyfunc.log_model(
        name=name,
        python_model=TriagePyfunc(),
        artifacts={ARTIFACT_KEY: str(saved_dir)},
        signature=pyfunc_signature(model.input_spec),
        input_example=input_example(model, example_rows),
        registered_model_name=registered_model_name,
        pip_requirements=pyfunc_requirements(),
    )
