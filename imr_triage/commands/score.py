"""`imr score LETTERS_OR_CASES...`: score, explain and store every disputed service in the scores DB.

Letters (.pdf/.txt) are parsed; case files (.json: one case or a list, .jsonl: one per line) are
`features.records.Case` JSON. Each service's calibrated likelihood, risk band and top reasons go to
the scores database (SQLite `scores.db` by default, PostgreSQL by URL) that the dashboard reads.
Re-scoring with the same model replaces rows instead of duplicating them. A file that fails is
named with its reason; the others are still scored and stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, ConfigDict, Field

CASE_SUFFIXES = (".json", ".jsonl", ".ndjson")
OPTIMIZE_AFTER = 1000  # services written in one run before statistics are refreshed


class ScoreParams(BaseModel):
    """The optional `score:` section of params.yaml (CLI options override it)."""

    model_config = ConfigDict(extra="ignore")

    model: Path = Field(default=Path("models/model"), description="Local TriageModel directory.")
    top_k: int = Field(default=5, ge=1, le=50, description="Reasons stored per service.")
    batch_size: int = Field(default=500, ge=1, description="Services written per database transaction.")
    calibration_bins: int = Field(default=10, ge=2, le=50, description="Bins of the reliability curve.")


def _expand(inputs: list[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Letters via the ingest expander, plus case files (which it does not look for in folders)."""
    from features.ingest import expand_inputs

    files, missing = expand_inputs(inputs)
    failures = [(m.source_file, m.reason) for m in missing]
    for item in inputs:
        if item.is_dir():
            files += sorted(f for f in item.rglob("*") if f.is_file() and f.suffix.lower() in CASE_SUFFIXES)
    # A folder with only case files is not "empty".
    failures = [
        (s, r) for s, r in failures if not (Path(s).is_dir() and any(f.is_relative_to(s) for f in files))
    ]
    return files, failures


def _cases_in(path: Path) -> Iterator[Any]:
    """Cases from one input file; raises ValueError naming the file (and line/item) on bad input."""
    import json

    from pydantic import ValidationError

    from features.ingest import parse_file
    from features.records import Case

    suffix = path.suffix.lower()
    if suffix not in CASE_SUFFIXES:
        yield parse_file(path)
        return
    text = path.read_text(encoding="utf-8")
    try:
        if suffix == ".json":
            data = json.loads(text)
            items = data if isinstance(data, list) else [data]
            where = [f"item {i}" for i in range(len(items))]
        else:
            lines = [(n, ln) for n, ln in enumerate(text.splitlines(), 1) if ln.strip()]
            items = [json.loads(ln) for _n, ln in lines]
            where = [f"line {n}" for n, _ln in lines]
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from exc
    for item, loc in zip(items, where, strict=True):
        try:
            case = Case.model_validate(item)
        except ValidationError as exc:
            raise ValueError(
                f"{loc}: not a case record: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}"
            ) from exc
        if not case.source_file:
            case.source_file = f"{path}#{loc}"
        yield case


def _model_identity(model: Any, source: str, name: str | None, version: str | None) -> tuple[str, str]:
    """(name, version) stored with each score: options win, else the model's own metadata."""
    meta = model.metadata
    model_name = name or (meta.params or {}).get("model_name") or "imr-overturn"
    tag = meta.model_version or source
    if tag.startswith(model_name + " "):
        tag = tag[len(model_name) + 1 :]
    return model_name, version or tag


def _reliability(pairs: list[tuple[float, int]], bins: int) -> list[dict[str, float]]:
    """Mean predicted vs observed overturn rate per equal-width bin (services with a known decision)."""
    sums: dict[int, list[float]] = {}
    for p, y in pairs:
        b = min(int(p * bins), bins - 1)
        acc = sums.setdefault(b, [0.0, 0.0, 0.0])
        acc[0] += p
        acc[1] += y
        acc[2] += 1
    return [
        {"predicted": s[0] / s[2], "observed": s[1] / s[2], "count": int(s[2])}
        for _b, s in sorted(sums.items())
    ]


