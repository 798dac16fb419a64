"""`imr explain LETTER...`: each disputed service's calibrated overturn likelihood, explained the way a
reviewer checks it.

Per service: the governing guideline section and a summary line, every criterion of that section with
its status, the letter's sentences and its share of the score (TreeSHAP contributions summed over the
features behind it), what documenting a missing criterion would change (a what-if through the same
predictor), and the context factors (procedural facts, the family prior, a text score), which are never
worded as criteria. A rich table for people, `--json` for machines. A letter that cannot be parsed is
reported by name on one line; the others still print, and the exit status is 1 when any letter failed
(2 when no path named a letter: nothing to start on).
"""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import BaseModel, ConfigDict, Field

from imr_triage.cli_input import TRACKING_URI_HELP
from imr_triage.progress import PROGRESS_HELP, StepProgress, progress_wanted


class ExplainParams(BaseModel):
    """The optional `explain:` section of params.yaml (CLI options override it)."""

    model_config = ConfigDict(extra="ignore")

    model: Path = Field(default=Path("models/model"), description="Local TriageModel directory.")
    top_k: int = Field(default=5, ge=1, description="Reasons shown per service.")


def _points(points: float | None) -> str:
    if points is None:
        return ""
    if abs(points) < 0.05:
        return " (little effect)"
    return f" ({points:+.1f} points)"


def _checklist_parts(s) -> list:  # noqa: ANN001 - a ServiceExplanation in, rich renderables out
    """One service as a reviewer checks it (issue #18): the summary line, the governing section's
    criteria (criterion, status, the letter's sentences, effect), what would change the estimate
    (what-ifs, largest rise first) and the context factors, which are never guideline criteria."""
    from rich.table import Table
    from rich.text import Text

    from serving.plain_reasons import plain_checklist

    plain = plain_checklist(s.checklist, context=s.context, what_if=s.what_if, summary=s.summary)
    parts: list = [Text(plain.summary or "", style="bold")]
    if plain.guideline:
        parts.append(Text(f"Guideline: {plain.guideline}", style="cyan"))
    if plain.criteria:
        check = Table("Criterion", "Status", "Evidence in the letter", "Effect", show_lines=True, expand=True,
                      title="Guideline checklist", title_justify="left", title_style="bold")  # fmt: skip
        check.columns[0].ratio, check.columns[2].ratio, check.columns[3].ratio = 3, 4, 2
        for c in plain.criteria:
            quotes = "; ".join(f'"{e.text}" ({e.where})' for e in c.evidence) or c.quote_note or ""
            arrow = {"raises": "▲ ", "lowers": "▼ "}.get(c.direction or "", "")
            # Text, not str: a letter's words ("[sic]", "[/redacted]") are never read as rich markup
            check.add_row(Text(c.criterion), Text(c.status_words), Text(quotes), Text(f"{arrow}{c.effect}"))
        parts.append(check)
    if plain.what_if or plain.what_if_note:
        cell = Text("What would change it (what-if, not a finding)\n", style="bold")
        for w in plain.what_if:
            cell.append(f"• {w.criterion}\n  {w.text}\n", style="")
        if plain.what_if_note:
            cell.append(f"{plain.what_if_note}\n", style="dim")
        parts.append(cell)
    if plain.context:
        cell = Text("Context (not guideline criteria)\n", style="bold")
        for c in plain.context:
            arrow = {"raises": "▲", "lowers": "▼"}.get(c.direction or "", "•")
            cell.append(f"{arrow} {c.text} - {c.effect}\n", style="")
            if c.note:
                cell.append(f"  {c.note}\n", style="dim")
        parts.append(cell)
    return parts


