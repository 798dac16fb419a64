"""A folder built once per test run and shared by its pytest-xdist workers: a fixture that every worker
would otherwise build for itself (a model trained on 1,500 synthetic letters: ~40 s of CPU) is built by the
first worker that asks, under an exclusive lock, while the others wait for it and then read it."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

DONE = ".built"  # written after a build has finished: a folder without it is a failed build's, built again


def shared_folder(name: str, build: Callable[[Path], None]) -> Path:
    """The folder `name` of this test run, filled by `build(folder)` exactly once across its processes.

    xdist gives every worker of one run the same PYTEST_XDIST_TESTRUNUID; without xdist (one process) there
    is nothing to share and the folder is a fresh temporary one."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        folder = Path(tempfile.mkdtemp(prefix=f"imr-{name}-"))
        build(folder)
        return folder
    root = Path(tempfile.gettempdir()) / f"imr-test-run-{run}"
    root.mkdir(exist_ok=True)
    folder = root / name
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also when a build raises
        if not (folder / DONE).is_file():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / DONE).touch()
    return folder
