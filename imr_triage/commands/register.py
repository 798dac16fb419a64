"""`imr register FEATURES` or `imr register --letters DIR`: log the run to MLflow, register a challenger,
promote it if it wins.

One stage does every MLflow side effect, so `imr train`/`imr evaluate` stay pure file-to-file
steps that DVC can cache. Exit status is 0 whether or not the champion moved unless
`--exit-code` is given (then 0 = promoted, 3 = champion kept), for schedulers.

A model from `imr train --letters` was trained on every real letter it has, so it is judged by its
recipe's out-of-fold predictions on those letters (saved beside it), and the champion by its scores on
the same letters. Whenever real letters are known (the card's CV, or `--letters`), a challenger whose
Brier on them is worse than the base rate's is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from imr_triage.cli_input import fail

if TYPE_CHECKING:
    import numpy as np

EXIT_KEPT = 3


def register_model(
    features: Path | None = typer.Argument(None, help="Feature table (parquet) the model was trained from."),
    letters: Path | None = typer.Option(
        None, "--letters", help="Real letters: the gate on Brier vs base rate; required without FEATURES."
    ),
    labels: Path | None = typer.Option(
        None, "--labels", help="labels.csv for --letters [default: beside them]."
    ),
    model_dir: Path = typer.Option(Path("models/model"), "--model", help="TriageModel directory."),
    holdout: Path = typer.Option(
        Path("models/holdout.json"), "--holdout", help="Holdout letters from train."
    ),
    reports: Path = typer.Option(Path("reports"), "--reports", help="Directory written by `imr evaluate`."),
    out: Path = typer.Option(Path("reports/registry.json"), "--out", "-o", help="Decision JSON."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml [register:]."),
    tracking_uri: str | None = typer.Option(
        None,
        "--tracking-uri",
        help="MLflow tracking URI (default: $MLFLOW_TRACKING_URI or sqlite:///mlflow.db).",
    ),
    exit_code: bool = typer.Option(False, "--exit-code", help="Exit 3 when the champion is kept."),
) -> None:
    """Log params, metrics, plots, spec, data fingerprint, git commit and the model; register; promote."""
    import json

    from imr_triage.cli_input import require_dir, require_file, require_letters_in

    if letters is not None:
        require_letters_in(letters, "real letters")
    if labels is not None:
        require_file(labels, "labels file")
    if features is None:
        if letters is None:
            raise typer.BadParameter(
                "give FEATURES (model of `imr train FEATURES`) or --letters DIR (of `imr train --letters`)",
                param_hint="FEATURES",
            )
        _register_real(letters, labels, model_dir, out, params_file, tracking_uri, exit_code)
        return

    from imr_triage.cli_input import holdout_frames, params_section
    from model.predictor import Predictor
    from training.baselines import FamilyRate
    from training.evaluation import EvaluateParams
    from training.fingerprint import table_fingerprint
    from training.registry import RegistryParams, promote_if_better, register_challenger
    from training.tracking import log_training_run

    reg = params_section(RegistryParams, params_file, "register")
    ev = params_section(EvaluateParams, params_file, "evaluate")
    data = holdout_frames(features, model_dir, holdout)
    require_dir(reports, "the reports of `imr evaluate` logged with the model: run it or pass --reports")
    model, spec = data.model, data.model.spec
    metrics_file = reports / "metrics.json"
    metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
    if not metrics:
        typer.echo(f"warning: {metrics_file}: no evaluation metrics; the run is logged without", err=True)
    files = sorted((reports / "plots").glob("*.png")) + [
        reports / "evaluation.md",
        reports / "evaluation.json",
    ]
    proba = Predictor(model).predict_proba(data.test)
    y = data.test[spec.target].to_numpy(dtype=int)
    _require_metrics_of_this_model(metrics, metrics_file, model_dir, y, proba)
    fingerprint = {
        "training": model.metadata.training_data,
        "evaluation": table_fingerprint(data.test, spec.target),
        "sha256": model.metadata.training_data.get("sha256"),
        "n_services": model.metadata.training_data.get("n_services"),
        "n_letters": model.metadata.training_data.get("n_letters"),
        "n_positive": model.metadata.training_data.get("n_positive"),
    }
    logged = log_training_run(
        model,
        model_dir,
        data.test,
        {
            "train": model.metadata.params,
            "evaluate": ev.model_dump(),
            "register": reg.model_dump(),
            "split": data.split,
        },
        metrics,
        files,
        fingerprint,
        run_name=model.metadata.model_version.replace(" ", "_"),
        experiment=reg.experiment,
        tracking_uri=tracking_uri,
        tags={"synthetic_data": str(data.synthetic).lower()},
    )
    version = register_challenger(logged.model_uri, reg, logged.run_id)
    family = FamilyRate(ev.baselines.family_column, ev.baselines.family_prior_strength).fit(
        data.train, data.train[spec.target].to_numpy(dtype=int)
    )
    decision = promote_if_better(
        version,
        proba,
        data.test,
        y,
        family.predict_proba(data.test),
        reg,
        run_id=logged.run_id,
        real_letters=_real_letter_check(model, letters, labels),
    )
    _finish(decision, logged, reg, out, exit_code, model.metadata.model_version)


def _require_metrics_of_this_model(
    metrics: dict[str, Any], path: Path, model_dir: Path, y: np.ndarray, proba: np.ndarray
) -> None:
    """Refuse (exit 2, before anything is logged) evaluation metrics that another model scored: a model
    trained again and registered without `imr evaluate` would carry the previous model's metrics and
    plots in its MLflow run. `imr evaluate` writes them from the same model on the same holdout, so
    they agree with the model's own to metrics.json's rounding (6 decimals)."""
    import math

    from training.metrics import brier, roc_auc

    for name, fn in (("roc_auc", roc_auc), ("brier", brier)):
        logged = metrics.get(name)
        if not isinstance(logged, int | float) or not math.isfinite(logged):
            continue
        here = fn(y, proba)
        if math.isfinite(here) and abs(here - logged) > 1e-5:
            fail(
                f"{path}: {name} {logged:.6f} was measured for another model ({model_dir} scores "
                f"{here:.6f} on the same holdout): run `imr evaluate` for this model, or pass its --reports"
            )


def _real_letter_check(model, letters: Path | None, labels: Path | None):
    """The gate's numbers: the card's real-letter CV when it has one, else the model scored on --letters."""
    import numpy as np

    from features.spec import load_spec
    from model.predictor import Predictor
    from training.metrics import brier
    from training.registry import RealLetterCheck

    m = model.metadata.card().real_letter_metrics
    if m is not None:
        return RealLetterCheck(m.brier.value, m.base_rate_brier, f"model card: {m.method}")
    if letters is None:
        return None
    from training.letter_labels import load_real_letters  # reads letters (features.table, spaCy): only here

    rows = load_real_letters(letters, load_spec(), labels).table
    if rows.empty:
        fail(f"{letters}: no labelled real services")
    y = rows["overturned"].to_numpy(dtype=int)
    p = Predictor(model).predict_proba(rows)
    source = f"scored on {len(rows)} services of {rows['letter_id'].nunique()} real letters in {letters}"
    return RealLetterCheck(brier(y, p), brier(y, np.full(len(y), y.mean())), source)


def _register_real(
    letters: Path,
    labels: Path | None,
    model_dir: Path,
    out: Path,
    params_file: Path,
    tracking_uri: str | None,
    exit_code: bool,
) -> None:
    """A model trained on every real letter: judged by its recipe's out-of-fold predictions."""
    import pandas as pd

    from features.spec import load_spec
    from imr_triage.cli_input import params_section
    from imr_triage.commands.train import OOF_FILE
    from model.artifact import TriageModel
    from training.fingerprint import table_fingerprint
    from training.letter_labels import load_real_letters
    from training.registry import RegistryParams, promote_if_better, register_challenger
    from training.tracking import log_training_run

    reg = params_section(RegistryParams, params_file, "register")
    try:
        model = TriageModel.load(model_dir)
    except (OSError, ValueError) as exc:  # not a model directory, a damaged artifact: named in one line
        fail(str(exc).splitlines()[0])
    card = model.metadata.card()
    oof_file = model_dir.parent / OOF_FILE
    if card.real_letter_metrics is None or not oof_file.is_file():
        fail(
            f"{model_dir}: not a validated model from `imr train --letters` (needs its card's real-letter "
            f"metrics and {oof_file})"
        )
    rows = load_real_letters(letters, load_spec(), labels).table
    if rows.empty:
        fail(f"{letters}: no labelled real services")
    oof = pd.read_parquet(oof_file)
    keyed = rows.merge(oof, on=["letter_id", "item_index"], how="left", validate="one_to_one")
    if keyed["lightgbm"].isna().any():
        missing = int(keyed["lightgbm"].isna().sum())
        fail(f"{letters}: {missing} services were not among the model's training letters")
    m = card.real_letter_metrics
    y = keyed["overturned"].to_numpy(dtype=int)
    metrics = {
        "real_cv.roc_auc": m.roc_auc.value,
        "real_cv.roc_auc_ci_low": m.roc_auc.low,
        "real_cv.roc_auc_ci_high": m.roc_auc.high,
        "real_cv.brier": m.brier.value,
        "real_cv.base_rate_brier": m.base_rate_brier,
        "real_cv.ece": m.ece,
    }
    files = [model_dir / "model_card.json", model_dir.parent / "train_summary.json"]
    fingerprint = {**model.metadata.training_data, "evaluation": table_fingerprint(rows, "overturned")}
    logged = log_training_run(
        model,
        model_dir,
        rows,
        {"train_real": model.metadata.params, "register": reg.model_dump()},
        metrics,
        files,
        fingerprint,
        run_name=model.metadata.model_version,
        experiment=reg.experiment,
        tracking_uri=tracking_uri,
        tags={
            "synthetic_data": str(card.synthetic_only).lower(),
            "real_letters": str(card.trained_on.real_letters),
        },
    )
    version = register_challenger(logged.model_uri, reg, logged.run_id)
    decision = promote_if_better(
        version,
        keyed["lightgbm"].to_numpy(),
        rows,
        y,
        keyed["family_rate"].to_numpy(),
        reg,
        run_id=logged.run_id,
        real_letters=_real_letter_check(model, None, None),
    )
    _finish(decision, logged, reg, out, exit_code, model.metadata.model_version)


def _finish(decision, logged, reg, out: Path, exit_code: bool, content_version: str) -> None:
    import json

    from model.version_label import version_label

    out.parent.mkdir(parents=True, exist_ok=True)
    # The decision is a pipeline output (deterministic on a fresh store); where MLflow put the run is not,
    # so it goes beside it, outside DVC's view.
    out.write_text(json.dumps(decision.as_dict(), indent=1), encoding="utf-8")
    run = {"run_id": logged.run_id, "model_uri": logged.model_uri, "tracking_uri": logged.tracking_uri}
    out.with_name(out.stem + "_run.json").write_text(json.dumps(run, indent=1), encoding="utf-8")
    label = version_label(decision.version, content_version)
    typer.echo(f"run {logged.run_id}: registered {reg.model_name} {label} as @{reg.challenger_alias}")
    typer.echo(decision.reason)
    if exit_code and not decision.promoted:
        raise typer.Exit(EXIT_KEPT)


def register(app: typer.Typer) -> None:
    app.command("register")(register_model)
