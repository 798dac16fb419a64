"""How `imr parse` and `imr features` end, here or on Dask (`imr_triage.batch_outcome`): each failure named
on its own line, the `wrote` line, and the documented exit status. File names here are SYNTHETIC."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
import typer
from rich.console import Console

from imr_triage.batch_outcome import end_features, end_parse

FAILURE = SimpleNamespace(source_file="syn[1].pdf", reason="no [b]decision[/b] found")


def _console() -> Console:
    return Console(record=True, width=200, file=io.StringIO())


def _exit_code(call) -> int:
    try:
        call()
    except typer.Exit as exc:
        return exc.exit_code
    return 0


@pytest.mark.parametrize(
    ("failures", "parsed", "allow", "code"),
    [([], 3, False, 0), ([FAILURE], 3, False, 1), ([FAILURE], 3, True, 0), ([FAILURE], 0, True, 1)],
)
def test_end_parse(failures: list, parsed: int, allow: bool, code: int) -> None:
    console = _console()
    assert _exit_code(lambda: end_parse(console, failures, parsed, "a, b", allow)) == code
    lines = console.export_text().splitlines()
    expected = ["  FAILED syn[1].pdf: no [b]decision[/b] found"] * len(failures) + ["wrote a, b"]
    assert lines == expected + (["no letter could be parsed"] if not parsed else [])


@pytest.mark.parametrize(
    ("failed", "rows", "letters", "allow", "code"),
    [([], 5, 2, False, 0), (["syn2: bad"], 5, 2, False, 1), (["syn2: bad"], 5, 2, True, 0),
     (["syn2: bad"], 0, 2, True, 1), ([], 0, 0, False, 1)],
)
def test_end_features(failed: list, rows: int, letters: int, allow: bool, code: int) -> None:
    """No row built is a failure whatever the letters (an empty or all-failed parse feeds nothing on)."""
    console = _console()
    assert _exit_code(lambda: end_features(console, failed, rows, letters, "out.parquet", allow)) == code
    nothing = ["no feature row was built"] if not rows else []
    failed_lines = [f"  FAILED {f}" for f in failed]
    assert console.export_text().splitlines() == [*failed_lines, "wrote out.parquet", *nothing]
