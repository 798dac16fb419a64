"""`imr evaluate-real`: candidate models on real letters by repeated grouped cross-validation.

Reads real letters from a path (default ../shared/data/dwc-imr-letters/pdf), never copies them;
checks parsed decisions against the labels.csv beside them; writes `<report>.md/.json` and a
reliability plot (params.yaml `evaluate_real.report`). experiments/real-letter-model.md reads them.
"""

from __future__ import annotations

from pathlib import Path

import typer


def evaluate_real(
    letters: Path = typer.Option(
        Path("../shared/data/dwc-imr-letters/pdf"), "--letters", help="Directory of real letters (PDF/text)."
    ),
    labels: Path | None = typer.Option(
        None, "--labels", help="labels.csv to check parsed decisions against [default: beside the letters]."
    ),
    synthetic: Path | None = typer.Option(
        None,
        "--synthetic",
        help="Synthetic feature table: pick the weight of synthetic rows by real-letter CV.",
    ),
    model_dir: Path = typer.Option(Path("models/model"), "--model", help="Synthetic-trained TriageModel."),
    features: Path = typer.Option(
        Path("data/features.parquet"), "--features", help="Its synthetic feature table (with --holdout)."
    ),
    holdout: Path = typer.Option(Path("models/holdout.json"), "--holdout", help="Holdout from `imr train`."),
    text_signal: bool = typer.Option(
        False, "--text-signal", help="Add the cross-fitted text score (model/text_signal.py) as a column."
    ),
    repeats: int | None = typer.Option(None, "--repeats", min=2, help="CV repeats [evaluate_real.repeats]."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Report prefix [evaluate_real.report]."),
    params_file: Path = typer.Option(
        Path("params.yaml"), "--params", help="params.yaml [train_real, evaluate_real]."
    ),
) -> None:
    """Compare the served recipe, logistic regression and explainable boosting with the baselines."""
    from threadpoolctl import threadpool_limits

    from features.spec import load_spec
    from training.boosting import TrainParams, labelled_rows
    from training.candidates import text_score_adder
    from training.letter_labels import load_real_letters
    from training.params import load_params, section
    from training.real_cv import (
        RealCVParams,
        best_synthetic_weight,
        prior_strength_sweep,
        repeated_cv,
        synthetic_weight_sweep,
        time_split,
    )
    from training.real_letters import RealEvaluation, calibration_summary, synthetic_to_real, write_report

    if not letters.is_dir():
        raise typer.BadParameter(f"{letters}: no such directory of real letters", param_hint="--letters")
    all_params = load_params(params_file)
    train_p = TrainParams(**section(all_params, "train_real"))
    cv = RealCVParams(**section(all_params, "evaluate_real"))
    if repeats is not None:
        cv = cv.model_copy(
            update={"repeats": repeats, "stability_runs": min(cv.stability_runs, max(repeats, 2))}
        )
    if cv.repeats < cv.stability_runs:
        raise typer.BadParameter(
            f"{cv.repeats} repeats: the stability check needs evaluate_real.stability_runs "
            f"({cv.stability_runs}) of them",
            param_hint="--repeats",
        )
    spec = load_spec()
    data = load_real_letters(letters, spec, labels)
    for problem in data.problems:
        typer.echo(f"error: {problem}", err=True)
    typer.echo(data.labels.summary())
    real = data.table
    if real.empty or real[spec.target].nunique() < 2:
        raise typer.BadParameter(
            f"{letters}: no labelled services of both outcomes parsed", param_hint="--letters"
        )
    adders = []
    if text_signal:
        import importlib.util

        from letters.pre_review import PreReviewCase

        if importlib.util.find_spec("model.text_signal") is None:
            raise typer.BadParameter(
                "model/text_signal.py (the text-signal issue's module) is not in this checkout",
                param_hint="--text-signal",
            )

        summaries = {c.letter_id: PreReviewCase.from_case(c).clinical_summary for c in data.cases}
        real = real.assign(
            pre_review_text=[
                f"{summaries.get(lid, '')}\n{svc}"
                for lid, svc in zip(real["letter_id"], real["service"], strict=True)
            ]
        )
        adders.append(("text_score", text_score_adder()))
    header = {
        "source": str(letters),
        "label_check": data.labels.summary(),
        "n_letters": int(real["letter_id"].nunique()),
        "n_services": len(real),
        "n_positive": int(real[spec.target].sum()),
        "prevalence": float(real[spec.target].mean()),
        "parse_failures": len(data.parse_failures),
        "repeats": cv.repeats,
        "folds": cv.folds,
        "n_bootstrap": cv.n_bootstrap,
        "stability_runs": cv.stability_runs,
        "synthetic_repeats": cv.synthetic_repeats,
    }
    with threadpool_limits(limits=1):  # BLAS threads spin on a shared 2-core host; the work is tiny per call
        result = repeated_cv(real, spec, train_p, cv, adders=adders)
        ev = RealEvaluation(
            header, train_p.model_dump(), result, result.stability(cv.stability_runs), cv.stability_limit
        )
        ev.calibration = calibration_summary(result, cv.ece_bins)
        ev.time = time_split(real, spec, train_p, cv, adders=adders)
        ev.prior_strength = prior_strength_sweep(real, spec, train_p, cv)
        if synthetic is not None:
            import pandas as pd

            syn = labelled_rows(pd.read_parquet(synthetic), spec)
            ev.synthetic_sweep = synthetic_weight_sweep(real, syn, spec, train_p, cv)
            ev.chosen_synthetic_weight = best_synthetic_weight(ev.synthetic_sweep)
        if model_dir.is_dir() and features.is_file() and holdout.is_file():
            from training.holdout_data import load_holdout_frames

            frames = load_holdout_frames(features, model_dir, holdout)
            ev.transfer = synthetic_to_real(frames.model, frames.train, real, spec, cv)
        else:
            typer.echo(f"synthetic-to-real skipped: needs {model_dir}, {features} and {holdout} (dvc repro)")
    paths = write_report(ev, out or Path(cv.report))
    typer.echo(paths["markdown"].read_text(encoding="utf-8"))
    typer.echo(f"wrote {', '.join(str(p) for p in paths.values())}")
    if data.problems:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("evaluate-real")(evaluate_real)
