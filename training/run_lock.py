"""One `imr retrain` at a time per corpus: a lock file holding the pid of the run that writes there.

Two runs on the same corpus would both read it, both register a challenger, and the later commit would
drop the letters of the earlier one. The lock is created with O_CREAT|O_EXCL (atomic on a local file
system); a lock whose process is gone (a run killed with SIGKILL, a crashed host) is taken over with a
warning, so a killed run never blocks the next one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".imr-retrain.lock"


class LockHeld(Exception):
    """Another live process holds the lock (the message names the lock file and its pid)."""


def _holder(path: Path) -> int | None:
    """The pid written in the lock, or None when it holds none (empty or damaged)."""
    try:
        return int(path.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _create(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    return True


@contextmanager
def run_lock(folder: Path, warn: Callable[[str], None]) -> Iterator[Path]:
    """Hold `folder/.imr-retrain.lock` for the block (the folder is made if need be); `LockHeld` when a live
    process holds it. A stale lock (its pid is gone, or it names none) is taken over after `warn`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    while not _create(path):
        pid = _holder(path)
        if pid is not None and pid_alive(pid):
            raise LockHeld(
                f"{path}: another imr retrain (pid {pid}) is running on this corpus; wait for it, or remove "
                "the lock if that process is not imr retrain"
            )
        why = f"its process {pid} is gone" if pid is not None else "it names no process"
        warn(f"warning: {path}: stale lock taken over ({why}; an earlier run was killed)")
        path.unlink(missing_ok=True)
    try:
        yield path
    finally:
        if _holder(path) == os.getpid():
            path.unlink(missing_ok=True)
