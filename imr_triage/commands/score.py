"""`imr score LETTERS_OR_CASES...`: score, explain and store every disputed service in the scores DB.

Letters (.pdf/.txt) are parsed; case files (.json: one case or a list, .jsonl: one per line) are
`letters.records.Case` JSON. Each service's calibrated likelihood, risk band and top reasons go to
the scores database (SQLite `scores.db` by default, PostgreSQL by URL) that the dashboard reads.
Re-scoring with the same model replaces rows instead of duplicating them. A case met twice in one run (a
copy of a letter under another name) is stored once, counted once, and named in a warning line. A model
trained on SYNTHETIC letters alone (`ModelCard.synthetic_only`) is named as such on one line, and every
row it scored is stored with `model_synthetic_only` set. The result line says how many of the services
scored replaced scores the same model had stored before (a re-run, or a run after Ctrl-C). A file that
fails is named with its reason, as is each bad case of a case file (by line or item); the others are
still scored and stored, and the exit status is 1 when any input failed (`--allow-failures`: only when
nothing was scored). Ctrl-C stops the run after the file being scored: every file scored before it is
still stored, the result line says how many of the files that was, and the exit status is 130.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, ConfigDict, Field

from imr_triage.cli_input import TRACKING_URI_HELP

OPTIMIZE_AFTER = 1000  # services written in one run before statistics are refreshed
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports a process SIGINT stopped


class ScoreParams(BaseModel):
    """The optional `score:` section of params.yaml (CLI options override it)."""

    model_config = ConfigDict(extra="ignore")

    model: Path = Field(default=Path("models/model"), description="Local TriageModel directory.")
    top_k: int = Field(default=5, ge=1, le=50, description="Reasons stored per service.")
    batch_size: int = Field(default=500, ge=1, description="Services written per database transaction.")
    calibration_bins: int = Field(default=10, ge=2, le=50, description="Bins of the reliability curve.")


def _registry_ref(model_uri: str) -> tuple[str, str] | None:
    """(registered name, version number) of a `models:/NAME/N` or `models:/NAME@ALIAS` URI (the alias
    resolved in the current MLflow store), None for any other source."""
    if not model_uri.startswith("models:/"):
        return None
    ref = model_uri.removeprefix("models:/").rstrip("/")
    if "@" in ref:
        from mlflow import MlflowClient

        registered, alias = ref.split("@", 1)
        return registered, str(MlflowClient().get_model_version_by_alias(registered, alias).version)
    registered, _, number = ref.rpartition("/")
    return (registered, number) if registered and number.isdigit() else None


def _model_identity(model: Any, source: str, name: str | None, version: str | None) -> tuple[str, str]:
    """(name, version) stored with each score: options win; a registered model is stored under the label
    the API stores it under (`v3 (imr-overturn-...)`), so the dashboard shows one model once whichever
    scored it; else the model's own metadata (its content version)."""
    from model.version_label import version_label

    meta = model.metadata
    registry = _registry_ref(source)
    model_name = name or (registry[0] if registry else None) or (meta.params or {}).get("model_name")
    model_name = model_name or "imr-overturn"
    tag = meta.model_version or source
    if tag.startswith(model_name + " "):
        tag = tag[len(model_name) + 1 :]
    if registry is not None and meta.model_version:
        tag = version_label(registry[1], meta.model_version)
    return model_name, version or tag


def _shown(name: str, version: str) -> str:
    """The model as the result line names it: a content version already starts with the model name
    (`imr-overturn-1805be26232a`), so the name is not repeated before it."""
    return version if version.startswith(f"{name}-") else f"{name} {version}"


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


