"""Progress of long CLI work (train, retrain, drift, server start-up): a rich bar of named steps.

Quiet with `--no-progress` and whenever stderr is not a terminal (pipes, CI logs, DVC), so logs
hold only the summary lines. The bar is transient: the summary printed after it is what stays.
"""

from __future__ import annotations

import os
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

PROGRESS_HELP = "Show a progress bar (only on a terminal)."


MLFLOW_BARS_SETTING = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"


def quiet_mlflow_download_bars() -> None:
    """Turn MLflow's "Downloading artifacts" bars off unless the user set the variable: our bar (or the
    summary lines) says what is happening, and tqdm's redraws fill logs. The `imr` app applies it before
    every command (`imr register` downloads models and showed them), and `progress_wanted` again."""
    os.environ.setdefault(MLFLOW_BARS_SETTING, "false")


def progress_wanted(requested: bool, console: Console) -> bool:
    """True when the user did not turn progress off and the console is a terminal.

    MLflow's own download bars are turned off either way: our bar (or the summary lines) says it."""
    quiet_mlflow_download_bars()
    return requested and console.is_terminal


class StepProgress:
    """One bar over a known list of steps; `step(name)` finishes the previous step and starts `name`."""

    def __init__(self, title: str, steps: list[str], console: Console, enabled: bool) -> None:
        self.steps = steps
        self.title = title
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not enabled,
            transient=True,
        )
        self._task = self._bar.add_task(title, total=len(steps))
        self._started = False

    def step(self, name: str) -> None:
        """Mark the previous step done and show `name` as the one running now."""
        if self._started:
            self._bar.advance(self._task)
        self._started = True
        self._bar.update(self._task, description=f"{self.title}: {name}")

    def start(self) -> StepProgress:
        """Show the bar (what `with` does); for work whose end another component reports."""
        self._bar.start()
        return self

    def finish(self) -> None:
        """Count the running step done and take the bar off the screen."""
        if self._started:
            self._bar.advance(self._task)
            self._started = False
        self._bar.stop()

    def __enter__(self) -> StepProgress:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self._started = False  # a failed step is not counted done
        self.finish()
