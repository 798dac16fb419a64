"""SYNTHETIC stand-ins for the DWC IMR decision search: results pages, tiny PDFs and a local site.

Nothing here is real letter content. The pages imitate the results layout the downloader expects
(table class 'tabborder', a 'Nextpage' form); the PDFs are hand-written one-page documents.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

HEADERS = [
    "Case Number",
    "Decision Date",
    "Date of Injury",
    "Received Date",
    "IMRO Reviewer Specialty",
    "Request Category",
    "SubCategory/Drug",
    "Request Decision",
]


@dataclass
class SyntheticService:
    category: str
    sub_category: str
    decision: str


@dataclass
class SyntheticCase:
    case_number: str
    services: list[SyntheticService]
    decision_date: str = "01/05/2017"
    date_of_injury: str = "10/20/2016"
    received_date: str = "12/01/2016"
    specialty: str = "Orthopedic Surgery"
    href: str | None = None  # default: /letters/<case>.pdf

    def link(self) -> str:
        return self.href or f"/letters/{self.case_number}.pdf"


def synthetic_case(case_number: str, n_services: int = 1) -> SyntheticCase:
    decisions = ["Upheld", "Overturned"]
    services = [
        SyntheticService(f"Synthetic Category {i}", f"Synthetic Drug {i}", decisions[i % 2])
        for i in range(n_services)
    ]
    return SyntheticCase(case_number=case_number, services=services)


def results_page_html(cases: list[SyntheticCase], *, has_next: bool, total: int, page: int = 1) -> str:
    """A SYNTHETIC results page in the old ASP style: unclosed cells, colspan continuation rows."""
    rows = ["<tr>" + "".join(f"<td class=hdr><b>{h}</b>" for h in HEADERS)]
    for case in cases:
        first, *rest = case.services
        rows.append(
            f'<tr><td><a href="{case.link()}">{case.case_number}</a>'
            f"<td>{case.decision_date}<td>{case.date_of_injury}<td>{case.received_date}"
            f"<td>{case.specialty}<td>{first.category}<td>{first.sub_category}<td>{first.decision}"
        )
        for service in rest:
            rows.append(
                f'<tr><td colspan="5">&nbsp;</td><td>{service.category}</td>'
                f"<td>{service.sub_category}</td><td>{service.decision}</td></tr>"
            )
    next_form = (
        f'<form name="Nextpage" method="post" action="IMRDecisionSearch.asp">'
        f'<input type="hidden" name="newpageno" value="{page + 1}">'
        f'<input type="submit" name="Submit" value="Next"></form>'
        if has_next
        else ""
    )
    return (
        "<html><head><title>SYNTHETIC IMR Decision Search</title></head><body>"
        '<table width="100%"><tr><td>'
        '<table class="tabborder" cellpadding="2">' + "\n".join(rows) + "</table>\n"
        f"<p>Total: <strong>{total}</strong> results</p>{next_form}"
        "</td></tr></table></body></html>"
    )


def no_results_html() -> str:
    return "<html><head><title>SYNTHETIC</title></head><body><p>No records were found.</p></body></html>"


def unexpected_layout_html() -> str:
    """A SYNTHETIC page as if the site were redesigned: results in a div grid, no tabborder table."""
    return (
        "<html><head><title>SYNTHETIC redesigned search</title></head><body>"
        '<div class="results-grid"><div class="row"><a href="/x.pdf">CM16-0000001</a></div></div>'
        '<table class="layout"><tr><td>menu</td></tr></table></body></html>'
    )


def renamed_columns_html(case: SyntheticCase) -> str:
    """A SYNTHETIC page whose table lost its decision column."""
    page = results_page_html([case], has_next=False, total=1)
    return page.replace("<b>Request Decision</b>", "<b>Notes</b>")


def synthetic_pdf(label: str, pages: int = 1) -> bytes:
    """A tiny valid PDF with correct xref offsets; each page says it is SYNTHETIC."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{4 + 2 * i} 0 R".encode() for i in range(pages))
        + f"] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        text = f"BT /F1 12 Tf 72 720 Td (SYNTHETIC IMR letter {label} page {i + 1}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(f"<< /Length {len(text)} >>\nstream\n".encode() + text + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@dataclass
class SyntheticSite:
    """What the local server serves, and what it saw (for assertions)."""

    pages: list[list[SyntheticCase]] = field(default_factory=list)
    behaviour: dict[str, str] = field(default_factory=dict)  # case -> ok|slow|flaky|down|truncated|cut|gone
    slow_seconds: float = 1.0
    endless: bool = False  # every page claims a next page
    hits: Counter[str] = field(default_factory=Counter)
    forms: list[dict[str, str]] = field(default_factory=list)
    user_agents: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def all_cases(self) -> dict[str, SyntheticCase]:
        return {c.case_number: c for page in self.pages for c in page}

    def pdf_hits(self) -> int:
        return sum(n for path, n in self.hits.items() if path.endswith(".pdf"))

    def search_hits(self) -> int:
        return sum(n for path, n in self.hits.items() if path.endswith(".asp"))


def _handler(site: SyntheticSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass

        def _send(self, status: int, body: bytes, ctype: str, length: int | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test); nothing to do
            if length is not None:
                self.close_connection = True

        def _count(self) -> int:
            with site.lock:
                site.hits[self.path] += 1
                site.user_agents.add(self.headers.get("User-Agent", ""))
                return site.hits[self.path]

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            n = self._count()
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            with site.lock:
                site.forms.append(form)
            if self.path.startswith("/broken/"):
                return self._send(200, unexpected_layout_html().encode(), "text/html")
            if self.path.startswith("/renamed/"):
                return self._send(200, renamed_columns_html(site.pages[0][0]).encode(), "text/html")
            if self.path.startswith("/busy/") and n == 1:
                return self._send(503, b"busy", "text/plain")
            total = sum(len(p) for p in site.pages)
            if form.get("Caseno"):
                case = site.all_cases().get(form["Caseno"])
                html = results_page_html([case], has_next=False, total=1) if case else no_results_html()
                return self._send(200, html.encode(), "text/html")
            page = int(form.get("newpageno", "1")) if form.get("Submit") == "Next" else 1
            cases = site.pages[(page - 1) % len(site.pages)] if site.endless else site.pages[page - 1]
            has_next = site.endless or page < len(site.pages)
            html = results_page_html(cases, has_next=has_next, total=total, page=page)
            self._send(200, html.encode(), "text/html")

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            n = self._count()
            name = self.path.rsplit("/", 1)[-1].removesuffix(".pdf")
            if not self.path.startswith("/letters/"):
                return self._send(404, b"not found", "text/plain")
            mode = site.behaviour.get(name, "ok")
            body = synthetic_pdf(name)
            if mode == "gone":
                return self._send(404, b"not found", "text/plain")
            if mode == "down" or (mode == "flaky" and n <= 2):
                return self._send(500, b"synthetic server error", "text/plain")
            if mode == "slow" and n == 1:
                time.sleep(site.slow_seconds)
            if mode == "truncated":
                return self._send(200, body[: len(body) * 2 // 3], "application/pdf")
            if mode == "cut":  # promises more bytes than it sends, then closes
                return self._send(200, body[: len(body) // 2], "application/pdf", length=len(body))
            self._send(200, body, "application/pdf")

    return Handler


@contextmanager
def serve_site(site: SyntheticSite) -> Iterator[str]:
    """Serve `site` on 127.0.0.1 (free port) in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
