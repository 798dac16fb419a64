"""`imr drift --reference FEATURES --current FEATURES|SCORES_DB_URL`: PSI per feature and for the score.

The current side is either a feature table (e.g. recent letters) or the scores database the API and
`imr score` write: every scored service keeps the feature values it was scored on and its
probability, so every feature is compared there too. A database that does not exist is refused
(a mistyped path must not look like "nothing scored"). Writes drift.json (what the dashboard's drift
panel reads) and drift.md. See docs/retraining.md for the thresholds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from imr_triage.cli_input import (
    REGISTRY_SCHEMES,
    TRACKING_URI_HELP,
    fail,
    load_model,
    params_section,
    read_feature_table,
    store_for,
)
from imr_triage.progress import PROGRESS_HELP, StepProgress, progress_wanted

EXIT_DRIFTED = 10
# Scores-database columns that hold a feature's value, for rows scored before features were stored.
FEATURE_COLUMNS = {
    "service_family": "service_family",
    "service_region": "body_region",
    "ur_guideline_source": "ur_guideline_source",
    "priority": "priority",
}


def _scored_rows(url: str, model_version: str | None, since: str | None) -> Any:
    """Scored services of an existing scores DB (read-only), newest model's row per service."""
    import pandas as pd
    import sqlalchemy as sa

    from serving.scores_db import ScoredService
    from serving.scores_db_check import require_existing_scores_db

    engine = sa.create_engine(require_existing_scores_db(url))
    try:
        present = {c["name"] for c in sa.inspect(engine).get_columns(ScoredService.__tablename__)}
        t = ScoredService.__table__
        wanted = ["letter_id", "item_index", "probability", "scored_at", *FEATURE_COLUMNS.values()]
        wanted.append("features")
        stmt = sa.select(*[t.c[c] for c in wanted if c in present])
        if model_version:
            stmt = stmt.where(t.c.model_version == model_version)
        if since:
            stmt = stmt.where(t.c.ur_denial_date >= pd.Timestamp(since).date())
        with engine.connect() as conn:
            rows = pd.DataFrame(conn.execute(stmt).mappings().all())
    finally:
        engine.dispose()
    if rows.empty:
        return rows
    # One row per service: a service re-scored by a newer model counts once.
    rows = rows.sort_values("scored_at").drop_duplicates(["letter_id", "item_index"], keep="last")
    return rows.reset_index(drop=True)


def current_from_scores(rows: Any, feature_names: list[str]) -> tuple[Any, list[str]]:
    """(feature frame, notes) from scored rows: the stored feature values, or for rows scored before
    they were stored, the few feature values the row's own columns hold."""
    import pandas as pd

    notes: list[str] = []
    stored = rows["features"].notna() if "features" in rows else pd.Series(False, index=rows.index)
    if stored.any():
        if not stored.all():
            notes.append(f"{int((~stored).sum())} scored services predate stored feature values; left out")
        kept = rows.loc[stored]
        frame = pd.DataFrame.from_records(list(kept["features"]), index=kept.index)
        frame = frame.reindex(columns=feature_names)  # a feature never stored is missing, not absent
    else:
        kept = rows
        frame = pd.DataFrame({f: rows[col] for f, col in FEATURE_COLUMNS.items() if col in rows})
        notes.append(
            "the scores database holds no feature values (rows scored before they were stored): only "
            f"{', '.join(frame.columns)} compared; re-score with `imr score` to compare every feature"
        )
    frame.insert(0, "letter_id", kept["letter_id"].to_numpy())
    return frame.assign(probability=kept["probability"].to_numpy()).reset_index(drop=True), notes


