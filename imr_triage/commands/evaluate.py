"""`imr evaluate FEATURES`: the model and its baselines on the holdout letters, side by side.

Baselines are fitted on the same training rows the model saw (all labelled rows not in the
holdout), so the table compares like with like.
"""

from __future__ import annotations

from pathlib import Path

import typer


def evaluate(
    features: Path = typer.Argument(..., help="Feature table (parquet) from `imr features`."),
    model_dir: Path = typer.Option(Path("models/model"), "--model", help="TriageModel directory."),
    holdout: Path = typer.Option(
        Path("models/holdout.json"), "--holdout", help="Holdout letters from train."
    ),
    out: Path = typer.Option(Path("reports"), "--out", "-o", help="Report directory."),
    metrics: Path = typer.Option(Path("reports/metrics.json"), "--metrics", help="Flat metrics JSON (DVC)."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml [evaluate:]."),
) -> None:
    """Write evaluation.json, evaluation.md, metrics.json and ROC/PR/reliability/SHAP plots."""
    from imr_triage.cli_input import holdout_frames, params_section
    from training.evaluation import EvaluateParams, evaluate_on_holdout, write_outputs

    params = params_section(EvaluateParams, params_file, "evaluate")
    data = holdout_frames(features, model_dir, holdout)
    result = evaluate_on_holdout(
        data.model,
        data.model.spec,
        data.train,
        data.test,
        params,
        min_frequency=data.model.metadata.params.get("encoder", {}).get("min_frequency", 5),
    )
    result.context.update(
        split=data.split,
        n_bootstrap=params.n_bootstrap,
        min_precision=params.min_precision,
        synthetic=data.synthetic,
        calibration=data.model.metadata.calibration,
        model_version=data.model.metadata.model_version,
    )
    title = "Holdout evaluation" + (" (synthetic letters)" if data.synthetic else "")
    paths = write_outputs(result, data.model, data.test, out, metrics, params, title)
    typer.echo((out / "evaluation.md").read_text(encoding="utf-8"))
    typer.echo("wrote " + ", ".join(str(p) for p in paths.values()))


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate)
