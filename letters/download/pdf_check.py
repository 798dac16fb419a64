"""Is this a complete PDF? Checked on every download and on every file found when resuming.

A cut-off transfer often still starts with %PDF, so the trailer and a real open are checked too.
"""

from __future__ import annotations

from pathlib import Path

PDF_MAGIC = b"%PDF-"
EOF_MARKER = b"%%EOF"
TAIL_BYTES = 2048  # %%EOF may be followed by whitespace or a little junk


class InvalidPdf(ValueError):
    """The bytes are not a complete, readable PDF; the message says why."""


def check_pdf_bytes(data: bytes) -> int:
    """Return the page count, or raise InvalidPdf naming the failed check."""
    if not data.startswith(PDF_MAGIC):
        raise InvalidPdf(f"does not start with %PDF- (first bytes {data[:16]!r}, {len(data)} bytes)")
    if EOF_MARKER not in data[-TAIL_BYTES:]:
        raise InvalidPdf(f"no %%EOF in the last {TAIL_BYTES} bytes: truncated ({len(data)} bytes)")
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise InvalidPdf(f"pdfium cannot open it: {exc}") from exc
    try:
        pages = len(document)
    finally:
        document.close()
    if pages < 1:
        raise InvalidPdf("opens but has no pages")
    return pages


def check_pdf_file(path: Path) -> int:
    """Page count of a PDF on disk, or raise InvalidPdf naming the file."""
    try:
        return check_pdf_bytes(path.read_bytes())
    except InvalidPdf as exc:
        raise InvalidPdf(f"{path}: {exc}") from exc
