"""Batch ingestion: letter files (PDF or text) -> Case records -> parquet tables, and back.

One bad file never costs the batch: every file either yields a `Case` or a `ParseFailure` with
its path and reason, and both are written. The parquet layout is flat (one row per case, one row
per service, guideline citations spread into prefixed columns) so pandas users need no unpacking;
`load_records` rebuilds the pydantic objects from it.
"""

from __future__ import annotations

import codecs
import csv
import glob
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from letters.parser import LetterParseError, parse_text
from letters.pdf_text import PDF_MAGIC, Engine, PdfTextError, pdf_bytes_to_text, pdf_to_text
from letters.records import Case, GuidelineCitation, ParseFailure, ServiceDecision

LETTER_SUFFIXES = (".pdf", ".txt")
CASES_FILE = "cases.parquet"
SERVICES_FILE = "services.parquet"
FAILURES_FILE = "failures.csv"
PARTITIONED_CASES = "cases"  # `imr parse --dask`: cases/part-*.parquet
PARTITIONED_SERVICES = "services"
_GLOB_CHARS = frozenset("*?[")
_GUIDELINE_PREFIXES = ("ur_guideline", "reviewer_guideline")
_GUIDELINE_FIELDS = tuple(GuidelineCitation.model_fields)
_CASE_SCALARS = tuple(f for f in Case.model_fields if f != "services")
_SERVICE_SCALARS = tuple(f for f in ServiceDecision.model_fields if f not in _GUIDELINE_PREFIXES)


@dataclass
class IngestResult:
    """What a batch produced: parsed cases and per-file failures, in input order."""

    cases: list[Case] = field(default_factory=list)
    failures: list[ParseFailure] = field(default_factory=list)

    @property
    def n_services(self) -> int:
        return sum(len(c.services) for c in self.cases)

    @property
    def duplicate_ids(self) -> list[str]:
        """letter_ids parsed from more than one file (e.g. a PDF and its text); both are kept."""
        seen: dict[str, int] = {}
        for c in self.cases:
            seen[c.letter_id] = seen.get(c.letter_id, 0) + 1
        return sorted(k for k, v in seen.items() if v > 1)


# Byte-order marks a text editor writes ("Unicode" in Windows Notepad is UTF-16 LE with a BOM); the
# decoders named here drop the mark, so the text parses exactly as the same letter saved as UTF-8.
# UTF-32 LE's mark (FF FE 00 00) starts with UTF-16 LE's (FF FE), so the UTF-32 marks are tried first.
_BOM_CODECS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Wide encodings without a mark, told by where their NUL bytes are: an ASCII character in UTF-16 LE is
# its byte then a NUL ("L\0e\0"), in UTF-32 BE three NULs then its byte. (codec, unit width, offset of
# the character's byte in the unit); UTF-32 first, as its units also hold UTF-16's NUL pattern.
_WIDE_CODECS: tuple[tuple[str, int, int], ...] = (
    ("utf-32-le", 4, 0),
    ("utf-32-be", 4, 3),
    ("utf-16-le", 2, 0),
    ("utf-16-be", 2, 1),
)
_SNIFF_BYTES = 4096
_WIDE_SHARE = 0.9  # of the sample's units that must be one ASCII character in the codec's pattern
_SAVE_AS = "save a text letter as UTF-8 (or as UTF-16 with a byte-order mark)"


def _wide_codec(sample: bytes) -> str | None:
    """The UTF-16/UTF-32 codec whose NUL pattern nearly every unit of `sample` follows, or None."""
    for codec, width, at in _WIDE_CODECS:
        units = [sample[i : i + width] for i in range(0, len(sample) - width + 1, width)]
        if len(units) < 16:
            continue
        ascii_units = sum(1 for u in units if 0 < u[at] < 0x80 and u.count(0) == width - 1)
        if ascii_units >= _WIDE_SHARE * len(units):
            return codec
    return None