def drift(
    reference: Path = typer.Option(
        Path("data/features.parquet"), "--reference", help="Training feature table (parquet)."
    ),
    current: str = typer.Option(
        ..., "--current", help="Recent feature table (parquet) or scores DB URL/SQLite path (must exist)."
    ),
    model: str | None = typer.Option(
        None, "--model", help="TriageModel dir or models:/name@alias, to score the reference (score PSI)."
    ),
    tracking_uri: str | None = typer.Option(None, "--tracking-uri", help=TRACKING_URI_HELP),
    model_version: str | None = typer.Option(None, help="Scores DB: only rows of this model version."),
    since: str | None = typer.Option(None, help="Scores DB: only UR denials from this date (YYYY-MM-DD)."),
    out: Path = typer.Option(Path("reports/drift"), "--out", "-o", help="Report directory."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml [drift:]."),
    fail_on_alert: bool = typer.Option(False, "--fail-on-alert", help="Exit 10 when drift is flagged."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help=PROGRESS_HELP),
) -> None:
    """Population stability index per feature (and for the score) of recent cases vs the training data."""
    from rich.console import Console

    from features.spec import load_spec
    from training.drift import DriftParams

    console = Console(stderr=True, soft_wrap=True)
    params = params_section(DriftParams, params_file, "drift")
    if model:
        store_for(model, tracking_uri)  # a models:/ URI with no store to look it up in: said before any work
    from_db = "://" in current or not (current.endswith(".parquet") or Path(current).is_dir())
    _check_filters(current, from_db, model_version, since)
    steps = ["reading the reference", "reading the current cases", "scoring", "comparing", "writing"]
    with StepProgress("drift", steps, console, progress_wanted(progress, console)) as bar:
        bar.step(steps[0])
        ref = read_feature_table(reference, "reference feature table")
        bar.step(steps[1])
        cur, cur_scores, notes = _read_current(current, from_db, model_version, since)
        bar.step(steps[2])
        ref_scores = None
        if model:
            ref_scores, cur_scores = _score(model, ref, cur, cur_scores, from_db, tracking_uri)
        bar.step(steps[3])
        report = _compare(ref, cur, load_spec(), params, ref_scores, cur_scores)
        report["notes"] = [*notes, *report["notes"]]
        report["reference"], report["current"] = str(reference), current if not from_db else "scores database"
        bar.step(steps[4])
        _write(report, out)
    _print(report, params, out, console)
    if fail_on_alert and report["drifted"]:
        raise typer.Exit(EXIT_DRIFTED)


def _check_filters(current: str, from_db: bool, model_version: str | None, since: str | None) -> None:
    """Refuse, before anything is read, a `--since` that is not a date and the scores database's
    filters on a feature table (they would be ignored: every row compared, not the window asked for)."""
    from datetime import date

    if since is not None:
        try:
            date.fromisoformat(since)
        except ValueError:
            fail(f"--since {since!r}: not a date (YYYY-MM-DD)")
    if not from_db:
        for option, value in (("--since", since), ("--model-version", model_version)):
            if value is not None:
                fail(
                    f"{option} filters the scores database; --current {current} is a feature table "
                    "(select its rows before, or pass the scores database)"
                )


def _read_current(current: str, from_db: bool, model_version: str | None, since: str | None) -> Any:
    """(current feature frame, its scores or None, notes) from a feature table or the scores DB."""
    from features.spec import load_spec
    from serving.scores_db_check import ScoresDbMissing

    if not from_db:
        return read_feature_table(Path(current), "current feature table"), None, []
    try:
        rows = _scored_rows(current, model_version, since)
    except ScoresDbMissing as exc:
        fail(str(exc))
    if rows.empty:
        filters = ", ".join(
            f
            for f in (
                model_version and f"model version {model_version}",
                since and f"UR denials since {since}",
            )
            if f
        )
        fail(f"{current}: no scored services{' for ' + filters if filters else ''}")
    cur, notes = current_from_scores(rows, load_spec().names)
    return cur, cur["probability"].to_numpy(dtype=float), notes


def _score(
    model: str, ref: Any, cur: Any, cur_scores: Any, from_db: bool, tracking_uri: str | None
) -> tuple[Any, Any]:
    """Reference scores (and current ones for a feature table) from the given model."""
    from model.predictor import Predictor

    remote = model.startswith(REGISTRY_SCHEMES)
    local = None if remote else Path(model)
    triage, _ = load_model(local, model if remote else None, Path(model), tracking_uri)
    predictor = Predictor(triage)
    return predictor.predict_proba(ref), cur_scores if from_db else predictor.predict_proba(cur)


def _compare(ref: Any, cur: Any, spec: Any, params: Any, ref_scores: Any, cur_scores: Any) -> dict[str, Any]:
    from training.drift import compute_drift

    try:
        return compute_drift(ref, cur, spec, params, ref_scores, cur_scores).as_dict()
    except ValueError as exc:
        fail(str(exc))


def _write(report: dict[str, Any], out: Path) -> None:
    import json

    from training.drift import drift_markdown

    out.mkdir(parents=True, exist_ok=True)
    (out / "drift.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (out / "drift.md").write_text(drift_markdown(report), encoding="utf-8")


def _print(report: dict[str, Any], params: Any, out: Path, console: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"PSI (warn >= {params.warn}, alert >= {params.alert})")
    for col in ("column", "kind", "PSI", "status"):
        table.add_column(col, justify="right" if col == "PSI" else "left")
    colour = {"ok": "green", "warn": "yellow", "alert": "bold red"}
    for f in ([report["score"]] if report["score"] else []) + report["features"]:
        psi = "n/a" if f["psi"] is None else f"{f['psi']:.4f}"
        table.add_row(f["name"], f["kind"], psi, f"[{colour[f['status']]}]{f['status']}[/]")
    Console().print(table)
    ref_share, cur_share = report["other_share_reference"], report["other_share_current"]
    if ref_share is not None or cur_share is not None:  # one side may lack the service_family column
        shares = ["n/a" if v is None else f"{v:.2%}" for v in (ref_share, cur_share)]
        console.print(f"'other' service family: {shares[0]} -> {shares[1]}")
    for note in report["notes"]:
        console.print(f"note: {note}", markup=False)
    console.print(
        f"features compared: {report['n_features_compared']}; drift flagged: "
        f"{'yes' if report['drifted'] else 'no'}; wrote {out / 'drift.json'}"
    )


def register(app: typer.Typer) -> None:
    app.command("drift")(drift)
