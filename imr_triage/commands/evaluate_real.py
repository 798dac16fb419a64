"""`imr evaluate-real`: candidate models on real letters by repeated grouped cross-validation.

Reads real letters from a path (default ../shared/data/dwc-imr-letters/pdf), never copies them;
checks parsed decisions against the labels.csv beside them; writes `<report>.md/.json` and a
reliability plot (params.yaml `evaluate_real.report`). experiments/real-letter-model.md reads them.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from imr_triage.progress import PROGRESS_HELP, StepProgress, progress_wanted

# The phases `evaluate_served` reports, then this command's own (the progress bar's steps).
PHASES = [
    "choosing a recipe on the tune letters",
    "grouped CV of every recipe",
    "nested estimate of the choice",
    "tune -> validation",
    "time-ordered split",
    "prior strength sweep",
    "synthetic weight sweep and transfer",
]


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
    split: Path = typer.Option(
        Path("tests/real/letter_split.csv"), "--split",
        help="Tune/validation letter split: the recipe is chosen on the tune letters only.",
    ),  # fmt: skip
    nested_repeats: int | None = typer.Option(
        None, "--nested-repeats", min=0, help="Outer repeats of the nested estimate, 0 skips it "
        "[evaluate_real.grid.nested_repeats].",
    ),  # fmt: skip
    repeats: int | None = typer.Option(None, "--repeats", min=2, help="CV repeats [evaluate_real.repeats]."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Report prefix [evaluate_real.report]."),
    params_file: Path = typer.Option(
        Path("params.yaml"), "--params", help="params.yaml [train_real, evaluate_real]."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help=PROGRESS_HELP),
) -> None:
    """The served recipe (train_real) among the grid of recipes and the baselines, on real letters."""
    from threadpoolctl import threadpool_limits

    from features.spec import load_spec
    from imr_triage.cli_input import (
        fail,
        params_section,
        read_feature_table,
        require_file,
        require_letters_in,
    )
    from training.boosting import TrainParams, labelled_rows
    from training.letter_labels import load_real_letters
    from training.real_cv import (
        RealCVParams,
        best_synthetic_weight,
        prior_strength_sweep,
        synthetic_weight_sweep,
    )
    from training.real_letters import evaluate_served, synthetic_to_real, write_report
    from training.text_cv import read_split

    require_letters_in(letters, "real letters")
    if labels is not None:
        require_file(labels, "labels file")
    syn_table = None if synthetic is None else read_feature_table(synthetic, "synthetic feature table")
    train_p = params_section(TrainParams, params_file, "train_real")
    cv = params_section(RealCVParams, params_file, "evaluate_real")
    if repeats is not None:
        cv = cv.model_copy(
            update={"repeats": repeats, "stability_runs": min(cv.stability_runs, max(repeats, 2))}
        )
    if nested_repeats is not None:
        cv = cv.model_copy(update={"grid": cv.grid.model_copy(update={"nested_repeats": nested_repeats})})
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
        fail(f"{letters}: no labelled services of both outcomes parsed")
    letter_split = read_split(split) if split.is_file() else {}
    if not letter_split:
        typer.echo(f"{split}: no tune/validation split: no recipe choice and no validation figures", err=True)
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
    console = Console(stderr=True)
    bar = StepProgress("evaluate-real", PHASES, console, progress_wanted(progress, console))
    with threadpool_limits(limits=1), bar:  # BLAS threads spin on a shared 2-core host; tiny work per call
        ev = evaluate_served(real, spec, train_p, cv, letter_split, header, step=bar.step)
        bar.step("prior strength sweep")
        ev.prior_strength = prior_strength_sweep(real, spec, train_p, cv)
        bar.step("synthetic weight sweep and transfer")
        if syn_table is not None:
            syn = labelled_rows(syn_table, spec)
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
