"""`imr train FEATURES`: time-ordered holdout by letter, then the LightGBM triage model on the rest.

Writes the TriageModel directory, the holdout letter ids (so evaluate/register judge the same
rows) and a JSON summary of the weighting/calibration choice and timings.
"""

from __future__ import annotations

from pathlib import Path

import typer

from imr_triage.cli_input import fail, params_section, read_feature_table
from imr_triage.progress import PROGRESS_HELP, StepProgress, progress_wanted


def train(
    features: Path = typer.Argument(..., help="Feature table (parquet) from `imr features`."),
    out: Path = typer.Option(Path("models"), "--out", "-o", help="Output directory (model/, holdout.json)."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml to read [train:]."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help=PROGRESS_HELP),
) -> None:
    """Train the overturn model on all but the holdout letters and save it."""
    import json

    from rich.console import Console

    from features.spec import load_spec
    from training.boosting import TrainParams, labelled_rows
    from training.splits import holdout_split
    from training.train import train_model

    params = params_section(TrainParams, params_file, "train")
    spec = load_spec()
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
        holdout = holdout_split(table, params.test_fraction, params.seed)
        bar.step(steps[1])
        result = train_model(table.iloc[holdout.train], spec, params)
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


def register(app: typer.Typer) -> None:
    app.command("train")(train)
