"""`imr explain` end to end: a subprocess on synthetic letters (and the seed letter when present)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SEED_LETTER_DIR
from tests.synthetic_explain_model import N_LETTERS, synthetic_model_dir
from tests.synthetic_letter_files import write_synthetic_letters

pytestmark = pytest.mark.slow


def _imr_process(*args: str) -> subprocess.CompletedProcess[str]:
    """`imr ARGS` as its own process (the program a shell runs)."""
    code = "from imr_triage.cli import app; app()"
    env = {**os.environ, "COLUMNS": "220"}  # a wide table, so phrases are not wrapped mid-word
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=300, env=env)


def _imr(*args: str) -> subprocess.CompletedProcess[str]:
    """`imr ARGS` run by the same CLI in this process (stdout and stderr kept apart, same width): one
    process start per module instead of one per command."""
    from typer.testing import CliRunner

    from imr_triage.cli import app

    res = CliRunner(env={"COLUMNS": "220"}).invoke(app, list(args))
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception  # a crash, not an exit code: show its traceback
    return subprocess.CompletedProcess(["imr", *args], res.exit_code, res.stdout, res.stderr)


@pytest.fixture(scope="module")
def letters(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("synthetic-letters")
    return write_synthetic_letters(folder, 3, seed=5, name="synthetic-{i}.txt")


def test_explain_json_and_table_and_bad_files_named(letters, tmp_path):
    model = synthetic_model_dir()
    bad = tmp_path / "not-a-letter.txt"
    bad.write_text("this is not an IMR letter\n", encoding="utf-8")
    r = _imr("explain", *map(str, letters), str(bad), "--model", str(model), "--top-k", "3", "--json")
    assert r.returncode == 1, r.stderr  # a letter failed ...
    assert f"error: {bad}: not an IMR" in r.stderr  # ... named on one line, and the good ones still come out
    data = json.loads(r.stdout)
    assert len(data) == 3
    for letter in data:
        assert letter["model_version"] == "synthetic-test-model" and letter["services"]
        for s in letter["services"]:
            assert 0.0 <= s["overturn_likelihood"] <= 1.0
            assert 1 <= len(s["reasons"]) <= 3
            for reason in s["reasons"]:
                assert reason["direction"] in ("raises", "lowers")
                assert (reason["citation"] is None) == reason["no_guideline"]

    table = _imr_process("explain", str(letters[0]), "--model", str(model))
    assert table.returncode == 0, table.stderr
    assert "Overturn" in table.stdout and "log-odds" in table.stdout

    only_bad = _imr("explain", str(bad), "--model", str(model))
    assert only_bad.returncode == 1 and "not-a-letter.txt" in only_bad.stderr
    missing = _imr("explain", str(letters[0]), "--model", str(tmp_path / "no-model"))
    assert missing.returncode != 0 and "no-model" in (missing.stderr + missing.stdout)


@pytest.mark.real
def test_explain_seed_letter_table_names_soma(seed_letter_dir):
    (path,) = sorted(SEED_LETTER_DIR.glob("*.txt"))
    r = _imr("explain", str(path), "--model", str(synthetic_model_dir()), "--top-k", "100")
    assert r.returncode == 0, r.stderr
    assert "Soma 350mg" in r.stdout and "Carisoprodol (Soma)" in r.stdout  # the governing section
    assert f"trained on 0 real and {N_LETTERS:,} SYNTHETIC letters" in " ".join(r.stdout.split())
