"""`imr explain LETTER...`: each disputed service's calibrated overturn likelihood and its top reasons.

Reasons are TreeSHAP contributions grouped per spec feature, each tied to a guideline phrase (or a
plain "no guideline phrase") and to the letter text that set the feature. A rich table for people,
`--json` for machines. A letter that cannot be parsed is reported by name on one line; the others
still print, and the exit status is 1 when any letter failed.
"""

from __future__ import annotations

from pathlib import Path

import typer
from pydantic import BaseModel, ConfigDict, Field


class ExplainParams(BaseModel):
    """The optional `explain:` section of params.yaml (CLI options override it)."""

    model_config = ConfigDict(extra="ignore")

    model: Path = Field(default=Path("models/model"), description="Local TriageModel directory.")
    top_k: int = Field(default=5, ge=1, description="Reasons shown per service.")


def _fmt_value(value: object) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _print_tables(letters: list, console, source: str) -> None:
    from rich.table import Table
    from rich.text import Text

    for letter in letters:
        table = Table(
            title=f"{letter.letter_id}  ({letter.source_file})",
            caption=f"model: {letter.model_version or source}; probability effect = calibrated p(all) - "
            "p(without this feature's log-odds)",
            show_lines=True,
            expand=True,
        )
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("Service", ratio=2)
        table.add_column("Overturn", justify="right", no_wrap=True)
        table.add_column("Reasons (log-odds, probability effect; guideline; letter evidence)", ratio=6)
        for s in letter.services:
            cell = Text()
            for n, r in enumerate(s.reasons):
                if n:
                    cell.append("\n")
                arrow, style = ("▲ raises", "red") if r.direction == "raises" else ("▼ lowers", "green")
                cell.append(f"{arrow} ", style=style)
                cell.append(f"{r.feature} = {_fmt_value(r.value)}", style="bold")
                cell.append(f"  {r.log_odds:+.2f} log-odds, {100 * r.probability_effect:+.1f} pp\n")
                if r.no_guideline:
                    cell.append(f"   {r.note}\n", style="dim")
                else:
                    cell.append(f"   {r.phrase}\n")
                    cell.append(f"   [{r.citation}]\n", style="cyan")
                if r.evidence:
                    quoted = "; ".join(f'{e.section}: "{e.text}"' for e in r.evidence[:2])
                    cell.append(f"   evidence: {quoted}\n", style="italic")
            if not s.reasons:
                cell.append("no feature moved this score from the base rate", style="dim")
            table.add_row(
                str(s.item_index),
                f"{s.service}\n[{s.service_family}]",
                f"{100 * s.overturn_likelihood:.1f}%",
                cell,
            )
        console.print(table)


def explain(
    letters: list[Path] = typer.Argument(..., help="Letter files (.pdf or .txt) or folders of them."),
    model: Path | None = typer.Option(None, "--model", help="TriageModel directory [params: explain.model]."),
    model_uri: str | None = typer.Option(
        None, "--model-uri", help="MLflow model URI instead, e.g. models:/imr-overturn@champion."
    ),
    top_k: int | None = typer.Option(
        None, "--top-k", min=1, help="Reasons per service [params: explain.top_k]."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (one object per letter, in a list)."),
    params_file: Path = typer.Option(Path("params.yaml"), "--params", help="params.yaml to read."),
) -> None:
    """Explain the overturn likelihood of each disputed service in IMR letters."""
    import json

    from rich.console import Console

    from imr_triage.cli_input import load_model, params_section
    from letters.ingest import expand_inputs, parse_file
    from model.explanations import explain_case
    from model.predictor import Predictor

    cfg = params_section(ExplainParams, params_file, "explain")
    k = top_k or cfg.top_k
    err = Console(stderr=True, soft_wrap=True)
    triage_model, source = load_model(model, model_uri, cfg.model)
    predictor = Predictor(triage_model, top_k=k)
    card = triage_model.metadata.card()

    # Folders are searched for letters (.pdf/.txt), as `imr parse` does; a missing path is a failure.
    files, missing = expand_inputs(letters)
    failures = [(m.source_file, m.reason) for m in missing]
    results = []
    for path in files:
        try:
            case = parse_file(path)
            if not case.services:
                raise ValueError("no disputed services found in the letter")
            results.append(explain_case(predictor, case, k))
        except Exception as exc:  # noqa: BLE001 - reported per letter, the rest still run
            failures.append((str(path), str(exc).removeprefix(f"{path}: ") or type(exc).__name__))
    for name, reason in failures:
        err.print(f"error: {name}: {reason}", markup=False, highlight=False)

    if card.warning:  # every letter's JSON carries it too (`model.warning`)
        err.print(f"[bold yellow]warning[/bold yellow]: {card.warning}")
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in results], indent=1))
    else:
        console = Console()
        t = card.trained_on
        console.print(
            f"model {triage_model.metadata.model_version}: trained on {t.real_letters} real and "
            f"{t.synthetic_letters} SYNTHETIC letters; "
            + ("validated on real letters" if card.validated_on_real else "never validated on real letters")
        )
        _print_tables(results, console, source)
    if failures:
        if results:
            err.print(f"{len(failures)} of {len(failures) + len(results)} letters failed", markup=False)
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("explain")(explain)
