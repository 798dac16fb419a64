"""A fresh process pays once for what it reads at start-up: each pattern is parsed once by the word-start
analysis (`features.word_start`), whichever of its two questions is asked first, and `context_rules.yaml`
once for all its readers."""

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


def test_the_context_rules_file_is_parsed_once_for_all_its_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    from features import assertion_sets, assertions

    calls: list[str] = []  # each parse: of the packaged file (read_yaml), of a text of its own (parse_yaml)
    parse, read = assertions.parse_yaml, assertions.read_yaml
    monkeypatch.setattr(assertions, "parse_yaml", lambda text: calls.append("text") or parse(text))
    monkeypatch.setattr(assertions, "read_yaml", lambda name: calls.append(name) or read(name))
    cached = (assertions.packaged_rules_file, assertions.load_list_stop, assertion_sets._category_triggers,
              assertion_sets._trigger_subset)
    for reader in cached:
        reader.cache_clear()
    try:
        rules = assertions.load_rules()
        assert assertions.load_list_stop() and assertion_sets._request_triggers()
        assert len(assertions.load_rules()) == len(rules)
        assert len(calls) == 1
        assert assertions.load_rules("rules: []\nlist_stop: []\n") == []  # a text of its own is parsed
        assert len(calls) == 2
    finally:  # read again, unpatched, by the next test that needs them
        for reader in cached:
            reader.cache_clear()
