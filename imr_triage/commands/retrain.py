"""`imr retrain --new-letters DIR`: add new letters, train a challenger, promote it only on evidence.

Exit status (for schedulers): 0 promoted (the champion alias moved), 10 champion kept, 11 no new
letters (nothing trained), 12 finished but a new letter could not be read or disagreed with labels.csv
(those were left out; the outcome is in the report), 1 failed (a report says why), 2 bad input found before
the run (one line, no report, nothing written). The corpus and feature table are written only when the run
has finished, so a failed run leaves them as they were. See docs/retraining.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from imr_triage.cli_input import fail, one_line
from imr_triage.progress import PROGRESS_HELP, StepProgress, progress_wanted

HELP = """Ingest new letters into the corpus, rebuild features, train a challenger and promote it if it
beats the champion (MLflow alias) on letters neither trained on (the newest of those the champion
never saw, new letters included) by the configured margin and a credible bootstrap gain.

The challenger is trained with the champion's recipe (params.yaml `train:` or, for a model trained
on real letters, `train_real:`); a --corpus folder without records is refused unless --new-corpus.
Decisions are checked against a labels.csv beside the new letters (or --labels), as `imr train
--letters` checks them: each mismatch is an error line, and its service is added without a decision
(never trained or tested on); the good rows are kept.

The updated corpus records and feature table are written only when the run has finished (each to a
temporary file beside it, then renamed over it): a run that fails leaves them as they were, and a
rerun picks the same new letters up.

One run per corpus: a run holds .imr-retrain.lock (its pid) in the records folder; a second run
there exits 2 naming the lock and its pid, and a lock whose process is gone is taken over (a warning).

