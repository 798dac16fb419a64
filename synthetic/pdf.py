"""Optional PDF rendering of synthetic letters (reportlab), so the PDF text path can be tested.

Each text line becomes one PDF line in a plain Letter-size layout, with page breaks where the
page fills (no page footer: the real letters' text layer has none). reportlab is imported lazily: text-only
corpora never need it.
"""

from __future__ import annotations

from pathlib import Path

PAGE_LINES = 60
FONT = "Helvetica"
FONT_SIZE = 9.5
LEADING = 12.0
MARGIN = 54.0


class PdfWriter:
    """Writes letter text to a PDF file; deterministic (fixed creation date, no random IDs)."""

    def __init__(self) -> None:
        try:
            from reportlab.lib.pagesizes import letter
            from reportlab.pdfgen import canvas
        except ImportError as exc:  # pragma: no cover - reportlab is a dependency
            raise RuntimeError("imr synth --pdf needs reportlab: pip install reportlab") from exc
        self._canvas = canvas
        self._page = letter

    def write(self, text: str, path: Path) -> None:
        c = self._canvas.Canvas(str(path), pagesize=self._page, invariant=1, pageCompression=1)
        c.setTitle(f"{path.stem} (synthetic IMR letter)")
        c.setAuthor("imr-triage synthetic corpus")
        _, height = self._page
        lines = text.rstrip("\n").split("\n")
        for start in range(0, len(lines), PAGE_LINES):
            y = height - MARGIN
            c.setFont(FONT, FONT_SIZE)
            for line in lines[start : start + PAGE_LINES]:
                c.drawString(MARGIN, y, line)
                y -= LEADING
            c.showPage()
        c.save()
