"""PDF -> plain text for letter parsing, with the page-break artefacts removed.

The letters' text layer has no page headers or footers, but the last line of a page is not
newline-terminated, so naive page concatenation glues it to the next page's first line
(e.g. a section label such as "Decision rationale:" lands mid-line). We end every page with a
newline and normalise line endings so the line-based letter parser sees one logical line per line.
pypdfium2 is the default engine (see experiments/pdf-extractors.md); pypdf is kept for comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

Engine = Literal["pypdfium2", "pypdf"]
PDF_MAGIC = b"%PDF-"
# pdfium reports a hyphen at a lost line break as U+FFFE; form feeds and CRs become line breaks.
_CHAR_FIXES = str.maketrans({"\r": "\n", "\f": "\n", "\xa0": " ", "\ufffe": "-"})


class PdfTextError(ValueError):
    """A PDF whose text cannot be read; the message says why in words a user can act on."""


def normalise_text(text: str) -> str:
    """Unify line endings, turn form feeds into line breaks and drop trailing spaces per line."""
    text = text.replace("\r\n", "\n").translate(_CHAR_FIXES)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _pages_pypdfium2(source: bytes | str) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(source)
    try:
        pages = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    finally:
        doc.close()


def _pages_pypdf(source: bytes | str) -> list[str]:
    import io

    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source, strict=False)
    return [page.extract_text() or "" for page in reader.pages]


_ENGINES: dict[str, Callable[[bytes | str], list[str]]] = {
    "pypdfium2": _pages_pypdfium2,
    "pypdf": _pages_pypdf,
}


def pdf_bytes_to_text(data: bytes, name: str = "<bytes>", engine: Engine = "pypdfium2") -> str:
    """Text of all pages, each ending with a newline; raises PdfTextError naming `name` and why."""
    return _extract(data, data[:1024], name, engine)


def _extract(source: bytes | str, head: bytes, name: str, engine: Engine) -> str:
    if not head:
        raise PdfTextError(f"{name}: empty file (0 bytes)")
    if not head.lstrip()[:5].startswith(PDF_MAGIC):
        raise PdfTextError(f"{name}: not a PDF (no %PDF- header)")
    if engine not in _ENGINES:
        raise ValueError(f"unknown PDF engine {engine!r}; choose one of {sorted(_ENGINES)}")
    try:
        pages = _ENGINES[engine](source)
    except Exception as exc:  # noqa: BLE001 - any engine failure means a corrupt or truncated file
        raise PdfTextError(f"{name}: corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
    if not pages:
        raise PdfTextError(f"{name}: PDF has no pages")
    text = normalise_text("\n".join(p if p.endswith(("\n", "\r")) else p + "\n" for p in pages))
    if not text.strip():
        raise PdfTextError(f"{name}: PDF has no text layer (scanned image?); OCR is not supported")
    return text


def pdf_to_text(path: Path | str, engine: Engine = "pypdfium2") -> str:
    """A PDF file's normalised text; the engine reads the file itself (faster than passing bytes)."""
    p = Path(path)
    with p.open("rb") as fh:
        head = fh.read(1024)
    return _extract(str(p), head, str(p), engine)