def score(
    inputs: list[Path] = typer.Argument(
        ..., help="Letters (.pdf/.txt), case files (.json/.jsonl) or folders."
    ),
    model: Path | None = typer.Option(None, "--model", help="TriageModel directory [params: score.model]."),
    model_uri: str | None = typer.Option(
        None, "--model-uri", help="MLflow model URI instead, e.g. models:/imr-overturn@champion."
    ),
    tracking_uri: str | None = typer.Option(None, "--tracking-uri", help=TRACKING_URI_HELP),
    db: str | None = typer.Option(
        None, "--db", help="Scores DB: SQLite path or URL, or postgresql://... [env IMR_SCORES_DB_URL]."
    ),
    model_name: str | None = typer.Option(None, "--model-name", help="Name stored with the scores."),
    model_version: str | None = typer.Option(None, "--model-version", help="Version stored with the scores."),
    top_k: int | None = typer.Option(None, "--top-k", min=1, max=50, help="Reasons per service."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml to read [score:]."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    allow_failures: bool = typer.Option(
        False, "--allow-failures", help="Exit 0 when some inputs failed (1 only when nothing was scored)."
    ),
    dask: str | None = typer.Option(
        None, "--dask", help="Score partitions of the inputs on Dask: a scheduler address or 'local'."
    ),
    dask_workers: int | None = typer.Option(None, help="Workers of `--dask local` [params: dask.n_workers]."),
) -> None:
    """Score and explain each disputed service and write it to the scores database."""
    from datetime import UTC, datetime

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from imr_triage.cli_input import EXIT_INPUT, fail, load_model, one_line, params_section
    from imr_triage.settings_errors import read_settings
    from letters.ingest import LETTER_SUFFIXES, skipped_note
    from serving.batch_scoring import CASE_SUFFIXES, expand_score_inputs, score_file
    from serving.scores_db import CalibrationPoint, ModelRunRow, ScoreRow, open_scores_db
    from serving.settings import ServingSettings

    cfg = params_section(ScoreParams, params_file, "score")
    k = top_k or cfg.top_k
    settings = read_settings(ServingSettings)  # the API's bands and phrases; a bad one before any work
    err = Console(stderr=True, soft_wrap=True)
    files, failures = expand_score_inputs(inputs)
    for src, reason in failures:
        err.print(f"error: {src}: {reason}", markup=False, highlight=False)
    for line in skipped_note(inputs, (*LETTER_SUFFIXES, *CASE_SUFFIXES)):
        err.print(line, markup=False, highlight=False)
    if not files:  # no path named an input: nothing to start on (exit 2, as `imr parse` and `imr explain`)
        raise typer.Exit(code=EXIT_INPUT)

    triage_model, source = load_model(model, model_uri, cfg.model, tracking_uri)
    name, version = _model_identity(triage_model, source, model_name, model_version)
    predictor = settings.predictor(triage_model, top_k=k)

    try:  # before any letter is scored: a DB that cannot be opened is one line, not a traceback
        repo = open_scores_db(db)
    except Exception as exc:  # noqa: BLE001 - no permission, a read-only folder, a server that refuses
        fail(f"{db or 'the scores DB'}: cannot open the scores database ({one_line(exc)})")
    scored_at = datetime.now(UTC)
    pending: list[ScoreRow] = []
    labelled: list[tuple[float, int]] = []
    n_cases = n_services = 0
    # what the database holds after the run (a case scored from two files, e.g. a copy under another name,
    # is one case): the counts printed are of these, so they match the rows stored
    scored_from: dict[str, str] = {}
    stored_keys: set[tuple[str, int]] = set()
    failed: list[tuple[str, str]] = list(failures)
    done, interrupted = 0, False  # files scored, and whether Ctrl-C stopped the run
    saved: set[tuple[str, int]] = set()  # services this run wrote
    replaced: set[tuple[str, int]] = set()  # ... that this model had stored before the run (a re-run)

    def save(rows: list[ScoreRow]) -> None:
        keys = {(r.letter_id, r.item_index) for r in rows}
        replaced.update((repo.stored_keys(name, version, [k[0] for k in keys]) & keys) - saved)
        repo.save_scores(rows)
        saved.update(keys)

    if dask is not None:
        from imr_triage.dask_runs import score_on_dask

        n_cases, n_services, labelled, dask_failed = score_on_dask(
            files, triage_model, k, name, version, scored_at, repo, cfg.batch_size, dask, dask_workers,
            params_file, warn=lambda line: err.print(line, markup=False, highlight=False),
        )
        failed += dask_failed
        for src, reason in dask_failed:
            err.print(f"error: {src}: {reason}", markup=False, highlight=False)
    with Progress(TextColumn("score"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, disable=not progress or dask is not None, transient=True) as bar:  # fmt: skip
        task = bar.add_task("files", total=len(files))
        try:  # Ctrl-C: the files scored so far are still stored (below), and the output says so
            for path in files if dask is None else []:
                got = score_file(path, predictor, triage_model.input_spec, name, version, scored_at)
                pending += got.rows
                done += 1  # its rows are stored, whatever stops the run from here on
                labelled += got.labelled
                for letter_id in dict.fromkeys(r.letter_id for r in got.rows):
                    if letter_id in scored_from:  # stored once: its rows are keyed by case, not by file
                        first = scored_from[letter_id]
                        err.print(f"warning: {path}: case {letter_id} was already scored from {first} in "
                                  "this run; stored once (these scores replace those)",
                                  markup=False, highlight=False)
                    scored_from.setdefault(letter_id, str(path))
                stored_keys.update((r.letter_id, r.item_index) for r in got.rows)
                n_cases, n_services = len(scored_from), len(stored_keys)
                for note in got.warnings:  # scored, but read with a gap
                    err.print(f"warning: {path}: {note}", markup=False, highlight=False)
                for error in got.errors:  # the file, or each bad case of a case file
                    why = error.removeprefix(f"{path}: ")  # parse errors already name the file
                    failed.append((str(path), why))
                    err.print(f"error: {path}: {why}", markup=False, highlight=False)
                if len(pending) >= cfg.batch_size:
                    save(pending)
                    pending = []
                bar.advance(task)
        except KeyboardInterrupt:
            interrupted = True
            # counted from the rows themselves: Ctrl-C may land between a file's rows and its counts
            stored_keys.update((r.letter_id, r.item_index) for r in pending)
            n_cases, n_services = len({key[0] for key in stored_keys}), len(stored_keys)
    save(pending)
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
    notice = triage_model.metadata.card().synthetic_notice(_shown(name, version))
    if notice:  # a model that never saw a real letter: said on one line, and stored on every row
        err.print(notice, style="bold yellow", markup=False, highlight=False)
    err.print(
        (f"interrupted after {done} of {len(files)} files: stored " if interrupted else "scored ")
        + f"{n_services} services in {n_cases} cases with {_shown(name, version)} -> "
        f"{repo.engine.url.render_as_string(hide_password=True)}"
        + (f" ({len(replaced)} of them replaced scores this model had stored before)" if replaced else "")
        + (f"; {len(failed)} input(s) failed" if failed else "")
        + ("; run the same command again to score the rest (services already stored are scored again and "
           "replaced, never duplicated)" if interrupted else ""),
        markup=False, highlight=False,  # a model name or database path with "[...]" is not markup
    )
    if interrupted:
        raise typer.Exit(code=EXIT_INTERRUPTED)
    if n_services == 0 or (failed and not allow_failures):
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("score")(score)
