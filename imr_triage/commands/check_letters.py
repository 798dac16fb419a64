"""`imr check-letters LETTERS... --model DIR`: measure a model and the extraction on NEW labelled letters.

One step for "we will measure the same on real letters that are not in the repo": parses the letters (a
bad file is listed, the rest go on), scores and explains every service through `imr explain`'s path, and
writes OUT.md + OUT.json: inputs, the model against unfitted baselines, the guideline checklist, the
extraction (with --annotations) and writer-style invariance, each rate with a letter-level bootstrap
interval. Exit 0: all letters parsed and labels agree; 1: some letter failed or a label disagreed (the
report still covers the rest); 2: bad input (no model, a bad annotations file, no services parsed).
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import typer

from imr_triage.progress import PROGRESS_HELP, StepProgress, progress_wanted


def check_letters(
    letters: list[Path] = typer.Argument(..., help="Letter files (.pdf or .txt) or folders of them."),
    model: Path = typer.Option(..., "--model", help="TriageModel directory to measure."),
    labels: Path | None = typer.Option(
        None, "--labels", help="labels.csv to check parsed decisions against [default: beside the letters]."
    ),
    annotations: Path | None = typer.Option(
        None, "--annotations", help="Hand annotations (the format of tests/real/annotations.csv): grades "
        "the extraction.",
    ),  # fmt: skip
    out: Path = typer.Option(Path("reports/letter-check"), "--out", "-o", help="Report prefix (.md, .json)."),
    n_bootstrap: int = typer.Option(1000, "--n-bootstrap", min=0, help="Letter resamples (0: no intervals)."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help=PROGRESS_HELP),
) -> None:
    """Measure a model and the extraction on a batch of new labelled letters."""
    from rich.console import Console

    from imr_triage.cli_input import fail, require_writable
    from model.artifact import TriageModel
    from model.predictor import Predictor
    from training.letter_check import LetterCheckError
    from training.letter_check import check_letters as run_check
    from training.letter_check_report import write_report

    if not model.is_dir():
        fail(f"{model}: no model directory there (train one with `imr train`, or pass --model DIR)")
    if labels is not None and not labels.is_file():
        fail(f"{labels}: labels file not found")
    if annotations is not None and not annotations.is_file():
        fail(f"{annotations}: annotations file not found")
    require_writable(out.with_name(out.name + ".md"), "the report", folder=False)  # before the letters
    try:
        predictor = Predictor(TriageModel.load(model))
    except (OSError, ValueError) as exc:
        fail(str(exc).splitlines()[0])
    err = Console(stderr=True, soft_wrap=True)
    from letters.ingest import expand_inputs

    files, missing = expand_inputs(letters)
    if not files:  # nothing to check: bad input (exit 2), said per path, not counted as failed letters
        for m in missing:
            err.print(f"error: {m.source_file}: {m.reason}", markup=False, highlight=False)
        raise typer.Exit(code=2)
    bar = StepProgress("check-letters", [p.name for p in files], err, progress_wanted(progress, err))
    try:
        with bar:
            report = run_check(letters, predictor, labels_file=labels, annotations_file=annotations,
                               n_bootstrap=n_bootstrap, seed=seed, on_letter=bar.step)
    except LetterCheckError as exc:
        for f in exc.failures:  # every failed file on its own line, then what that means for the run
            err.print(f"error: {f['file']}: {f['reason']}", markup=False, highlight=False)
        fail(str(exc))
    for f in report.inputs["parse_failures"]:
        err.print(f"error: {f['file']}: {f['reason']}", markup=False, highlight=False)
    for line in report.inputs["labels"]["errors"]:
        err.print(f"error: {line}", markup=False, highlight=False)
    command = "imr " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else None
    paths = write_report(report, out, command)
    typer.echo(paths["markdown"].read_text(encoding="utf-8"))
    typer.echo(f"wrote {paths['markdown']} and {paths['json']}")
    if report.failed:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("check-letters")(check_letters)
