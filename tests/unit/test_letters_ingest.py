"""Batch ingestion on a mix of good and bad files: nothing lost, every failure named, parquet round-trip."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from imr_triage.cli import app
from letters.ingest import expand_inputs, load_failures, load_records, parse_file, parse_paths, write_records
from letters.parser import SYNTHETIC_MARKER, parse_text
from letters.pdf_text import PdfTextError, pdf_to_text
from tests.unit.letter_texts import DEFAULT_ITEMS, Item, dwc_letter, legacy_letter, letter_pdf


@pytest.fixture()
def mixed_dir(tmp_path: Path) -> Path:
    """Three good letters (text, PDF, legacy) and six bad files, one of each kind."""
    d = tmp_path / "letters"
    d.mkdir()
    (d / "good.txt").write_text(dwc_letter(), encoding="utf-8")
    letter_pdf(dwc_letter(marker=SYNTHETIC_MARKER), d / "good_synthetic.pdf", lines_per_page=9)
    (d / "legacy.txt").write_text(legacy_letter(), encoding="utf-8")
    (d / "empty.pdf").write_bytes(b"")
    (d / "random.txt").write_bytes(random.Random(0).randbytes(2048))
    full = letter_pdf(dwc_letter(), tmp_path / "full.pdf").read_bytes()
    (d / "truncated.pdf").write_bytes(full[: len(full) // 3])
    missing_word = Item(("Acupuncture 6 sessions for the neck:",))
    (d / "no_decision_word.txt").write_text(dwc_letter((DEFAULT_ITEMS[0], missing_word)), encoding="utf-8")
    (d / "other_format.txt").write_text("Minutes of the synthetic committee meeting.\nNo letter here.\n")
    (d / "no_items.txt").write_text(dwc_letter(items=()), encoding="utf-8")
    return d


EXPECTED_REASONS = {
    "empty.pdf": "empty file",
    "random.txt": "binary data",
    "truncated.pdf": "corrupt or truncated PDF",
    "no_decision_word.txt": "item 1 ('Acupuncture 6 sessions for the neck'): decision word",
    "other_format.txt": "not an IMR Final Determination letter",
    "no_items.txt": "no disputed-item decisions found",
}


def test_batch_keeps_good_letters_and_names_each_failure(mixed_dir: Path) -> None:
    result = parse_paths([mixed_dir])
    assert sorted(Path(c.source_file).name for c in result.cases) == [
        "good.txt", "good_synthetic.pdf", "legacy.txt"]
    reasons = {Path(f.source_file).name: f.reason for f in result.failures}
    assert set(reasons) == set(EXPECTED_REASONS)
    for name, expected in EXPECTED_REASONS.items():
        assert expected in reasons[name], (name, reasons[name])
    assert result.n_services == 3 + 3 + 2
    assert result.duplicate_ids == ["CM16-0000001"]  # good.txt and the PDF share the test case number


def test_pdf_page_breaks_do_not_change_the_parse(tmp_path: Path) -> None:
    """Pages cut mid-item (a label can start a page) must parse exactly like the text."""
    text = dwc_letter()
    for per_page in (5, 7, 9, 13):
        pdf = letter_pdf(text, tmp_path / f"p{per_page}.pdf", lines_per_page=per_page)
        from_pdf = parse_file(pdf).model_dump(exclude={"source_file"})
        assert from_pdf == parse_file_text(text), per_page


def parse_file_text(text: str) -> dict:
    return parse_text(text).model_dump(exclude={"source_file"})


def test_pdf_text_errors(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"")
    (tmp_path / "b.pdf").write_bytes(b"hello, not a pdf")
    with pytest.raises(PdfTextError, match="a.pdf: empty file"):
        pdf_to_text(tmp_path / "a.pdf")
    with pytest.raises(PdfTextError, match="b.pdf: not a PDF"):
        pdf_to_text(tmp_path / "b.pdf")


def test_both_pdf_engines_give_the_same_case(tmp_path: Path) -> None:
    pdf = letter_pdf(dwc_letter(), tmp_path / "l.pdf", lines_per_page=11)
    assert parse_file(pdf, engine="pypdf") == parse_file(pdf, engine="pypdfium2")


def test_write_and_load_round_trip(mixed_dir: Path, tmp_path: Path) -> None:
    result = parse_paths([mixed_dir])
    out = tmp_path / "out"
    paths = write_records(result, out)
    assert load_records(out) == result.cases
    assert load_failures(out) == result.failures
    services = pd.read_parquet(paths["services"])
    assert len(services) == result.n_services
    assert {"letter_id", "item_index", "service", "decision", "ur_guideline_no_evidence_cited"} <= set(
        services.columns)
    cases = pd.read_parquet(paths["cases"])
    assert cases["synthetic"].sum() == 1 and cases["n_services"].sum() == result.n_services


def test_expand_inputs_dirs_globs_and_missing(mixed_dir: Path) -> None:
    files, missing = expand_inputs([mixed_dir / "good.txt", str(mixed_dir / "*.pdf"), mixed_dir / "nope.txt",
                                    str(mixed_dir / "*.docx"), mixed_dir / "good.txt"])
    assert [f.name for f in files] == ["good.txt", "empty.pdf", "good_synthetic.pdf", "truncated.pdf"]
    assert [(Path(m.source_file).name, m.reason) for m in missing] == [
        ("nope.txt", "no such file or directory"), ("*.docx", "glob pattern matched no files")]


def test_cli_parse_writes_outputs_and_reports_failures(mixed_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "parsed"
    res = CliRunner().invoke(app, ["parse", str(mixed_dir), "--out", str(out), "--no-progress",
                                   "--params", str(tmp_path / "absent.yaml")])
    assert res.exit_code == 1, res.output  # some letters failed: non-zero, and the good ones are written
    assert "parsed: 3" in res.output and "failed: 6" in res.output and "services: 8" in res.output
    assert "no_items.txt" in res.output
    with (out / "failures.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {Path(r["source_file"]).name for r in rows} == set(EXPECTED_REASONS)
    assert len(load_records(out)) == 3
    allowed = CliRunner().invoke(app, ["parse", str(mixed_dir), "--out", str(out), "--no-progress",
                                       "--params", str(tmp_path / "absent.yaml"), "--allow-failures"])
    assert allowed.exit_code == 0, allowed.output


def test_cli_parse_exits_non_zero_when_nothing_parsed(mixed_dir: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["parse", str(mixed_dir / "empty.pdf"), str(mixed_dir / "no_items.txt"),
                                   "--out", str(tmp_path / "o"), "--no-progress",
                                   "--params", str(tmp_path / "absent.yaml")])
    assert res.exit_code == 1
    assert "no letter could be parsed" in res.output
    assert (tmp_path / "o" / "failures.csv").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
@pytest.mark.parametrize("letter", ["dwc", "legacy"])
def test_a_text_letter_with_a_byte_order_mark_parses_like_utf8(
    tmp_path: Path, encoding: str, letter: str
) -> None:
    """Notepad's "Unicode" is UTF-16 with a BOM; its NUL bytes made such a letter "binary data"."""
    text = dwc_letter() if letter == "dwc" else legacy_letter()
    marked = text if encoding in ("utf-16", "utf-8-sig") else "\ufeff" + text  # -le/-be write no BOM
    path = tmp_path / "unicode.txt"
    path.write_bytes(marked.encode(encoding))
    assert parse_file(path) == parse_text(text, str(path))  # a legacy letter's id comes from its file name
    result = parse_paths([path])  # what `imr parse` reads
    assert not result.failures and len(result.cases) == 1


def test_a_bom_that_does_not_decode_is_refused_naming_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"\xff\xfe" + "CASE".encode("utf-16-le") + b"\x00\xd8")  # a lone high surrogate
    [failure] = parse_paths([path]).failures
    assert failure.reason.startswith("starts with a UTF-16 byte-order mark but does not decode as UTF-16")
