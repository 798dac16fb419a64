"""`imr parse PATHS... --out DIR`: letters (PDF or text) -> cases/services parquet + failures.csv.

Every letter that parses is written, whatever happens to the others; each failure is named on its own
line and in failures.csv, and the exit status is 1 when any letter failed (`--allow-failures`: only
when none parsed, for a pipeline that should go on with the good letters).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import typer
from pydantic import BaseModel


class ParseParams(BaseModel):
    """The `parse:` section of params.yaml (CLI options override it)."""

    engine: Literal["pypdfium2", "pypdf"] = "pypdfium2"
    out: Path = Path("data/records")


def parse(
    paths: list[str] = typer.Argument(..., help="Letter files (.pdf/.txt), directories or glob patterns."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output directory [params: parse.out]."),
    engine: str | None = typer.Option(None, help="PDF text engine: pypdfium2|pypdf [params: parse.engine]."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml to read."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    allow_failures: bool = typer.Option(
        False, "--allow-failures", help="Exit 0 when some letters failed (1 only when none parsed)."
    ),
    dask: str | None = typer.Option(
        None, "--dask", help="Run partitioned on Dask: a scheduler address or 'local' [params: dask:]."
    ),
    dask_workers: int | None = typer.Option(None, help="Workers of `--dask local` [params: dask.n_workers]."),
) -> None:
    """Parse IMR Final Determination letters into cases.parquet and services.parquet."""
    import time

    from rich.console import Console

    from imr_triage.batch_outcome import end_parse
    from imr_triage.cli_input import EXIT_INPUT, params_section, writable_dir
    from letters.ingest import expand_inputs, parse_paths, skipped_note, write_records

    overrides = {k: v for k, v in (("out", out), ("engine", engine)) if v is not None}
    cfg = params_section(ParseParams, params_file, "parse", **overrides)  # validates the engine name
    files, missing = expand_inputs(paths)
    # a path that names no letter is a bad argument, not a letter read: an error line of its own, and
    # exit 2 when no path named one (nothing to start on, nothing written)
    for m in missing:
        print(f"error: {m.source_file}: {m.reason}", file=sys.stderr, flush=True)
    for line in skipped_note(paths):
        print(line, file=sys.stderr, flush=True)
    if not files:
        raise typer.Exit(EXIT_INPUT)
    writable_dir(cfg.out)  # before any letter is read: a long parse never ends in a traceback
    console = Console(stderr=True, soft_wrap=True)
    t0 = time.perf_counter()
    if dask is not None:
        from imr_triage.dask_runs import run_parse_on_dask

        run_parse_on_dask(
            [str(f) for f in files], cfg.out, cfg.engine, dask, dask_workers, params_file, console,
            allow_failures, len(missing),
        )
        return
    result = parse_paths(files, engine=cfg.engine, progress=progress)
    written = write_records(result, cfg.out)
    secs = time.perf_counter() - t0
    n_files = len(result.cases) + len(result.failures)
    console.print(
        f"letters read: {n_files}  parsed: {len(result.cases)}  services: {result.n_services}  "
        f"failed: {len(result.failures)}  ({secs:.1f}s)"
    )
    warned = sum(1 for c in result.cases if c.parse_warnings)
    if warned:
        console.print(f"letters with parse warnings: {warned} (see parse_warnings in {written['cases']})",
                      markup=False, highlight=False)
    dups = result.duplicate_ids
    if dups:
        console.print(f"letter ids parsed from more than one file (all kept): {', '.join(dups[:10])}"
                      + (f" and {len(dups) - 10} more" if len(dups) > 10 else ""))
    wrote = f"{written['cases']}, {written['services']}, {written['failures']}"
    end_parse(console, result.failures, len(result.cases), wrote, allow_failures, len(missing))


def register(app: typer.Typer) -> None:
    app.command("parse")(parse)
