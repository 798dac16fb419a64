"""Child processes of `imr serve` (uvicorn workers, model probes) exit when their parent dies.

uvicorn's supervisor stops its workers on SIGTERM, but after a SIGKILL (or an OOM kill) it cannot,
and orphaned workers would go on holding the port and the model. Linux delivers a signal to a child
whose parent dies when asked (`PR_SET_PDEATHSIG`); a thread that watches the parent id covers the
case where that signal cannot be asked for, and a parent that died before the request was made.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger("serving.parent_watch")

PR_SET_PDEATHSIG = 1
CHECK_INTERVAL_S = 1.0
GRACE_S = 10.0  # after SIGTERM, how long a graceful shutdown may take before the process exits


def _ask_kernel(sig: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def exit_with_parent(parent_pid: int, sig: int = signal.SIGTERM, *, kernel: bool = True) -> None:
    """Make this process get `sig` when `parent_pid` (its parent now) dies; if it is still alive
    `GRACE_S` later, it exits. Call once, early, in the child. `kernel=False` for a child started
    from a thread that may end before the parent: the kernel's signal follows the starting thread."""
    if kernel:
        _ask_kernel(sig)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(CHECK_INTERVAL_S)
        log.warning("parent process %d is gone; shutting down", parent_pid)
        os.kill(os.getpid(), sig)
        time.sleep(GRACE_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