def risk_band(p: float, bands: tuple[list[float], list[str]]) -> str:
    """The API's risk band label of a probability (edges ascending, one more label than edges)."""
    edges, labels = bands
    return next((lab for edge, lab in zip(edges, labels, strict=False) if p < edge), labels[-1])


def score_file(
    path: Path, triage_model: Any, explainer: Any, k: int, name: str, version: str, scored_at: Any,
    bands: tuple[list[float], list[str]],
) -> tuple[list[Any], list[tuple[float, int]], int, str | None]:
    """Score rows, (probability, outcome) pairs of decided services, case count and error of one file.

    A bad case stops its file but keeps the rows of the cases before it (the batch never loses rows).
    """
    out: list[Any] = []
    labelled: list[tuple[float, int]] = []
    done: list[str] = []
    try:
        _score_cases(path, triage_model, explainer, k, name, version, scored_at, bands, out, labelled, done)
    except Exception as exc:  # noqa: BLE001 - reported per file, the rest still run
        return out, labelled, len(done), str(exc)
    return out, labelled, len(done), None


def _score_cases(
    path: Path, triage_model: Any, explainer: Any, k: int, name: str, version: str, scored_at: Any,
    bands: tuple[list[float], list[str]], out: list[Any], labelled: list[tuple[float, int]], done: list[str],
) -> None:
    from features.explanations import case_inputs
    from serving.scores_db import ScoreRow

    for case in _cases_in(path):
        if not case.services:
            raise ValueError(f"{case.letter_id}: no disputed services found")
        rows, evidence = case_inputs(case, triage_model.spec)
        explained = explainer.explain(rows, evidence, k)
        decisions = {s.item_index: s.decision for s in case.services}
        for row, ex in zip(rows.to_dict("records"), explained, strict=True):
            p = float(ex.overturn_likelihood)
            out.append(
                ScoreRow(
                    letter_id=case.letter_id,
                    item_index=int(row["item_index"]),
                    service_heading=str(ex.service or row.get("service") or ""),
                    service_family=ex.service_family or row.get("service_family"),
                    body_region=row.get("service_region") or None,
                    ur_guideline_source=row.get("ur_guideline_source") or None,
                    ur_denial_date=case.ur_denial_date,
                    priority=case.priority,
                    probability=p,
                    risk_band=risk_band(p, bands),
                    top_reasons=[r.model_dump(mode="json", exclude={"description"}) for r in ex.reasons],
                    model_name=name,
                    model_version=version,
                    scored_at=scored_at,
                    synthetic=case.synthetic,
                )
            )
            # Decisions are post-review: never features, only the reliability check.
            decision = decisions.get(int(row["item_index"]))
            if decision is not None:
                labelled.append((p, int(decision == "Overturned")))
        done.append(case.letter_id)


