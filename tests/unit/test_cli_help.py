"""What a new user meets first: `imr ... --help` shows every option's help as written, and
`python -m imr_triage.cli` runs the same app as the `imr` script (it used to exit 0 doing nothing)."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.models import ParameterInfo
from typer.testing import CliRunner

from imr_triage import __version__
from imr_triage.cli import app

REPO = Path(__file__).resolve().parents[2]
_LAYOUT = re.compile(r"[\s│\\]")  # whitespace and panel borders where Rich wraps a line; escapes


def _bracketed_helps() -> list[tuple[str, str, str]]:
    """(command, option, help) for every option whose help holds brackets, the text Rich markup eats."""
    out: list[tuple[str, str, str]] = []
    for command in app.registered_commands:
        for parameter in inspect.signature(command.callback).parameters.values():
            info = parameter.default
            if isinstance(info, ParameterInfo) and info.help and "[" in info.help:
                out.append((command.name or command.callback.__name__, parameter.name, info.help))
    return out


def test_some_option_helps_say_where_their_default_comes_from_in_brackets() -> None:
    helps = {(c, o) for c, o, _ in _bracketed_helps()}
    assert {("explain", "model"), ("score", "db"), ("train", "params_file")} <= helps


@pytest.mark.parametrize(
    ("command", "option", "text"), [pytest.param(*h, id=f"{h[0]}-{h[1]}") for h in _bracketed_helps()]
)
def test_help_shows_the_bracketed_part_of_each_option_help(command: str, option: str, text: str) -> None:
    res = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert _LAYOUT.sub("", text) in _LAYOUT.sub("", res.stdout), f"{command} --{option}: {text!r}"


def test_python_dash_m_runs_the_cli() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "imr_triage.cli", "--version"], cwd=REPO, capture_output=True, text=True,
        env={"PYTHONPATH": str(REPO), "PATH": ""}, timeout=120,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"imr-triage {__version__}"


def test_each_command_is_one_line_in_the_command_list() -> None:
    """`imr --help` lists each command with the first paragraph of its help as written: retrain's three
    wrapped lines showed as a summary broken mid-sentence ("promote it if it" / "beats the champion")."""
    for command in app.registered_commands:
        text = command.short_help or command.help or inspect.getdoc(command.callback) or ""
        first = text.strip().split("\n\n")[0]
        assert "\n" not in first, f"{command.name}: {first!r}"
    listing = CliRunner().invoke(app, ["--help"], terminal_width=200).output
    assert "promote it only if it is credibly better" in listing, listing
