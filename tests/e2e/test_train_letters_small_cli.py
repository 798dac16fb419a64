"""`imr train --letters` on a small folder (12 SYNTHETIC letters in the real format) with a labels.csv that
covers more letters than the folder, as a process: stderr holds no library warning and no error line per
label without a letter, just one summary line (the audit saw 117 error lines and sklearn UserWarnings)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from letters.ingest import parse_file
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings
from tests.conftest import REPO_ROOT
from tests.imr_process import run_imr


def test_a_small_folder_with_a_wider_labels_file_trains_quietly(tmp_path: Path) -> None:
    folder = tmp_path / "pdf"
    folder.mkdir()
    rows = []
    for i, (_case, text) in enumerate(iter_letters(40, GeneratorSettings(seed=31))):
        path = tmp_path / f"synthetic-{i:04d}.txt"
        path.write_text(text, encoding="utf-8")
        case = parse_file(path)
        rows += [{"case_number": case.case_number, "item_index": s.item_index, "decision": s.decision}
                 for s in case.services]  # fmt: skip
        if i < 12:
            path.rename(folder / path.name)
    pd.DataFrame(rows).to_csv(tmp_path / "labels.csv", index=False)
    here = {parse_file(f).case_number for f in folder.iterdir()}
    n_other = sum(1 for r in rows if r["case_number"] not in here)
    res = run_imr("train", "--letters", str(folder), "--out", str(tmp_path / "m"),
                  "--params", str(REPO_ROOT / "params.yaml"), cwd=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "Warning" not in res.stderr and "error:" not in res.stderr, res.stderr
    assert f"; {n_other} labels have no letter in {folder}; ignored" in res.stdout