def _reasons_cell(reasons: list):  # noqa: ANN202 - a rich renderable
    """One service's reasons for a nurse, where no checklist was built: the fact in words, its
    direction, the guideline criterion (each citation listed once per cell, by number) and the letter's
    words."""
    from rich.text import Text

    from serving.plain_reasons import plain_service

    plain = plain_service(reasons)
    cell = Text()
    for n, r in enumerate(plain.reasons, start=1):
        if n > 1:
            cell.append("\n")
        arrow, style = {"raises": ("▲", "red"), "lowers": ("▼", "green")}.get(r.direction or "", ("•", ""))
        cell.append(f"{n}. {arrow} ", style=style)
        cell.append(r.text, style="bold")
        if r.effect:
            cell.append(f" - {r.effect}{_points(r.points)}")
        cell.append("\n")
        refs = "".join(f" [{i}]" for i in r.citation_refs)
        if r.guideline:
            cell.append(f"   Guideline: {r.guideline}{refs}\n")
        elif r.same_guideline_as:
            cell.append(f"   Guideline: the same criterion as reason {r.same_guideline_as}{refs}\n")
        elif r.no_guideline:
            cell.append(f"   No guideline criterion: {r.no_guideline}\n", style="dim")
        if r.evidence:
            quoted = "; ".join(f'"{e.text}" ({e.where})' for e in r.evidence)
            cell.append(f"   The letter: {quoted}\n", style="italic")
    if not plain.reasons:
        cell.append("No fact in the letter moved this estimate from the usual rate.", style="dim")
    if plain.citations:
        cell.append("\n")
    for i, citation in enumerate(plain.citations, start=1):
        cell.append(f"[{i}] {citation}\n", style="cyan")
    return cell


def _print_tables(letters: list, console, source: str, bands=None) -> None:  # noqa: ANN001
    """Text for people: per letter a table of its items (numbered from 1; `item_index` stays 0-based in
    --json) with the likelihood, its band and the summary line, then each item's checklist, what-ifs
    and context (or, where no checklist was built, its reasons); feature names and log-odds: --json."""
    from rich.rule import Rule
    from rich.table import Table
    from rich.text import Text

    from model.predictor import RiskBands
    from serving.plain_reasons import band_ranges

    bands = bands or RiskBands()
    ranges = ", ".join(f"{k} {v}" for k, v in band_ranges(bands.edges, bands.labels).items())
    for letter in letters:
        # every cell, title and rule is Text, not str: rich would read "[imaging]" (the family under the
        # request) or a letter's "[/sic]" as markup, dropping the words or failing on an unknown closing tag
        table = Table(
            title=Text(f"{letter.letter_id}  ({letter.source_file})"),
            caption=Text(
                f"Bands: {ranges}. Effect: which way a criterion or factor moves this estimate (its TreeSHAP "
                "share); a what-if is the estimate if the record documented the criterion as met. "
                f"Model: {letter.model_version or source}. Feature names and log-odds: --json."
            ),
            show_lines=True,
            expand=True,
        )
        table.add_column("Item", justify="right", no_wrap=True)
        table.add_column("Request", ratio=3)
        table.add_column("Overturn likelihood", justify="right")
        table.add_column("Governing guideline", ratio=4)
        for s in letter.services:
            band = s.risk_band or bands.label(s.overturn_likelihood)
            table.add_row(
                str(s.item_index + 1) if s.item_index is not None else "",
                Text(f"{s.service}\n[{(s.service_family or 'other').replace('_', ' ')}]"),
                f"{100 * s.overturn_likelihood:.1f}%\n{band} band",
                Text(s.summary if s.summary is not None else "(no checklist: reasons below)"),
            )
        console.print(table)
        for s in letter.services:
            item = s.item_index + 1 if s.item_index is not None else ""
            title = f"Item {item}: {s.service} - {100 * s.overturn_likelihood:.1f}%"
            console.print(Rule(Text(title), align="left"))
            if s.checklist is not None:
                for part in _checklist_parts(s):
                    console.print(part)
            else:
                console.print(_reasons_cell(s.reasons))


