"""`imr register FEATURES`: log the run to MLflow, register a challenger, promote it if it wins.

One stage does every MLflow side effect, so `imr train`/`imr evaluate` stay pure file-to-file
steps that DVC can cache. Exit status is 0 whether or not the champion moved unless
`--exit-code` is given (then 0 = promoted, 3 = champion kept), for schedulers.
"""

from __future__ import annotations

from pathlib import Path

import typer

EXIT_KEPT = 3


def register_model(
    features: Path = typer.Argument(..., help="Feature table (parquet) the model was trained from."),
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

    from imr_triage.cli_input import holdout_frames, params_section
    from model.predictor import Predictor
    from training.baselines import FamilyRate
    from training.evaluation import EvaluateParams
    from training.fingerprint import table_fingerprint
    from training.registry import RegistryParams, promote_if_better, register_challenger, version_label
    from training.tracking import log_training_run

    reg = params_section(RegistryParams, params_file, "register")
    ev = params_section(EvaluateParams, params_file, "evaluate")
    data = holdout_frames(features, model_dir, holdout)
    model, spec = data.model, data.model.spec
    metrics_file = reports / "metrics.json"
    metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
    files = sorted((reports / "plots").glob("*.png")) + [
        reports / "evaluation.md",
        reports / "evaluation.json",
    ]
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
    y = data.test[spec.target].to_numpy(dtype=int)
    family = FamilyRate(ev.baselines.family_column, ev.baselines.family_prior_strength).fit(
        data.train, data.train[spec.target].to_numpy(dtype=int)
    )
    decision = promote_if_better(
        version,
        Predictor(model).predict_proba(data.test),
        data.test,
        y,
        family.predict_proba(data.test),
        reg,
        run_id=logged.run_id,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    # The decision is a pipeline output (deterministic on a fresh store); where MLflow put the run is not,
    # so it goes beside it, outside DVC's view.
    out.write_text(json.dumps(decision.as_dict(), indent=1), encoding="utf-8")
    run = {"run_id": logged.run_id, "model_uri": logged.model_uri, "tracking_uri": logged.tracking_uri}
    out.with_name(out.stem + "_run.json").write_text(json.dumps(run, indent=1), encoding="utf-8")
    label = version_label(version, model.metadata.model_version)
    typer.echo(f"run {logged.run_id}: registered {reg.model_name} {label} as @{reg.challenger_alias}")
    typer.echo(decision.reason)
    if exit_code and not decision.promoted:
        raise typer.Exit(EXIT_KEPT)


def register(app: typer.Typer) -> None:
    app.command("register")(register_model)
