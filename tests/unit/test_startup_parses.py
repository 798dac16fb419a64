"""A fresh process pays once for what it reads at start-up: each pattern is parsed once by the word-start
analysis (`features.word_start`), whichever of its two questions is asked first."""

from __future__ import annotations

import pytest

from features import word_start


def test_both_opening_questions_come_from_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    parse = word_start._p.parse

    def counting(pattern: str, flags: int = 0):  # noqa: ANN202 - re's private parse tree
        parsed.append(pattern)
        return parse(pattern, flags)

    monkeypatch.setattr(word_start._p, "parse", counting)
    pattern = r"\b(?:startup_probe_one|startup_probe_two)\b"  # a pattern no rule holds: not yet cached
    assert word_start.begins_at_boundary(pattern)
    assert word_start.starts_at_word_char(pattern)
    assert word_start.word_guarded(pattern) == rf"\b(?=\w)(?:{pattern})"
    assert parsed == [pattern]
