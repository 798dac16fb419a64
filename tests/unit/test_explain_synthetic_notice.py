"""`imr explain` with a model trained on SYNTHETIC letters alone names it in the words `imr score`, the API
and the dashboard use ("SYNTHETIC-ONLY MODEL: <version> was trained on ..."), on stderr and in `--json`
(`model.synthetic_only`, `model.synthetic_notice`), so a nurse who sees the dashboard's badge finds the same
words here. SYNTHETIC letter and model."""

from __future__ import annotations

import json
from pathlib import Path

from letter_texts import dwc_letter
from typer.testing import CliRunner

from imr_triage.cli import app
from model.artifact import TriageModel


def test_explain_names_a_synthetic_only_model_as_every_other_surface(
    cli_model_dir: Path, tmp_path: Path
) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text(dwc_letter(), encoding="utf-8")
    card = TriageModel.load(cli_model_dir).metadata
    notice = card.card().synthetic_notice(card.model_version)
    assert notice and notice.startswith("SYNTHETIC-ONLY MODEL: ")

    text = CliRunner().invoke(app, ["explain", str(letter), "--model", str(cli_model_dir), "--no-progress"])
    assert text.exit_code == 0, text.output
    assert f"warning: {notice}" in text.stderr.splitlines(), text.stderr

    as_json = CliRunner().invoke(
        app, ["explain", str(letter), "--model", str(cli_model_dir), "--json", "--no-progress"]
    )
    assert as_json.exit_code == 0, as_json.output
    (one,) = json.loads(as_json.stdout)
    assert one["model"]["synthetic_only"] is True and one["model"]["synthetic_notice"] == notice
    assert f"warning: {notice}" in as_json.stderr.splitlines()