def _decode_text(data: bytes, name: str) -> str:
    """Text by its byte-order mark (UTF-8/UTF-16/UTF-32), else UTF-16/UTF-32 by the NUL pattern of its
    ASCII characters, else UTF-8, else cp1252. Other NUL bytes are refused as binary (a text letter holds
    none), in one line naming `name` and the encoding to save it in."""
    for bom, codec in _BOM_CODECS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise LetterParseError(
                    f"{name}: starts with a {codec.removesuffix('-sig').upper()} byte-order mark "
                    f"but does not decode as {codec.removesuffix('-sig').upper()} ({exc.reason})"
                ) from exc
    if b"\x00" in data[:_SNIFF_BYTES]:
        codec = _wide_codec(data[:_SNIFF_BYTES])
        if codec is None:
            raise LetterParseError(f"{name}: binary data, not a PDF or a text letter ({_SAVE_AS})")
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            text, reason = "\x00", exc.reason
        else:
            reason = "it holds NUL characters"
        if "\x00" in text:
            raise LetterParseError(
                f"{name}: looks like {codec.upper()} text without a byte-order mark but does not decode "
                f"as {codec.upper()} ({reason}); {_SAVE_AS}"
            )
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def letter_bytes_to_text(data: bytes, name: str, engine: Engine = "pypdfium2") -> str:
    """A letter's text from its raw bytes: PDF text (by magic bytes or a .pdf name), else text by its
    byte-order mark (UTF-8, UTF-16, UTF-32), else UTF-16/32 by its NUL pattern, else UTF-8, else cp1252;
    empty or binary data is refused naming `name`. Files and API uploads both come here, so the CLI and
    the API read a letter alike."""
    if not data.strip():
        raise LetterParseError(f"{name}: empty file")
    if data.lstrip()[:5].startswith(PDF_MAGIC) or name.lower().endswith(".pdf"):
        return pdf_bytes_to_text(data, name=name, engine=engine)
    return _decode_text(data, name)


def parse_bytes(data: bytes, source_file: str, engine: Engine = "pypdfium2") -> Case:
    """Parse one letter's raw bytes; PDF is recognised by its magic bytes, not the file name."""
    return parse_text(letter_bytes_to_text(data, source_file, engine), source_file)


def parse_file(path: Path | str, engine: Engine = "pypdfium2") -> Case:
    """Parse one letter file (PDF or text); raises LetterParseError/PdfTextError/OSError with the path."""
    p = Path(path)
    with p.open("rb") as fh:
        head = fh.read(1024)
    if head.lstrip()[:5].startswith(PDF_MAGIC) or (head and p.suffix.lower() == ".pdf"):
        return parse_text(pdf_to_text(p, engine=engine), str(p))
    return parse_bytes(p.read_bytes(), str(p), engine=engine)


def expand_inputs(inputs: Iterable[Path | str]) -> tuple[list[Path], list[ParseFailure]]:
    """Files named by paths, directories (searched recursively for .pdf/.txt) or glob patterns."""
    files: list[Path] = []
    missing: list[ParseFailure] = []
    for item in inputs:
        s = str(item)
        p = Path(s)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in LETTER_SUFFIXES)
            if not found:
                missing.append(ParseFailure(source_file=s, reason="directory holds no .pdf or .txt files"))
            files.extend(found)
        elif p.is_file():
            files.append(p)
        elif _GLOB_CHARS & set(s):
            found = sorted(Path(f) for f in glob.glob(s, recursive=True) if Path(f).is_file())
            if not found:
                missing.append(ParseFailure(source_file=s, reason="glob pattern matched no files"))
            files.extend(found)
        else:
            missing.append(ParseFailure(source_file=s, reason="no such file or directory"))
    seen: set[Path] = set()
    unique = [f for f in files if not (f.resolve() in seen or seen.add(f.resolve()))]  # type: ignore[func-returns-value]
    return unique, missing


def skipped_in_folders(
    inputs: Iterable[Path | str], read: tuple[str, ...] = LETTER_SUFFIXES
) -> dict[str, list[str]]:
    """Per folder named in `inputs`, the files in it a command does not read (suffix not in `read`; hidden
    files aside), so it can say so: a letter saved as .docx must not vanish from a batch unseen."""
    skipped: dict[str, list[str]] = {}
    for item in inputs:
        p = Path(str(item))
        if not p.is_dir():
            continue
        other = sorted(
            str(f.relative_to(p)) for f in p.rglob("*")
            if f.is_file() and f.suffix.lower() not in read
            and not any(part.startswith(".") for part in f.relative_to(p).parts)
        )
        if other:
            skipped[str(item)] = other
    return skipped


