"""One `imr retrain` at a time per corpus: an exclusive `flock` on a lock file that names the run's pid.

Two runs on the same corpus would both read it, both register a challenger, and the later commit would
drop the letters of the earlier one. The kernel holds the lock for the run's open file and drops it when
the process ends, however it ends, so a run killed with SIGKILL never blocks the next one and two runs can
never both take over a stale lock (a pid check and a delete could not be one atomic step).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

LOCK_NAME = ".imr-retrain.lock"


class LockHeld(Exception):
    """Another process holds the lock (the message names the lock file and its pid)."""


def _pid_in(fh: TextIO) -> int | None:
    """The pid written in the open lock file, or None when it holds none (new, empty or damaged)."""
    fh.seek(0)
    try:
        return int(fh.read().split()[0])
    except (ValueError, IndexError):
        return None


@contextmanager
def run_lock(folder: Path, warn: Callable[[str], None]) -> Iterator[Path]:
    """Hold `folder/.imr-retrain.lock` for the block (the folder is made if need be); `LockHeld` when another
    process holds it. A lock file left by a run that was killed (the kernel dropped its lock; the file still
    names its pid) is taken over after `warn`; the file is removed when the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    while True:
        fh = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _pid_in(fh)
            fh.close()
            holder = f"pid {pid}" if pid is not None else "its pid not written yet"
            raise LockHeld(f"{path}: another imr retrain ({holder}) is running on this corpus; wait for it"
                           ) from None
        try:
            same_file = os.fstat(fh.fileno()).st_ino == path.stat().st_ino
        except FileNotFoundError:
            same_file = False
        if same_file:
            break
        fh.close()  # the holder removed the file between our open and our lock: lock the new one
    try:
        pid = _pid_in(fh)
        if pid is not None and pid != os.getpid():
            warn(f"warning: {path}: lock file of a killed run taken over (it named pid {pid})")
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield path
    finally:
        path.unlink(missing_ok=True)  # still held: a run that opened it meanwhile retries on the new file
        fh.close()
