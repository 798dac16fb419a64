"""One `imr retrain` per corpus: an exclusive flock on a lock file with the pid of the run (the audit found
none, so two runs on one corpus could both commit and the later one drop the earlier one's letters). The
kernel drops the lock with its process, so a killed run's file is taken over. SYNTHETIC letters."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from letter_texts import dwc_letter
from typer.testing import CliRunner

from imr_triage.cli import app
from letters.ingest import parse_paths, write_records
from training.run_lock import LOCK_NAME, LockHeld, run_lock


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@contextmanager
def _held(lock: Path, pid: int) -> Iterator[None]:
    """The lock held as another run holds it: its own open file, flocked, naming `pid` (flock locks belong to
    the open file, so this process's own `run_lock` conflicts with it)."""
    with lock.open("a+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fh.write(f"{pid}\n")
        fh.flush()
        yield


def test_a_held_lock_is_refused_naming_the_lock_and_its_pid(tmp_path: Path) -> None:
    with _held(tmp_path / LOCK_NAME, 4242):
        with pytest.raises(LockHeld, match=rf"{LOCK_NAME}: another imr retrain \(pid 4242\) is running"):
            with run_lock(tmp_path, print):
                pass
        assert (tmp_path / LOCK_NAME).read_text(encoding="utf-8") == "4242\n"  # left to its holder
    with run_lock(tmp_path, print) as lock:  # released with its holder's file: free again
        assert lock.read_text(encoding="utf-8") == f"{os.getpid()}\n"


@pytest.mark.parametrize("content", ["dead", ""])
def test_a_stale_lock_is_taken_over_with_a_warning_and_released(tmp_path: Path, content: str) -> None:
    dead = _dead_pid()
    (tmp_path / LOCK_NAME).write_text(f"{dead}\n" if content else "", encoding="utf-8")
    said: list[str] = []
    with run_lock(tmp_path, said.append) as lock:
        assert lock.read_text(encoding="utf-8") == f"{os.getpid()}\n"
    lock = tmp_path / LOCK_NAME
    expected = [f"warning: {lock}: lock file of a killed run taken over (it named pid {dead})"]
    assert said == (expected if content else [])  # an empty file: killed before it wrote its pid
    assert not (tmp_path / LOCK_NAME).exists()


def test_retrain_while_another_run_holds_the_corpus_is_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "a.txt").write_text(dwc_letter(), encoding="utf-8")
    write_records(parse_paths([tmp_path / "old"]), tmp_path / "records")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "b.txt").write_text(dwc_letter().replace("CM16-0000001", "CM16-0000002"), "utf-8")
    lock = tmp_path / "records" / LOCK_NAME
    with _held(lock, 4242):
        res = CliRunner().invoke(app, [
            "retrain", "--new-letters", str(tmp_path / "new"), "--corpus", str(tmp_path / "records"),
            "--features", str(tmp_path / "f.parquet"), "--out", str(tmp_path / "rep"),
            "--params", str(tmp_path / "none.yaml"), "--tracking-uri", f"sqlite:///{tmp_path / 'm.db'}",
            "--no-progress"])  # fmt: skip
        assert lock.exists()  # the holder's file is not removed by the refused run
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error: ")]
    assert res.exit_code == 2 and errors == [
        f"error: {lock}: another imr retrain (pid 4242) is running on this corpus; wait for it"
    ], res.output
    assert not (tmp_path / "rep").exists() and not (tmp_path / "m.db").exists()