def skipped_note(
    inputs: Iterable[Path | str], read: tuple[str, ...] = LETTER_SUFFIXES, shown: int = 3
) -> list[str]:
    """One `note:` line per folder holding files the command does not read, naming the first few."""
    lines = []
    kinds = " or ".join(", ".join(read).rsplit(", ", 1))
    for folder, names in skipped_in_folders(inputs, read).items():
        more = f" and {len(names) - shown} more" if len(names) > shown else ""
        lines.append(
            f"note: {folder}: skipped {len(names)} file(s) that are not {kinds} "
            f"({', '.join(names[:shown])}{more})"
        )
    return lines


def iter_parse(files: Iterable[Path], engine: Engine = "pypdfium2") -> Iterator[Case | ParseFailure]:
    """Yield a Case or a ParseFailure per file; never raises for a bad file."""
    for f in files:
        try:
            yield parse_file(f, engine=engine)
        except (LetterParseError, PdfTextError) as exc:
            yield ParseFailure(source_file=str(f), reason=str(exc).removeprefix(f"{f}: "))
        except OSError as exc:
            yield ParseFailure(source_file=str(f), reason=f"cannot read file: {exc.strerror or exc}")
        except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not lose the batch
            reason = f"unexpected parser error {type(exc).__name__}: {exc}"
            yield ParseFailure(source_file=str(f), reason=reason)