Exit codes: 0 = challenger promoted; 10 = champion kept; 11 = no new letters (nothing trained);
12 = finished, but a new letter could not be read or a parsed decision disagrees with labels.csv
(the good letters were used; outcome in the report);
1 = failed (the report says why; corpus and feature table unchanged); 2 = bad input before the run
(an option, a --params file that cannot be read or a value in it, no --new-letters folder, no corpus
at --corpus, no file at --labels or one without its columns, an output path that cannot be written,
an MLflow store that cannot be opened or a champion that cannot be loaded), one line, no report,
nothing written. With
--no-exit-code 10 and 11 exit 0 (for DVC); 12 and 1 do not. 130/143 = stopped by Ctrl-C/SIGTERM: one
line and the report (outcome interrupted) say during which step and what was registered.
"""


class RunInterrupted(BaseException):
    """SIGTERM or Ctrl-C, raised where the run is (a BaseException, as KeyboardInterrupt is, so that no
    `except Exception` of a step takes it for a failure of that step)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Pending:
    """The signal received, kept: Python drops an exception a signal handler raises while a weakref callback
    or `__del__` runs ("Exception ignored in ..."), and the run then went on to its end as if never stopped
    (Ctrl-C did so in CI, exit 1 instead of 130); the next step's start raises it again."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def check(self) -> None:
        if self.signum is not None:
            raise RunInterrupted(self.signum)


@contextmanager
def _stopped_cleanly_on_signals() -> Iterator[_Pending]:
    """SIGTERM (a scheduler's timeout, `kill`) and Ctrl-C end the run as an exception instead of on the spot,
    so its temporary files are removed and its lock released on the way out; the default SIGTERM handler
    runs no cleanup, and Python's own Ctrl-C handler keeps no record when its KeyboardInterrupt is dropped."""
    import signal

    pending = _Pending()

    def stop(signum: int, _frame: object) -> None:
        pending.signum = signum
        raise RunInterrupted(signum)

    # Ctrl-C only where Python's own handler has it: one ignored at start (a background job) stays ignored
    wanted = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        wanted.append(signal.SIGINT)
    previous: dict[int, object] = {}
    try:
        for signum in wanted:
            previous[signum] = signal.signal(signum, stop)
    except ValueError:  # not the main thread (an embedding caller): its own handling stands
        yield pending
        return
    try:
        yield pending
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def retrain(
    new_letters: Path = typer.Option(..., "--new-letters", help="Directory of new letters (.pdf/.txt)."),
    labels: Path | None = typer.Option(
        None, "--labels", help="labels.csv to check decisions against [default: beside the new letters]."
    ),
    corpus: Path = typer.Option(
        Path("data/records"),
        "--corpus",
        help="Corpus records (`imr parse` output); must exist (or --new-corpus).",
    ),
    new_corpus: bool = typer.Option(
        False, "--new-corpus", help="Start a new corpus at --corpus when none is there (else: refused)."
    ),
    corpus_out: Path | None = typer.Option(
        None, "--corpus-out", help="Where the updated records go (default: update --corpus in place)."
    ),
    features: Path = typer.Option(
        Path("data/features.parquet"), "--features", help="Existing feature table (old rows reused)."
    ),
    features_out: Path | None = typer.Option(
        None, "--features-out", help="Updated feature table (default: overwrite --features)."
    ),
    out: Path = typer.Option(Path("reports/retrain"), "--out", "-o", help="Report directory."),
    params_file: Path = typer.Option(
        Path("params.yaml"), "--params", help="params.yaml [retrain:, register:, train:, drift:]."
    ),
    tracking_uri: str | None = typer.Option(
        None, "--tracking-uri", help="MLflow URI (default: $MLFLOW_TRACKING_URI or sqlite:///mlflow.db)."
    ),
    engine: str = typer.Option("pypdfium2", help="PDF text engine: pypdfium2|pypdf."),
    exit_code: bool = typer.Option(
        True, "--exit-code/--no-exit-code", help="Distinct exit codes per outcome (off: 0 unless failed)."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help=PROGRESS_HELP),
) -> None:
    from pydantic import ValidationError
    from rich.console import Console

    from imr_triage.cli_input import read_params, require_dir, require_writable, validation_message
    from letters.ingest import CASES_FILE
    from training.corpus_update import has_corpus
    from training.letter_labels import find_labels, read_labels
    from training.retrain import (
        STEPS,
        RetrainExit,
        RetrainInputError,
        RetrainJob,
        RetrainSettings,
        run_retrain,
    )
    from training.retrain_report import interrupted_report, write_report
    from training.run_lock import LockHeld, run_lock

    console = Console(stderr=True, soft_wrap=True)
    try:
        job = RetrainJob(
            new_letters=new_letters,
            labels=labels,
            corpus=corpus,
            corpus_out=corpus_out,
            features=features,
            features_out=features_out,
            out=out,
            tracking_uri=tracking_uri,
            engine=engine,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        fail(f"--{validation_message(exc, '')}")
    # Bad input is found here, before anything is read at length or written: one line, exit 2, no report.
    require_dir(new_letters, "new letters")
    if labels is not None and not labels.is_file():
        fail(f"{labels}: labels file not found")
    labels_path = labels or find_labels(new_letters)
    if labels_path is not None:  # one that cannot be read or lacks a column: bad input, not a failed run
        try:
            read_labels(labels_path)
        except ValueError as exc:
            fail(str(exc))
    params = read_params(params_file)  # a malformed file: one line, exit 2 (like a bad option)
    try:
        settings = RetrainSettings.from_params(params)
    except ValidationError as exc:
        fail(f"{params_file}: {validation_message(exc, '')}")
    if not has_corpus(corpus) and not new_corpus:
        fail(
            f"{corpus}: no corpus there (no {CASES_FILE}); pass --corpus DIR of the existing corpus "
            "(`imr parse` output), or --new-corpus to start one there"
        )
    require_writable(job.corpus_target, "corpus records", folder=True)
    require_writable(job.features_target, "feature table", folder=False)
    require_writable(out, "report folder", folder=True)
    if not has_corpus(corpus):
        console.print(f"new corpus: starting one at {job.corpus_target} (--new-corpus)", markup=False)
    say = lambda m: console.print(m, markup=False, highlight=False)  # noqa: E731
    report: dict[str, object]
    partial: dict = {}  # the run's report as it goes: what an interrupted run got done
    at: list[str] = []  # the steps started
    try:
        with (
            _stopped_cleanly_on_signals() as pending,
            run_lock(job.corpus_target, say),  # one run per corpus: a second one is bad input (exit 2)
            StepProgress("retrain", list(STEPS), console, progress_wanted(progress, console)) as bar,
        ):
            step = lambda name: (pending.check(), at.append(name), bar.step(name))  # noqa: E731
            try:
                result = run_retrain(job, settings, log=say, step=step, report=partial)
            except Exception:
                pending.check()  # a step that failed after a signal Python dropped: the signal is the story
                raise
            pending.check()  # a signal dropped during the last step
        report, code = result.report, result.exit_code
    except (RetrainInputError, LockHeld) as exc:  # found before anything was done
        fail(str(exc))
    except (KeyboardInterrupt, RunInterrupted) as exc:  # Ctrl-C, a scheduler's SIGTERM: cleaned up by now
        import signal

        signum = exc.signum if isinstance(exc, RunInterrupted) else int(signal.SIGINT)
        code = 128 + signum
        report = interrupted_report(partial, signal.Signals(signum).name, code, at[-1] if at else None)
        console.print(f"error: retrain {report['error']}", style="bold red", markup=False)
    except Exception as exc:  # noqa: BLE001 - any failure becomes a report and exit 1 for the scheduler
        import traceback

        why = one_line(exc)
        report = {
            "outcome": "failed",
            "exit_code": int(RetrainExit.FAILED),
            "new_letters": str(new_letters),
            "error": why,
            "traceback": traceback.format_exc(limit=8),
        }
        code = int(RetrainExit.FAILED)
        console.print(f"error: retrain failed: {why}", style="bold red", markup=False)
    js, md = write_report(report, out)
    console.print(f"outcome: {report['outcome']} (exit {code}); wrote {js}, {md}", markup=False)
    if code and (exit_code or code not in (RetrainExit.KEPT, RetrainExit.NO_NEW_LETTERS)):
        raise typer.Exit(code)  # --no-exit-code hides 10 and 11 only: never a failure or an interruption


retrain.__doc__ = HELP


def register(app: typer.Typer) -> None:
    # `imr --help` lists the first paragraph of a command's help as it is, line breaks included
    app.command("retrain", short_help="Ingest new letters, train a challenger with the champion's recipe and "
                "promote it only if it is credibly better on letters neither model trained on.")(retrain)
