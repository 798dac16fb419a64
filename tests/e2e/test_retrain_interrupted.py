"""`imr retrain` stopped part-way, as a process: SIGTERM (a scheduler's timeout) leaves no temporary file and
no lock behind, and temporary files a SIGKILLed run left are removed by the next run. SYNTHETIC letters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from letters.ingest import parse_paths, write_records
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from tests.imr_process import CLI, run_imr
from training.run_lock import LOCK_NAME


def _world(root: Path, n_new: int) -> list[str]:
    letters = list(iter_letters(2 + n_new, GeneratorSettings(seed=7)))
    for folder, part in (("old", letters[:2]), ("new", letters[2:])):
        (root / folder).mkdir()
        for i, (_case, text) in enumerate(part):
            (root / folder / f"synthetic-{i}.txt").write_text(text, encoding="utf-8")
    write_records(parse_paths([root / "old"]), root / "records")
    return ["retrain", "--new-letters", str(root / "new"), "--corpus", str(root / "records"),
            "--features", str(root / "f.parquet"), "--out", str(root / "rep"),
            "--params", str(root / "none.yaml"), "--tracking-uri", f"sqlite:///{root / 'm.db'}",
            "--no-progress"]  # fmt: skip


def test_leftovers_of_a_killed_run_are_removed_by_the_next(tmp_path: Path) -> None:
    args = _world(tmp_path, 0)  # no new letters: the run ends 11, after writing the records
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    leftover = tmp_path / "records" / f".cases.parquet.retrain-{child.pid}.tmp"
    leftover.write_bytes(b"SYNTHETIC half-written parquet")
    res = run_imr(*args, cwd=tmp_path)
    assert res.returncode == 11, res.stderr
    assert f"removed {leftover}: a temporary file left by a killed run" in res.stderr
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == [
        "cases.parquet", "failures.csv", "services.parquet"]


def test_sigterm_stops_the_run_without_leaving_a_lock_or_a_temporary_file(tmp_path: Path) -> None:
    args = _world(tmp_path, 6)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline:  # the run has its lock once it names the champion
        line = proc.stderr.readline()
        seen += line
        if "champion" in line or not line:
            break
    assert (tmp_path / "records" / LOCK_NAME).exists(), seen
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, seen + err
    assert [p.name for p in tmp_path.rglob("*.tmp")] == [] and not (tmp_path / "records" / LOCK_NAME).exists()
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == [
        "cases.parquet", "failures.csv", "services.parquet"]
