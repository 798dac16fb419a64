"""`imr retrain` stopped part-way, as a process: SIGTERM (a scheduler's timeout) leaves no temporary file and
no lock behind, and temporary files a SIGKILLed run left are removed by the next run. SYNTHETIC letters."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_run_without_leaving_a_lock_or_a_temporary_file_and_says_so(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """SIGTERM (a scheduler's timeout) and SIGINT (Ctrl-C) end the run through its cleanup. Ctrl-C used to
    exit 130 with no line at all, and either left the previous run's retrain.json in --out, still telling
    its outcome: now one line says how far the run got, and the report says `interrupted`."""
    args = _world(tmp_path, 6)
    (tmp_path / "rep").mkdir()
    (tmp_path / "rep" / "retrain.json").write_text('{"outcome": "promoted"}', encoding="utf-8")  # last run's
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline:  # the run has its lock once it names the champion
        line = proc.stderr.readline()
        seen += line
        if "champion" in line or not line:
            break
    assert (tmp_path / "records" / LOCK_NAME).exists(), seen
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + sig, seen + err
    assert [p.name for p in tmp_path.rglob("*.tmp")] == [] and not (tmp_path / "records" / LOCK_NAME).exists()
    assert sorted(p.name for p in (tmp_path / "records").iterdir()) == [
        "cases.parquet", "failures.csv", "services.parquet"]
    said = [line for line in err.splitlines() if line.startswith("error: retrain interrupted")]
    assert len(said) == 1 and f"interrupted by {sig.name} during the " in said[0], seen + err
    assert "the corpus and feature table were left as they were" in said[0], said
    report = json.loads((tmp_path / "rep" / "retrain.json").read_text(encoding="utf-8"))
    assert report["outcome"] == "interrupted" and report["exit_code"] == 128 + sig, report
    assert report["error"] in said[0] and report["new_letters"] == str(tmp_path / "new"), report
