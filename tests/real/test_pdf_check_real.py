"""The downloader's PDF check must accept every real DWC letter (else resuming would refetch them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from letters.download.pdf_check import InvalidPdf, check_pdf_file

pytestmark = pytest.mark.real


def test_every_real_letter_passes_the_download_check(dwc_letters_dir: Path) -> None:
    pdfs = sorted((dwc_letters_dir / "pdf").glob("*.pdf"))
    assert len(pdfs) >= 100
    assert all(check_pdf_file(p) >= 1 for p in pdfs)


def test_a_cut_off_real_letter_is_rejected(dwc_letters_dir: Path, tmp_path: Path) -> None:
    data = sorted((dwc_letters_dir / "pdf").glob("*.pdf"))[0].read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidPdf):
        check_pdf_file(cut)
