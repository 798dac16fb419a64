"""`imr train FEATURES` or `imr train --letters DIR`.

FEATURES (the synthetic pipeline): time-ordered holdout by letter, then the LightGBM triage model on
the rest; writes the TriageModel directory, the holdout letter ids (so evaluate/register judge the
same rows) and a JSON summary of the weighting/calibration choice.

--letters DIR (real letters): parses the letters, checks their decisions against a labels.csv beside
them, trains on all of them with the `train_real:` recipe (no holdout; synthetic rows only with
--synthetic-weight) and writes OUT/model with a model card whose real-letter metrics come from
cross-validating the same recipe on the same letters.
"""

from __future__ import annotations

from pathlib import Path

import typer

from imr_triage.cli_input import fail, params_section, read_feature_table, require_writable
from imr_triage.progress import PROGRESS_HELP, StepProgress, progress_wanted

OOF_FILE = "real_cv_oof.parquet"  # `imr train --letters`: the recipe's out-of-fold predictions


def train(
    features: Path | None = typer.Argument(None, help="Feature table (parquet) from `imr features`."),
    letters: Path | None = typer.Option(
        None, "--letters", help="Train on the real letters in this directory instead of FEATURES."
    ),
    labels: Path | None = typer.Option(
        None,
        "--labels",
        help="--letters: labels.csv to check decisions against [default: beside the letters].",
    ),
    synthetic_weight: float | None = typer.Option(
        None, "--synthetic-weight", min=0.0, help="--letters: add synthetic rows, each with this weight."
    ),
    synthetic: Path = typer.Option(
        Path("data/features.parquet"),
        "--synthetic",
        help="--letters: synthetic feature table for those rows.",
    ),
    no_validate: bool = typer.Option(
        False, "--no-validate", help="--letters: skip the CV behind the card (card says: never validated)."
    ),
    out: Path = typer.Option(Path("models"), "--out", "-o", help="Output directory (model/, holdout.json)."),
    params_file: Path = typer.Option(
        Path("params.yaml"), "--params", help="params.yaml to read [train:, or train_real: with --letters]."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help=PROGRESS_HELP),
) -> None:
    """Train the overturn model (FEATURES minus its holdout, or real letters) and save it."""
    if letters is not None and features is None:
        _train_letters(letters, labels, synthetic_weight, synthetic, not no_validate, out, params_file)
    elif features is not None and letters is None:
        if synthetic_weight is not None:
            raise typer.BadParameter(
                "--synthetic-weight goes with --letters", param_hint="--synthetic-weight"
            )
        _train_features(features, out, params_file, progress)
    else:
        raise typer.BadParameter("give exactly one of FEATURES and --letters DIR", param_hint="FEATURES")


