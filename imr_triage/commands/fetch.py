"""`imr fetch`: download public DWC IMR decision letters politely and resumably, with a manifest.

Letters come from a search (filters below), from listed case numbers / PDF URLs, or both.
Exit status: 0 when everything listed is on disk and verified, 1 when anything failed, 2 on bad usage.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer

DATE_FORMATS = ["%Y-%m-%d"]


def _date_option(help_text: str) -> Any:
    """A YYYY-MM-DD search-filter option."""
    return typer.Option(None, formats=DATE_FORMATS, help=f"Search: {help_text} (YYYY-MM-DD).")


def fetch(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Directory for PDFs and manifest.json / manifest.csv."),
    items: list[str] | None = typer.Argument(None, help="Case numbers and/or PDF URLs."),
    case_numbers: Path | None = typer.Option(None, "--case-numbers", help="File: one case number a line."),
    urls: Path | None = typer.Option(None, "--urls", help="File: one PDF URL a line."),
    decision_from: datetime | None = _date_option("decided on/after"),
    decision_to: datetime | None = _date_option("decided on/before"),
    injury_from: datetime | None = _date_option("injury on/after"),
    injury_to: datetime | None = _date_option("injury on/before"),
    received_from: datetime | None = _date_option("received after"),
    received_to: datetime | None = _date_option("received before"),
    outcome: str | None = typer.Option(None, help="Search: outcome value as the site's form sends it."),
    specialty: str | None = typer.Option(None, help="Search: reviewer specialty value (form value)."),
    sub_category: str | None = typer.Option(None, help="Search: sub-category value (form value)."),
    max_pages: int | None = typer.Option(None, min=1, help="Bound on search result pages (default 20)."),
    rate: float | None = typer.Option(None, min=0.001, help="Max requests per second (default 0.5)."),
    base_url: str | None = typer.Option(None, help="Site root (default https://www.dir.ca.gov)."),
    timeout: float | None = typer.Option(None, min=0.001, help="Per-request timeout, seconds (default 30)."),
    retries: int | None = typer.Option(None, min=0, max=20, help="Retries per request (default 4)."),
    backoff: float | None = typer.Option(None, min=0, help="First back-off delay, seconds (default 2)."),
    contact: str | None = typer.Option(None, help="Contact URL/e-mail put in the User-Agent."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="Reads its `fetch:` section."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
) -> None:
    """Download IMR decision letters (PDF) from the DWC decision search or from listed items."""
    from pydantic import ValidationError
    from rich.console import Console

    from imr_triage.cli_input import read_params, validation_message
    from imr_triage.settings_errors import read_settings
    from letters.download.options import FetchOptions
    from letters.download.settings import FetchSettings
    from training.params import section

    console = Console(stderr=True, soft_wrap=True)
    read_settings(FetchSettings)  # the environment's IMR_FETCH_* alone first, so an error names the variable
    try:
        options = FetchOptions.from_cli(ctx.params, section(read_params(params_file), "fetch"))
    except ValidationError as exc:
        console.print(f"imr fetch: {validation_message(exc, '')}", style="red", markup=False)
        raise typer.Exit(2) from exc
    except (ValueError, FileNotFoundError) as exc:
        console.print(f"imr fetch: {exc}", style="red", markup=False)
        raise typer.Exit(2) from exc
    if options.search is None and not options.items:
        console.print("[red]imr fetch: nothing to fetch: give search filters, case numbers or URLs[/red]")
        raise typer.Exit(2)
    _fetch(options, console)


def _fetch(options: Any, console: Any) -> None:
    """Run the fetch and print its summary; exit 1 when anything failed."""
    import logging

    from rich.logging import RichHandler

    from letters.download.fetcher import run_fetch

    # retries are logged through the same console so they print above the progress bar
    handler = RichHandler(console=console, show_time=False, show_path=False, markup=False)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[handler])
    report = run_fetch(options, console=console)
    if report.search is not None:
        console.print(f"search: {report.search.pages} page(s), {len(report.search.rows)} service row(s)")
        if report.search.note:
            console.print(f"[yellow]note: {report.search.note}[/yellow]")
    console.print(
        f"letters: {report.count('downloaded')} downloaded, {report.count('present')} already present, "
        f"{report.count('failed') + len(report.bad_items)} failed; {report.requests} request(s) made"
    )
    if report.manifest_paths:
        console.print(f"manifest: {report.manifest_paths[0]}")
    failures = report.failures
    for line in failures[:20]:
        console.print(f"[red]FAILED[/red] {line}", markup=True, highlight=False)
    if len(failures) > 20:
        console.print(f"... and {len(failures) - 20} more (see the manifest)")
    if failures:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch)
