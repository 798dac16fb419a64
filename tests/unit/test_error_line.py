"""One wording for an exception on one line, shared by the CLI and training (`imr retrain` had its own copy,
`_one_line`, because training may not import the CLI layer)."""

from __future__ import annotations

import training.retrain
from imr_triage import cli_input
from training.error_line import one_line


def test_one_line_keeps_the_type_and_the_first_line_only() -> None:
    assert one_line(ValueError("SYNTHETIC first line\n  second line\n")) == "ValueError: SYNTHETIC first line"
    assert one_line(KeyError()) == "KeyError" and one_line(OSError("  \n")) == "OSError"


def test_the_cli_and_retrain_use_the_same_function() -> None:
    assert cli_input.one_line is one_line and training.retrain.one_line is one_line
    assert not hasattr(training.retrain, "_one_line")