def parse_paths(
    inputs: Iterable[Path | str], engine: Engine = "pypdfium2", progress: bool = False
) -> IngestResult:
    """Parse every letter named by `inputs`, optionally with a rich progress bar."""
    files, failures = expand_inputs(inputs)
    result = IngestResult(failures=list(failures))
    results = iter_parse(files, engine=engine)
    if progress:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(
            TextColumn("parsing letters"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=Console(stderr=True),
        ) as bar:
            task = bar.add_task("parse", total=len(files))
            for r in results:
                _collect(result, r)
                bar.advance(task)
    else:
        for r in results:
            _collect(result, r)
    return result


def _collect(result: IngestResult, r: Case | ParseFailure) -> None:
    if isinstance(r, Case):
        result.cases.append(r)
    else:
        result.failures.append(r)


# ---- parquet layout -------------------------------------------------------------------------


def case_rows(cases: Iterable[Case]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Flat rows: one dict per case and one per service (with `letter_id` and guideline columns)."""
    case_out: list[dict[str, Any]] = []
    svc_out: list[dict[str, Any]] = []
    for c in cases:
        case_out.append({f: getattr(c, f) for f in _CASE_SCALARS} | {"n_services": len(c.services)})
        for s in c.services:
            row: dict[str, Any] = {"letter_id": c.letter_id, "source_file": c.source_file}
            row.update({f: getattr(s, f) for f in _SERVICE_SCALARS})
            for prefix in _GUIDELINE_PREFIXES:
                g: GuidelineCitation | None = getattr(s, prefix)
                for f in _GUIDELINE_FIELDS:
                    row[f"{prefix}_{f}"] = getattr(g, f) if g is not None else None
            svc_out.append(row)
    return case_out, svc_out


def _schemas() -> tuple[Any, Any]:
    import pyarrow as pa

    text_list = pa.list_(pa.string())
    case_types = {
        "letter_id": pa.string(), "case_number": pa.string(), "letter_format": pa.string(),
        "synthetic": pa.bool_(), "date_assigned": pa.date32(), "date_of_injury": pa.date32(),
        "ur_denial_date": pa.date32(), "application_received": pa.date32(), "priority": pa.string(),
        "reviewer_licensure": text_list, "reviewer_specialty": pa.string(), "patient_age": pa.int32(),
        "patient_sex": pa.string(), "clinical_summary": pa.string(), "source_file": pa.string(),
        "parse_warnings": text_list, "decision_date": pa.date32(), "n_services": pa.int32(),
    }
    svc_types: dict[str, Any] = {
        "letter_id": pa.string(), "source_file": pa.string(), "item_index": pa.int32(),
        "heading": pa.string(), "service": pa.string(), "partial_ur_certification": pa.bool_(),
        "partial_certification_text": pa.string(), "decision": pa.string(), "rationale": pa.string(),
    }
    guideline_types = {
        "raw": pa.string(), "sources": text_list, "chapter": pa.string(), "year": pa.int32(),
        "pages": text_list, "sections": text_list, "no_evidence_cited": pa.bool_(),
    }
    for prefix in _GUIDELINE_PREFIXES:
        svc_types.update({f"{prefix}_{k}": v for k, v in guideline_types.items()})
    missing = (set(_CASE_SCALARS) - set(case_types)) | (set(_SERVICE_SCALARS) - set(svc_types))
    if missing:  # the records contract grew a field: fail loudly rather than drop it
        raise RuntimeError(f"parquet schema lacks record fields {sorted(missing)}; update letters/ingest.py")
    return pa.schema(list(case_types.items())), pa.schema(list(svc_types.items()))


def write_case_tables(cases_: Iterable[Case], cases_path: Path, services_path: Path) -> None:
    """The two parquet tables of a batch (or of one partition of a `--dask` run)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    case_schema, svc_schema = _schemas()
    cases, services = case_rows(cases_)
    pq.write_table(pa.Table.from_pylist(cases, schema=case_schema), cases_path)
    pq.write_table(pa.Table.from_pylist(services, schema=svc_schema), services_path)


def write_failures(failures: Iterable[ParseFailure], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["source_file", "reason"])
        for f in failures:
            w.writerow([f.source_file, f.reason])


def write_records(result: IngestResult, out_dir: Path | str) -> dict[str, Path]:
    """Write cases.parquet, services.parquet and failures.csv (always, even when empty)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"cases": out / CASES_FILE, "services": out / SERVICES_FILE, "failures": out / FAILURES_FILE}
    write_case_tables(result.cases, paths["cases"], paths["services"])
    write_failures(result.failures, paths["failures"])
    return paths


def load_records(directory: Path | str) -> list[Case]:
    """Rebuild `Case` objects (with their services, in letter order) from `write_records` output.

    Also reads the partitioned layout of `imr parse --dask` (cases/part-*.parquet, services/...),
    but only when its `_SUCCESS` manifest says the job finished: an incomplete job is refused.
    """
    import pyarrow.parquet as pq

    d = Path(directory)
    if not (d / CASES_FILE).exists() and (d / PARTITIONED_CASES).is_dir():
        from letters.partitioned_output import completed_parts

        case_rows_: list[dict[str, Any]] = []
        svc_rows: list[dict[str, Any]] = []
        for part in completed_parts(d):
            case_rows_ += pq.read_table(d / PARTITIONED_CASES / part).to_pylist()
            svc_rows += pq.read_table(d / PARTITIONED_SERVICES / part).to_pylist()
        return records_from_rows(case_rows_, svc_rows)
    for name in (CASES_FILE, SERVICES_FILE):
        if not (d / name).exists():
            raise FileNotFoundError(f"{d / name} not found; run `imr parse ... --out {d}` first")
    cases = pq.read_table(d / CASES_FILE).to_pylist()
    return records_from_rows(cases, pq.read_table(d / SERVICES_FILE).to_pylist())


def records_from_rows(case_rows_: list[dict[str, Any]], svc_rows: list[dict[str, Any]]) -> list[Case]:
    """`Case` objects from the flat case and service rows of the parquet layout (case order kept)."""
    by_letter: dict[tuple[str, str], list[ServiceDecision]] = {}
    for row in svc_rows:
        g_parts = {}
        for prefix in _GUIDELINE_PREFIXES:
            vals = {f: row.pop(f"{prefix}_{f}") for f in _GUIDELINE_FIELDS}
            g_parts[prefix] = None if vals["raw"] is None else GuidelineCitation(
                **{k: v for k, v in vals.items() if v is not None}
            )
        key = (row.pop("letter_id"), row.pop("source_file"))
        by_letter.setdefault(key, []).append(ServiceDecision(**row, **g_parts))
    cases = []
    for row in case_rows_:
        row.pop("n_services", None)
        svcs = sorted(by_letter.get((row["letter_id"], row["source_file"]), []), key=lambda s: s.item_index)
        cases.append(Case(**{k: v for k, v in row.items() if v is not None}, services=svcs))
    return cases


def load_failures(directory: Path | str) -> list[ParseFailure]:
    """The per-file failures written next to the parquet tables."""
    p = Path(directory) / FAILURES_FILE
    if not p.exists():
        return []
    with p.open(encoding="utf-8", newline="") as fh:
        return [ParseFailure(**row) for row in csv.DictReader(fh)]
