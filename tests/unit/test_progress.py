"""Progress bars of long CLI work: shown on a terminal, silent elsewhere; server start-up reports steps."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from model_sources import NoModel
from rich.console import Console

from imr_triage.progress import StepProgress, progress_wanted
from serving.app import create_app
from serving.settings import ServingSettings


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=100), out


def test_a_terminal_sees_each_step_and_a_pipe_sees_nothing() -> None:
    console, out = _console(True)
    assert progress_wanted(True, console) and not progress_wanted(False, console)
    with StepProgress("train", ["reading", "fitting"], console, True) as bar:
        bar.step("reading")
        bar.step("fitting")
        console.file.flush()
    assert "train: fitting" in out.getvalue()

    piped, quiet = _console(False)
    assert not progress_wanted(True, piped)
    with StepProgress("train", ["reading"], piped, progress_wanted(True, piped)) as bar:
        bar.step("reading")
    assert quiet.getvalue() == ""


def test_finish_is_safe_twice_and_counts_the_running_step() -> None:
    console, _ = _console(True)
    bar = StepProgress("imr serve", ["a", "b"], console, True).start()
    bar.step("a")
    bar.step("b")
    bar.finish()
    bar.finish()
    task = bar._bar.tasks[0]
    assert task.completed == 2 and task.total == 2


def test_server_start_up_reports_the_model_load_then_ready() -> None:
    """`imr serve` draws its start-up bar from these steps; "ready" comes even when no model loads."""
    steps: list[str] = []
    settings = ServingSettings(_env_file=None, poll_interval_s=0)
    app = create_app(settings, source=NoModel(), startup_step=steps.append)
    assert steps == []  # nothing runs at build time
    with TestClient(app) as client:
        assert steps == ["loading the model", "ready"]
        assert client.get("/readyz").status_code == 503


def test_evaluate_real_bar_lists_every_phase_evaluate_served_reports() -> None:
    """The bar's steps and the phases `evaluate_served` announces are one list: a renamed phase fails."""
    import inspect
    import re

    from imr_triage.commands.evaluate_real import PHASES
    from training.real_letters import evaluate_served

    announced = re.findall(r'say\("([^"]+)"\)', inspect.getsource(evaluate_served))
    assert announced and announced == PHASES[: len(announced)]