def explain(
    letters: list[Path] = typer.Argument(..., help="Letter files (.pdf or .txt) or folders of them."),
    model: Path | None = typer.Option(None, "--model", help="TriageModel directory [params: explain.model]."),
    model_uri: str | None = typer.Option(
        None, "--model-uri", help="MLflow model URI instead, e.g. models:/imr-overturn@champion."
    ),
    tracking_uri: str | None = typer.Option(None, "--tracking-uri", help=TRACKING_URI_HELP),
    top_k: int | None = typer.Option(
        None, "--top-k", min=1, help="Reasons per service [params: explain.top_k]."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per letter, in a list)."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml to read."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help=PROGRESS_HELP),
) -> None:
    """Explain the overturn likelihood of each disputed service in IMR letters."""
    import json

    from rich.console import Console
    from rich.text import Text

    from imr_triage.cli_input import EXIT_INPUT, load_model, params_section
    from letters.ingest import expand_inputs, parse_file, skipped_note
    from model.explanations import explain_case
    from model.predictor import Predictor

    cfg = params_section(ExplainParams, params_file, "explain")
    k = top_k or cfg.top_k
    err = Console(stderr=True, soft_wrap=True)
    # Folders are searched for letters (.pdf/.txt), as `imr parse` does; a missing path is a failure,
    # said before the model is loaded; when no path names a letter there is nothing to start on: exit 2,
    # as `imr parse` and `imr score` (README: 2 when a command cannot start, 1 when some letters failed).
    files, missing = expand_inputs(letters)
    failures = [(m.source_file, m.reason) for m in missing]
    for line in skipped_note(letters):
        err.print(line, markup=False, highlight=False)
    if not files:
        for name, reason in failures:
            err.print(f"error: {name}: {reason}", markup=False, highlight=False)
        raise typer.Exit(code=EXIT_INPUT)
    triage_model, source = load_model(model, model_uri, cfg.model, tracking_uri)
    predictor = Predictor(triage_model, top_k=k)
    card = triage_model.metadata.card()

    results = []
    warned: list[tuple[Path, list[str]]] = []
    bar = StepProgress("explain", [p.name for p in files], err, progress_wanted(progress, err))
    with bar:
        for path in files:
            bar.step(path.name)
            try:
                case = parse_file(path)
                if not case.services:
                    raise ValueError("no disputed services found in the letter")
                results.append(explain_case(predictor, case, k))
                if case.parse_warnings:
                    warned.append((path, case.parse_warnings))
            except Exception as exc:  # noqa: BLE001 - reported per letter, the rest still run
                failures.append((str(path), str(exc).removeprefix(f"{path}: ") or type(exc).__name__))
    for name, reason in failures:
        err.print(f"error: {name}: {reason}", markup=False, highlight=False)
    for path, notes in warned:  # explained, but read with a gap (a header field, the summary's section)
        err.print(f"warning: {path}: {'; '.join(notes)}", markup=False, highlight=False)

    # a SYNTHETIC-only model in the words `imr score`, the API and the dashboard use (`model.synthetic_notice`
    # in the JSON); the card's own warning (`model.warning`) for any other model, and where it adds the
    # figures measured on real letters
    notice = card.synthetic_notice(triage_model.metadata.model_version)
    for shown in (notice, card.warning if not notice or card.validated_on_real else None):
        if shown:
            err.print(Text.assemble(("warning", "bold yellow"), f": {shown}"))
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in results], indent=1))
    else:
        console = Console()
        t = card.trained_on
        console.print(
            f"model {triage_model.metadata.model_version}: trained on {t.real_letters:,} real and "
            f"{t.synthetic_letters:,} SYNTHETIC letters; "
            + ("validated on real letters" if card.validated_on_real else "never validated on real letters"),
            markup=False,
        )
        _print_tables(results, console, source, predictor.bands)
    if failures:
        if results:
            err.print(f"{len(failures)} of {len(failures) + len(results)} letters failed", markup=False)
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)
