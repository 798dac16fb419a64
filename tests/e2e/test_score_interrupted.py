"""`imr score` stopped with Ctrl-C (SIGINT) part-way, as a process: the services of the files scored before
it are stored (not only the batches already written), the result line says it was interrupted and what
was stored, the exit status is 130, and the same command run again stores every service once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from letters.parser import parse_text
from serving.scores_db import open_scores_db
from tests.imr_process import CLI
from tests.synthetic_explain_model import synthetic_model_dir
from tests.synthetic_letter_files import write_synthetic_letters

pytestmark = pytest.mark.slow


def _keys(db: str) -> list[tuple[str, int]]:
    repo = open_scores_db(db)
    with repo.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT letter_id, item_index FROM scored_services").fetchall()
    repo.engine.dispose()
    return [(str(r[0]), int(r[1])) for r in rows]


def test_ctrl_c_keeps_what_was_scored_and_says_so(tmp_path: Path) -> None:
    letters = write_synthetic_letters(tmp_path / "letters", 40, seed=43, name="synthetic-{i:03d}.txt")
    # read in name order: the empty file comes after the first 10 letters, and its error line says so
    (tmp_path / "letters" / "synthetic-010-empty.txt").write_text("")
    # one batch for the whole run: before the fix, nothing was written before the end
    (tmp_path / "params.yaml").write_text("score:\n  batch_size: 100000\n")
    db = f"sqlite:///{tmp_path / 'scores.db'}"
    args = ["score", str(tmp_path / "letters"), "--model", str(synthetic_model_dir()), "--db", db,
            "--params", str(tmp_path / "params.yaml"), "--no-progress"]  # fmt: skip
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "COLUMNS": "400"}
    # Ctrl-C as a terminal sends it: a test run started in the background (nohup, `&`) hands its children
    # SIGINT ignored, and the scorer then never saw it (it scored every letter: seen in this session's CI)
    proc = subprocess.Popen([sys.executable, "-c", CLI, *args], cwd=tmp_path, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    assert proc.stderr is not None
    seen, deadline = "", time.monotonic() + 300
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if "synthetic-010-empty.txt: empty file" in line or not line:
            break
    assert "empty file" in seen, seen
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=120) == 130, seen + rest

    stored = _keys(db)
    assert len(stored) == len(set(stored))
    first_ten = {(c.letter_id, s.item_index) for p in letters[:10]
                 for c in [parse_text(p.read_text(), p.name)] for s in c.services}  # fmt: skip
    assert first_ten <= set(stored), "services of letters scored before Ctrl-C were lost"
    (result,) = [ln for ln in rest.splitlines() if ln.startswith("interrupted after ")]
    n_cases = len({k[0] for k in stored})
    assert f"of 41 files: stored {len(stored)} services in {n_cases} cases with " in result, result
    assert "run the same command again to score the rest" in result

    again = subprocess.run([sys.executable, "-c", CLI, *args], cwd=tmp_path, env=env, text=True,
                           capture_output=True, timeout=600, check=False)  # fmt: skip
    assert again.returncode == 1, again.stderr  # the empty file still fails; every letter is stored
    final = _keys(db)
    expected = {(c.letter_id, s.item_index) for p in letters
                for c in [parse_text(p.read_text(), p.name)] for s in c.services}  # fmt: skip
    assert len(final) == len(set(final)) and set(final) == expected
    (line,) = [ln for ln in again.stderr.splitlines() if ln.startswith("scored ")]
    assert f"({len(stored)} of them replaced scores this model had stored before)" in line, line