def score(
    inputs: list[Path] = typer.Argument(
        ..., help="Letters (.pdf/.txt), case files (.json/.jsonl) or folders."
    ),
    model: Path | None = typer.Option(None, "--model", help="TriageModel directory [params: score.model]."),
    model_uri: str | None = typer.Option(
        None, "--model-uri", help="MLflow model URI instead, e.g. models:/imr-overturn@champion."
    ),
    db: str | None = typer.Option(
        None, "--db", help="Scores DB: SQLite path or URL, or postgresql://... [env IMR_SCORES_DB_URL]."
    ),
    model_name: str | None = typer.Option(None, "--model-name", help="Name stored with the scores."),
    model_version: str | None = typer.Option(None, "--model-version", help="Version stored with the scores."),
    top_k: int | None = typer.Option(None, "--top-k", min=1, max=50, help="Reasons per service."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml to read [score:]."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    dask: str | None = typer.Option(
        None, "--dask", help="Score partitions of the inputs on Dask: a scheduler address or 'local'."
    ),
    dask_workers: int | None = typer.Option(None, help="Workers of `--dask local` [params: dask.n_workers]."),
) -> None:
    """Score and explain each disputed service and write it to the scores database."""
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from features.explanations import Explainer
    from imr_triage.commands.explain import _load_model
    from imr_triage.params import load_params, section
    from serving.scores_db import CalibrationPoint, ModelRunRow, ScoreRow, open_scores_db
    from serving.settings import ServingSettings

    cfg = ScoreParams(**section(load_params(params_file), "score"))
    k = top_k or cfg.top_k
    err = Console(stderr=True, soft_wrap=True)
    files, failures = _expand(inputs)
    for src, reason in failures:
        err.print(f"[red]error[/red] {src}: {reason}")
    if not files:
        raise typer.Exit(code=1)

    triage_model, source = _load_model(model, model_uri, cfg.model)
    name, version = _model_identity(triage_model, source, model_name, model_version)
    explainer = Explainer(triage_model, top_k=k)
    settings = ServingSettings()  # the API's risk bands, so CLI and API label scores alike
    edges, labels = settings.risk_band_edges, settings.risk_band_labels

    repo = open_scores_db(db)
    scored_at = datetime.now(UTC)
    pending: list[ScoreRow] = []
    labelled: list[tuple[float, int]] = []
    n_cases = n_services = 0
    failed: list[tuple[str, str]] = list(failures)
    if dask is not None:
        from imr_triage.dask_runs import score_on_dask

        n_cases, n_services, labelled, dask_failed = score_on_dask(
            files, triage_model, k, name, version, scored_at, repo, cfg.batch_size, dask, dask_workers,
            params_file,
        )
        failed += dask_failed
        for src, reason in dask_failed:
            err.print(f"[red]error[/red] {src}: {reason}")
    with Progress(TextColumn("score"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, disable=not progress or dask is not None, transient=True) as bar:  # fmt: skip
        task = bar.add_task("files", total=len(files))
        for path in files if dask is None else []:
            rows, file_labelled, file_cases, error = score_file(
                path, triage_model, explainer, k, name, version, scored_at, (edges, labels)
            )
            pending += rows
            labelled += file_labelled
            n_cases += file_cases
            n_services += len(rows)
            if error is not None:
                failed.append((str(path), error))
                err.print(f"[red]error[/red] {path}: {error}")
            if len(pending) >= cfg.batch_size:
                repo.save_scores(pending)
                pending = []
            bar.advance(task)
    repo.save_scores(pending)
    if n_services >= OPTIMIZE_AFTER:
        repo.optimize()  # fresh planner statistics keep the dashboard's queries on their indexes

    meta = triage_model.metadata
    curve = (meta.metrics or {}).get("reliability")
    metrics: dict[str, Any] = {m: v for m, v in (meta.metrics or {}).items() if isinstance(v, int | float)}
    if curve:
        points = [CalibrationPoint.model_validate(p) for p in curve]
        metrics["reliability_source"] = str((meta.metrics or {}).get("reliability_source", "training"))
    elif labelled:
        points = [CalibrationPoint.model_validate(p) for p in _reliability(labelled, cfg.calibration_bins)]
        metrics["reliability_services"] = len(labelled)
    else:
        points = []
    if points or repo.model_run(name, version) is None:
        repo.record_model_run(
            ModelRunRow(
                model_name=name,
                model_version=version,
                calibration=points,
                metrics=metrics,
                training_fingerprint=str((meta.training_data or {}).get("hash") or "") or None,
            )
        )
    repo.engine.dispose()
    err.print(
        f"scored {n_services} services in {n_cases} cases with {name} {version} -> "
        f"{repo.engine.url.render_as_string(hide_password=True)}"
        + (f"; {len(failed)} input(s) failed" if failed else "")
    )
    if n_services == 0:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("score")(score)
