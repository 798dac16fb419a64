"""`imr benchmark-dmhc`: ingest the DMHC CSV, train by year and grouped CV, report against baselines.

One command reproduces experiments/dmhc-benchmark.md; `--register` also logs the year-split model
to MLflow and registers it under its own name (params.yaml `dmhc.model_name`).
"""

from __future__ import annotations

from pathlib import Path

import typer


def benchmark_dmhc(
    csv_path: Path = typer.Argument(..., help="DMHC IMR determinations trend CSV (';'-separated)."),
    out: Path = typer.Option(Path("reports/dmhc"), "--out", "-o", help="JSON + markdown results."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml [dmhc:]."),
    cv: bool = typer.Option(True, "--cv/--no-cv", help="Also run grouped K-fold CV (slower)."),
    sample: int = typer.Option(0, help="Use a random sample of this many rows (0: all; for quick runs)."),
    register_model: bool = typer.Option(False, "--register", help="Log and register the year-split model."),
    tracking_uri: str | None = typer.Option(
        None, help="MLflow URI (default: MLFLOW_TRACKING_URI or ./mlflow.db)."
    ),
    model_dir: Path = typer.Option(Path("models/dmhc"), help="Where the year-split model is saved."),
) -> None:
    """Year split (train <= 2013, test 2014-2016) and grouped CV; LightGBM vs baselines with CIs."""
    import time

    from features.dmhc_features import dmhc_feature_table, load_dmhc_spec
    from imr_triage.cli_input import read_params
    from letters.dmhc import read_dmhc_csv
    from training.dmhc_benchmark import DmhcBenchmarkParams, grouped_cv, write_report, year_split
    from training.params import section

    t0 = time.perf_counter()
    p = DmhcBenchmarkParams(**section(read_params(params_file), "dmhc"))
    batch = read_dmhc_csv(csv_path)
    for err in batch.errors[:20]:
        typer.echo(f"malformed row: {err.message()}", err=True)
    spec = load_dmhc_spec()
    table = dmhc_feature_table(batch.rows, spec)
    if sample and sample < len(table):
        table = table.sample(sample, random_state=p.seed).reset_index(drop=True)
    year, result, train, test = year_split(table, spec, p)
    cv_result = grouped_cv(table, spec, p) if cv else None
    meta = {
        "csv_name": csv_path.name,
        "n_rows": len(table),
        "n_errors": len(batch.errors),
        "prevalence": float(table["overturned"].mean()),
        "n_bootstrap": p.n_bootstrap,
        "threshold": p.threshold,
        "threads": p.train.num_threads,
        "seconds": time.perf_counter() - t0,
    }
    paths = write_report(out, year, cv_result, meta)
    result.model.metadata.metrics = {
        k: round(v.value, 6) for k, v in year.reports["lightgbm"].metrics.items()
    }
    result.model.save(model_dir)
    typer.echo(paths["markdown"].read_text(encoding="utf-8"))
    if register_model:
        from training.dmhc_registry import log_and_register

        decision = log_and_register(result.model, model_dir, train, test, year, p, tracking_uri)
        typer.echo(decision.reason)


def register(app: typer.Typer) -> None:
    app.command("benchmark-dmhc")(benchmark_dmhc)
