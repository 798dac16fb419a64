"""Temporary files of `imr retrain`'s commit: a run killed with SIGKILL runs no cleanup and leaves
`.cases.parquet.retrain-PID.tmp` beside the corpus; the next run's names differ (its own pid), so before
this nothing ever removed them. Now the next run removes those of a process that is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from training.corpus_update import corpus_targets, remove_stale_staging


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_a_killed_run_go_those_of_a_live_run_stay(tmp_path: Path) -> None:
    corpus, features = tmp_path / "records", tmp_path / "data" / "features.parquet"
    corpus.mkdir()
    features.parent.mkdir()
    dead, live = _dead_pid(), os.getppid()  # the parent of this test process is running
    killed = [corpus / f".cases.parquet.retrain-{dead}.tmp", corpus / f".failures.csv.retrain-{dead}.tmp",
              features.parent / f".features.parquet.retrain-{dead}.tmp"]  # fmt: skip
    running = corpus / f".services.parquet.retrain-{live}.tmp"
    other = corpus / ".cases.parquet.keep"
    for path in [*killed, running, other]:
        path.write_bytes(b"SYNTHETIC partial write")
    removed = remove_stale_staging(corpus_targets(corpus, features))
    assert sorted(removed) == sorted(killed)
    assert not any(p.exists() for p in killed) and running.exists() and other.exists()
