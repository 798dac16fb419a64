"""An exception as one line, for `error:` lines and reports: library messages run to many lines.

Here rather than in the CLI layer so that training code (`imr retrain`'s report) and the CLI
(`imr_triage.cli_input`) share one wording: training may not import the CLI, and the CLI imports training.
"""

from __future__ import annotations


def one_line(exc: BaseException) -> str:
    """`Type: first line of its message`, or `Type` alone when the message is empty."""
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