def _train_features(features: Path, out: Path, params_file: Path, progress: bool) -> None:
    import json

    from rich.console import Console

    from features.spec import load_spec
    from training.boosting import TrainParams, labelled_rows
    from training.splits import holdout_split
    from training.train import train_model

    params = params_section(TrainParams, params_file, "train")
    spec = load_spec()
    require_writable(out, "the output folder", folder=True)  # before the training; nothing made yet
    console = Console(stderr=True, soft_wrap=True)
    steps = ["reading the feature table", "training (CV, weighting, calibration)", "saving"]
    with StepProgress("train", steps, console, progress_wanted(progress, console)) as bar:
        bar.step(steps[0])
        # A single parquet file, or the partitioned dataset `imr features --dask` writes (complete only).
        table = read_feature_table(features)
        missing = [c for c in (*spec.names, spec.target, "letter_id") if c not in table.columns]
        if missing:
            fail(f"{features}: not a feature table of this spec (missing columns: {', '.join(missing[:5])})")
        table = labelled_rows(table, spec)
        if table.empty:
            fail(f"{features}: no service with a known decision to train on")
        outcomes = table[spec.target].nunique()
        if outcomes < 2:
            fail(f"{features}: every labelled service has the same decision; training needs both "
                 "overturned and upheld services")
        holdout = holdout_split(table, params.test_fraction, params.seed)
        bar.step(steps[1])
        result = train_model(table.iloc[holdout.train], spec, params, recipe="train")
        bar.step(steps[2])
        out.mkdir(parents=True, exist_ok=True)
        result.model.save(out / "model")
        test_letters = sorted(set(table["letter_id"].iloc[holdout.test].astype(str)))
        (out / "holdout.json").write_text(
            json.dumps({**holdout.describe(), "test_letter_ids": test_letters}, indent=1), encoding="utf-8"
        )
    meta = result.model.metadata
    summary = {
        "n_train_services": int(holdout.train.size),
        "n_train_letters": meta.training_data.get("n_letters"),
        "chosen_weighting": meta.calibration["weighting"],
        "chosen_calibration": meta.calibration["method"],
        "best_rounds": result.best_rounds[meta.calibration["weighting"]],
        "oof_brier": round(result.candidates[0].brier, 6),
        "oof_log_loss": round(result.candidates[0].log_loss, 6),
        "oof_roc_auc": round(result.candidates[0].roc_auc, 6),
        "oof_ece": round(result.candidates[0].ece, 6),
    }  # no timings: a DVC metric must be the same on every run of the same inputs
    (out / "train_summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    typer.echo(
        f"trained on {holdout.train.size} services ({holdout.describe()['kind']} holdout of "
        f"{holdout.test.size}) in {result.seconds['total']:.1f}s; {meta.calibration['reason']}"
    )
    typer.echo(f"wrote {out / 'model'}, {out / 'holdout.json'}, {out / 'train_summary.json'}")


def _train_letters(
    letters: Path,
    labels: Path | None,
    synthetic_weight: float | None,
    synthetic: Path,
    validate: bool,
    out: Path,
    params_file: Path,
) -> None:
    import json

    from threadpoolctl import threadpool_limits

    from features.spec import load_spec
    from imr_triage.cli_input import require_file, require_letters_in
    from training.boosting import TrainParams, labelled_rows
    from training.real_cv import RealCVParams
    from training.real_training import train_on_real_letters

    require_letters_in(letters, "letters")
    if labels is not None:
        require_file(labels, "labels file")
    require_writable(out, "the output folder", folder=True)  # before the training; nothing made yet
    params = params_section(TrainParams, params_file, "train_real")
    cv = params_section(RealCVParams, params_file, "evaluate_real")
    spec = load_spec()
    syn_rows = None
    if synthetic_weight is not None:
        syn_rows = labelled_rows(read_feature_table(synthetic, "synthetic feature table"), spec)
        params = params.model_copy(update={"synthetic_weight": synthetic_weight})
    try:
        with threadpool_limits(limits=1):
            run = train_on_real_letters(
                letters, spec, params, cv, labels=labels, synthetic=syn_rows, validate=validate
            )
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    for problem in run.letters.problems:
        typer.echo(f"error: {problem}", err=True)
    out.mkdir(parents=True, exist_ok=True)
    run.result.model.save(out / "model")
    summary = run.summary()
    (out / "train_summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    if run.oof is not None:  # ids, labels and out-of-fold probabilities only (no letter text)
        run.oof.to_parquet(out / OOF_FILE, index=False)
    t = summary["trained_on"]
    typer.echo(run.letters.labels.summary())
    typer.echo(
        f"trained {summary['model_version']} on {t['real_services']} services of {t['real_letters']} real "
        f"letters and {t['synthetic_services']} synthetic services (weight {t['synthetic_weight']})"
    )
    m = run.metrics
    if m is not None:
        typer.echo(
            f"real-letter CV of this recipe: ROC-AUC {m.roc_auc.value:.3f} [{m.roc_auc.low:.3f}, "
            f"{m.roc_auc.high:.3f}], Brier {m.brier.value:.4f} vs base rate {m.base_rate_brier:.4f}"
        )
    if summary["warning"]:
        typer.echo(f"warning: {summary['warning']}")
    typer.echo(f"wrote {out / 'model'} (with model_card.json) and {out / 'train_summary.json'}")
    if run.letters.problems:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("train")(train)
