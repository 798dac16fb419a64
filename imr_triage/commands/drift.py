"""`imr drift --reference FEATURES --current FEATURES|SCORES_DB_URL`: PSI per feature and for the score.

The current side is either a feature table (e.g. recent letters) or the scores database the API and
`imr score --store` write (its feature-derived columns and the stored probability). Writes drift.json
(what the dashboard's drift panel reads) and drift.md. See docs/retraining.md for the thresholds.
"""

from __future__ import annotations

from pathlib import Path

import typer

EXIT_DRIFTED = 10


def _read_scores_db(url: str, model_version: str | None, since: str | None):  # noqa: ANN202 - DataFrame
    """Scored services (feature-derived columns + probability) from the scores DB, read-only."""
    import pandas as pd
    import sqlalchemy as sa

    if "://" not in url:
        url = f"sqlite:///{Path(url).resolve()}"
    engine = sa.create_engine(url)
    query = "SELECT * FROM scored_services"
    clauses, args = [], {}
    if model_version:
        clauses.append("model_version = :mv")
        args["mv"] = model_version
    if since:
        clauses.append("ur_denial_date >= :since")
        args["since"] = since
    if clauses:
        query += " WHERE " + " AND ".join(clauses)
    try:
        with engine.connect() as conn:
            return pd.read_sql(sa.text(query), conn, params=args)
    finally:
        engine.dispose()


def drift(
    reference: Path = typer.Option(
        Path("data/features.parquet"), "--reference", help="Training feature table (parquet)."
    ),
    current: str = typer.Option(
        ..., "--current", help="Recent feature table (parquet) or scores DB URL/SQLite path."
    ),
    model: str | None = typer.Option(
        None, "--model", help="TriageModel dir or models:/name@alias, to score the reference (score PSI)."
    ),
    model_version: str | None = typer.Option(None, help="Scores DB: only rows of this model version."),
    since: str | None = typer.Option(None, help="Scores DB: only UR denials from this date (YYYY-MM-DD)."),
    out: Path = typer.Option(Path("reports/drift"), "--out", "-o", help="Report directory."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml [drift:]."),
    fail_on_alert: bool = typer.Option(False, "--fail-on-alert", help="Exit 10 when drift is flagged."),
) -> None:
    """Population stability index per feature (and for the score) of recent cases vs the training data."""
    import json

    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from features.spec import load_spec
    from model.artifact import TriageModel, load_from_mlflow
    from model.predictor import Predictor
    from training.drift import DriftParams, compute_drift, drift_markdown
    from training.params import load_params, section

    console = Console(stderr=True, soft_wrap=True)
    params = DriftParams(**section(load_params(params_file), "drift"))
    if not reference.is_file():
        raise typer.BadParameter(f"{reference}: reference feature table not found", param_hint="--reference")
    ref = pd.read_parquet(reference)
    from_db = not current.endswith(".parquet")
    if from_db:
        cur = _read_scores_db(current, model_version, since)
        cur_scores = cur["probability"].to_numpy(dtype=float) if len(cur) else None
    else:
        if not Path(current).is_file():
            raise typer.BadParameter(f"{current}: feature table not found", param_hint="--current")
        cur = pd.read_parquet(current)
        cur_scores = None
    triage = None
    if model:
        remote = model.startswith(("models:/", "runs:/"))
        triage = load_from_mlflow(model) if remote else TriageModel.load(model)
    ref_scores = Predictor(triage).predict_proba(ref) if triage is not None else None
    if triage is not None and not from_db:
        cur_scores = Predictor(triage).predict_proba(cur)
    try:
        report = compute_drift(ref, cur, load_spec(), params, ref_scores, cur_scores).as_dict()
    except ValueError as exc:
        console.print(f"drift: {exc}", style="bold red")
        raise typer.Exit(2) from exc
    report["reference"], report["current"] = str(reference), current if not from_db else "scores database"
    out.mkdir(parents=True, exist_ok=True)
    (out / "drift.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (out / "drift.md").write_text(drift_markdown(report), encoding="utf-8")

    table = Table(title=f"PSI (warn >= {params.warn}, alert >= {params.alert})")
    for col in ("column", "kind", "PSI", "status"):
        table.add_column(col, justify="right" if col == "PSI" else "left")
    colour = {"ok": "green", "warn": "yellow", "alert": "bold red"}
    for f in ([report["score"]] if report["score"] else []) + report["features"]:
        psi = "n/a" if f["psi"] is None else f"{f['psi']:.4f}"
        table.add_row(f["name"], f["kind"], psi, f"[{colour[f['status']]}]{f['status']}[/]")
    Console().print(table)
    if report["other_share_reference"] is not None:
        console.print(
            f"'other' service family: {report['other_share_reference']:.2%} -> "
            f"{report['other_share_current']:.2%}"
        )
    for note in report["notes"]:
        console.print(f"note: {note}", markup=False)
    console.print(f"drift flagged: {'yes' if report['drifted'] else 'no'}; wrote {out / 'drift.json'}")
    if fail_on_alert and report["drifted"]:
        raise typer.Exit(EXIT_DRIFTED)


def register(app: typer.Typer) -> None:
    app.command("drift")(drift)
