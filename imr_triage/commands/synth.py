"""`imr synth --n N --seed S --out DIR`: the embedded default corpus of synthetic IMR letters.

Letters are drawn from the documented generative model in `synthetic/` (see
docs/synthetic-corpus.md); the same settings always give byte-identical files.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import typer
from pydantic import BaseModel, Field, field_validator

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str, end: bool = False) -> date:
    """'YYYY-MM' -> first day of that month (or last day when `end`)."""
    m = _MONTH.match(value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
    y, mo = int(m.group(1)), int(m.group(2))
    if not end:
        return date(y, mo, 1)
    nxt = date(y + (mo == 12), mo % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


class SynthParams(BaseModel):
    """The `synth:` section of params.yaml (CLI options override it)."""

    n: int = Field(1000, ge=0)
    seed: int = Field(0, ge=0)
    out: Path = Path("data/synthetic")
    pdf: bool = False
    period_start: str = "2016-10"  # UR denial dates from the first day of this month ...
    period_end: str = "2017-01"  # ... to the last day of this one
    shift: str = "none"
    first_id: int = Field(1, ge=1)
    workers: int = Field(0, ge=0)  # 0: automatic (half the cores, max 4); output is identical

    @field_validator("period_start", "period_end")
    @classmethod
    def _month(cls, v: str) -> str:
        parse_month(v)
        return v


def synth(
    n: int | None = typer.Option(None, "--n", help="Number of letters (params: synth.n)."),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (params: synth.seed)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output directory (params: synth.out)."),
    pdf: bool | None = typer.Option(None, "--pdf/--no-pdf", help="Also render PDFs (slower)."),
    period_start: str | None = typer.Option(None, help="First month of UR denial dates, YYYY-MM."),
    period_end: str | None = typer.Option(None, help="Last month of UR denial dates, YYYY-MM."),
    shift: str | None = typer.Option(None, help="Outcome-logic shift for drift tests, e.g. guideline-2017."),
    first_id: int | None = typer.Option(None, help="Number of the first case (SYNyy-NNNNNNN)."),
    workers: int | None = typer.Option(None, help="Processes (0 = automatic); output is identical."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml to read."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
) -> None:
    """Write N synthetic IMR letters (text, optionally PDF) plus ground_truth.parquet."""
    import os

    from pydantic import ValidationError
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from imr_triage.cli_input import fail, read_params, validation_message, writable_dir
    from synthetic.corpus import write_corpus
    from synthetic.generative_model import GeneratorSettings
    from synthetic.tables import SynthTables
    from training.params import section

    console = Console(stderr=True, soft_wrap=True)
    overrides = {k: v for k, v in {
        "n": n, "seed": seed, "out": out, "pdf": pdf, "period_start": period_start,
        "period_end": period_end, "shift": shift, "first_id": first_id, "workers": workers,
    }.items() if v is not None}
    try:
        cfg = SynthParams(**{**section(read_params(params_file), "synth"), **overrides})
    except ValidationError as exc:
        fail(f"{validation_message(exc, 'synth')} (an option, or {params_file})")
    start, end = parse_month(cfg.period_start), parse_month(cfg.period_end, end=True)
    if end < start:
        raise typer.BadParameter(f"--period-end {cfg.period_end} is before --period-start {cfg.period_start}")
    known = SynthTables.known_shifts()
    if cfg.shift not in known:
        raise typer.BadParameter(f"unknown --shift {cfg.shift!r}; choose one of: {', '.join(known)}")
    writable_dir(cfg.out)  # a file in the way, or no permission: one line before any letter is drawn
    settings = GeneratorSettings(seed=cfg.seed, period_start=start, period_end=end, shift=cfg.shift,
                                 first_id=cfg.first_id)
    # Automatic: half the cores (max 4) for large corpora; writing many small files, not drawing
    # letters, limits the speed, and on a busy 2-core machine a second process only adds contention.
    n_workers = cfg.workers or (max(1, min(4, (os.cpu_count() or 1) // 2)) if cfg.n >= 2000 else 1)
    with Progress(TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=not progress, transient=True) as bar:
        task = bar.add_task("letters", total=cfg.n)
        summary = write_corpus(cfg.n, cfg.out, settings, pdf=cfg.pdf, workers=n_workers,
                               on_progress=lambda k: bar.advance(task, k))
    rate = summary.letters / summary.seconds if summary.seconds > 0 else float("inf")
    console.print(
        f"synthetic letters: {summary.letters}  services: {summary.services}  "
        f"overturned: {summary.overturned} ({summary.overturn_rate:.1%})  "
        f"partial UR certification: {summary.partial}  shift: {cfg.shift}  "
        f"({summary.seconds:.1f}s, {rate:.0f} letters/s)"
    )
    console.print(f"wrote {cfg.out}/letters/, {cfg.out}/ground_truth.parquet, {cfg.out}/manifest.json"
                  + (f", {cfg.out}/pdf/" if cfg.pdf else ""), markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)
