"""The text-signal experiment's helpers (training/text_cv.py) on SYNTHETIC inputs; the run itself needs the
real letters (`python -m training.text_cv`)."""

from __future__ import annotations

import numpy as np
import pytest

from model.text_signal import ServiceText, TextSignal
from training.text_cv import (
    DEFAULT_CONCEPTS,
    concept_of,
    load_concepts,
    main,
    read_split,
    rewrite_shift,
    within_writer_auc,
)


def test_concepts_map_a_term_to_its_first_concept_ignoring_the_section_prefix():
    concepts = load_concepts(DEFAULT_CONCEPTS)
    assert concept_of("degrees", concepts)["name"] == "objective examination findings"
    assert concept_of("service: lumbar", concepts)["name"] == "spine complaints"
    assert concept_of("zebra", concepts) is None
    assert all({"name", "words", "target"} <= set(c) for c in concepts)


def test_within_writer_auc_holds_the_writer_fixed():
    y = np.array([1, 1, 0, 0, 1, 1, 0, 0])
    writers = np.array(["a"] * 4 + ["b"] * 4)
    by_writer = np.array([0.9, 0.9, 0.8, 0.8, 0.1, 0.1, 0.0, 0.0])  # perfect inside each writer, not pooled
    assert within_writer_auc(y, by_writer, writers) == 1.0
    assert within_writer_auc(y, np.zeros(8), writers) == 0.5
    assert np.isnan(within_writer_auc(y[:3], by_writer[:3], writers[:3]))  # too few to rank


def test_rewrite_shift_is_zero_for_the_text_signal_and_not_for_a_raw_model():
    texts = [ServiceText(f"The {p} had an acute fracture and {w}.") for p in ("injured worker", "patient")
             for w in ("swelling", "chronic pain", "bruising", "long-term opioids")] * 3  # fmt: skip
    y = np.array([1, 0, 1, 0] * 6)
    assert rewrite_shift(TextSignal(min_df=1).fit(texts, y), texts).max() == 0.0
    raw = TextSignal(min_df=1, normalise_style=False, adjust_writer=False).fit(texts, 1 - np.arange(24) % 2)
    assert rewrite_shift(raw, texts).max() > 0.0


def test_split_file_comments_are_skipped(tmp_path):
    path = tmp_path / "split.csv"
    path.write_text("# a comment, with a comma\ncase_number,split,reason\nCM1,tune,hash\nCM2,validation,h\n")
    assert read_split(path) == {"CM1": "tune", "CM2": "validation"}


def test_a_missing_letters_folder_is_a_one_line_error(tmp_path, capsys):
    assert main(["--letters", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nowhere/pdf: no such folder of letters" in err
    assert not (tmp_path / "out.md").exists()


@pytest.mark.parametrize("bad", ["repeats: 0", "nonsense: 1"])
def test_bad_settings_are_refused(tmp_path, bad):
    (tmp_path / "pdf").mkdir()
    params = tmp_path / "params.yaml"
    params.write_text(f"text_cv:\n  {bad}\n")
    with pytest.raises(ValueError, match="text_cv|repeats|nonsense"):
        main(["--letters", str(tmp_path), "--params", str(params), "--out", str(tmp_path / "out")])
