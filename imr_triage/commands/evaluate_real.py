"""`imr evaluate-real`: real-letter experiments (real-only grouped CV; synthetic-trained model on real).

Reads real letters from a path (default ../shared/data/dwc-imr-letters/pdf), never copies them;
writes the numbers as JSON and markdown under reports/ (experiments/real-letters.md adds the reading).
"""

from __future__ import annotations

from pathlib import Path

import typer


def evaluate_real(
    letters: Path = typer.Option(
        Path("../shared/data/dwc-imr-letters/pdf"), "--letters", help="Directory of real letters (PDF/text)."
    ),
    features: Path = typer.Option(
        Path("data/features.parquet"), "--features", help="Synthetic feature table."
    ),
    model_dir: Path = typer.Option(Path("models/model"), "--model", help="Synthetic-trained TriageModel."),
    holdout: Path = typer.Option(Path("models/holdout.json"), "--holdout", help="Holdout from `imr train`."),
    out: Path = typer.Option(Path("reports/real-letters.md"), "--out", "-o", help="Markdown output."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml [evaluate_real:]."),
) -> None:
    """Run experiments (a) real-only CV and (b) synthetic-to-real, each beside the baselines."""
    import json

    from features.spec import load_spec
    from features.table import build_feature_table
    from letters.ingest import parse_paths
    from training.params import load_params, section
    from training.real_letters import RealLettersParams, markdown_tables, real_only_cv, synthetic_to_real
    from training.train import labelled_rows

    if not letters.is_dir():
        raise typer.BadParameter(f"{letters}: no such directory of real letters", param_hint="--letters")
    params = RealLettersParams(**section(load_params(params_file), "evaluate_real"))
    spec = load_spec()
    parsed = parse_paths([str(letters)], progress=False)
    for f in parsed.failures:
        typer.echo(f"skipped {f.source_file}: {f.reason}", err=True)
    real = labelled_rows(build_feature_table(parsed.cases, spec=spec), spec)
    if real.empty:
        raise typer.BadParameter(f"{letters}: no labelled services parsed", param_hint="--letters")
    header = {
        "source": str(letters),
        "n_letters": int(real["letter_id"].nunique()),
        "n_services": len(real),
        "n_positive": int(real[spec.target].sum()),
        "prevalence": float(real[spec.target].mean()),
        "parse_failures": len(parsed.failures),
    }
    experiments = [real_only_cv(real, spec, params)]
    if model_dir.is_dir() and features.is_file() and holdout.is_file():
        from training.holdout_data import load_holdout_frames

        data = load_holdout_frames(features, model_dir, holdout)
        experiments.append(synthetic_to_real(data.model, data.train, real, spec, params))
    else:
        typer.echo(f"(b) skipped: need {model_dir}, {features} and {holdout} (run the DVC pipeline first)")
    md = markdown_tables(experiments, header)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md, encoding="utf-8")
    record = {
        "header": header,
        "experiments": {
            e.name: {
                "description": e.description,
                "models": {k: v.as_dict() for k, v in e.reports.items()},
                "paired_differences": {k: {m: x.as_dict() for m, x in d.items()} for k, d in e.diffs.items()},
                "extra": e.extra,
            }
            for e in experiments
        },
    }
    out.with_suffix(".json").write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
    typer.echo(md)
    typer.echo(f"wrote {out} and {out.with_suffix('.json')}")


def register(app: typer.Typer) -> None:
    app.command("evaluate-real")(evaluate_real)
