"""Case-insensitive search without IGNORECASE (`features.casefold`): a lower-cased pattern in lower-cased text
finds the spans the IGNORECASE pattern finds, offsets kept, and non-ASCII text falls back to the latter."""

from __future__ import annotations

import re

import pytest

from features.casefold import (
    compile_folded,
    folded_spans,
    folded_text,
    lower_pattern,
    lower_text,
    names_no_cased_non_ascii,
)

WORDS = r"\b(?:Physical Therapy|PT|chiropractic care|TENS)\b"
PLAIN = re.compile(WORDS, re.IGNORECASE)
FOLDED = compile_folded(WORDS)


@pytest.mark.parametrize("text", [
    "SYNTHETIC. She completed Physical Therapy and pt, then TENS; Chiropractic Care did not help.",
    "SYNTHETIC. Kept at home: no therapy named here.",
    "SYNTHETIC. İzmir: he had PHYSICAL THERAPY and tens.",  # not ASCII ("İ".lower() is two characters)
])
def test_folded_spans_are_the_ignorecase_spans(text: str) -> None:
    expected = [m.span() for m in PLAIN.finditer(text)]
    assert folded_spans(FOLDED, PLAIN, text) == expected
    if text.isascii():  # a caller's own lower-cased text gives the same
        assert folded_spans(FOLDED, PLAIN, text, text.lower()) == expected


def test_lower_pattern_lowers_literal_letters_and_keeps_escapes() -> None:
    """An escape keeps its letter (\\B is not \\b); an escaped backslash escapes nothing after it; an escaped
    line break is an escape too, and a last lone backslash stays."""
    assert lower_pattern(r"\bPT\B\\N[A-Z]\W(?:Mx\.)") == r"\bpt\B\\n[a-z]\W(?:mx\.)"
    assert lower_pattern("\\\nB") == "\\\nb"
    assert lower_pattern("NSAID\\") == "nsaid\\"


def test_lower_text_keeps_every_offset() -> None:
    text = "SYNTHETIC. İstanbul clinic: MRI of the Knee."
    assert len(lower_text(text)) == len(text) and lower_text(text).endswith("mri of the knee.")


def test_unicode_spaces_read_as_spaces_under_ascii_words() -> None:
    """The patterns read ASCII `\\s` (session 44's speed change); a summary pasted with no-break or thin
    spaces still gives the facts its plain-spaced twin gives (a `Case` stores its summary with plain spaces:
    at the session-44 merge, before that, the count of sessions was lost)."""
    from fact_kind_rows import value

    plain = ("SYNTHETIC. The patient completed 12 sessions of physical therapy without improvement. "
             "Examination showed 4/5 strength of the left EHL and decreased sensation in the L5 dermatome.")
    spaced = plain.replace(" ", "\u00a0", 9).replace("4/5 strength", "4/5\u2009strength")
    heading = "Physical therapy x 8 for the lumbar spine"
    for name in ("failed_conservative_care", "prior_sessions", "red_flag_neuro_deficit"):
        assert value(spaced, name, heading) == value(plain, name, heading), name
    assert value(plain, "prior_sessions", heading) == 12


@pytest.mark.parametrize("text", [
    "SYNTHETIC. She completed Physical Therapy and pt, then TENS; Chiropractic Care did not help.",
    "SYNTHETIC. İzmir: he had PHYSICAL THERAPY and tens.",
    "SYNTHETIC. Phyſical therapy, \u212aept home; chıropractic care \u2013 no T\u0130NS.",  # IGNORECASE twins
])
def test_the_folded_twin_in_folded_text_finds_the_ignorecase_spans_in_any_text(text: str) -> None:
    """`folded_text`: the one compiled twin reads a non-ASCII text too, the four non-ASCII letters IGNORECASE
    takes for an ASCII one (İ ı ſ and the Kelvin sign) included, offsets kept."""
    assert len(folded_text(text)) == len(text)
    assert [m.span() for m in FOLDED.finditer(folded_text(text))] == [m.span() for m in PLAIN.finditer(text)]


def test_the_twins_of_folded_text_are_all_that_ignorecase_adds_to_an_ascii_letter() -> None:
    """Every non-ASCII character an ASCII letter matches with IGNORECASE is written as that letter."""
    letters = re.compile("[a-z]", re.IGNORECASE)
    twins = [chr(c) for c in range(128, 0x110000) if letters.fullmatch(chr(c))]
    assert twins and all(re.fullmatch(folded_text(t), t, re.IGNORECASE) for t in twins)
    assert folded_text("".join(twins)).isascii()


def test_a_pattern_naming_a_cased_non_ascii_letter_cannot_be_read_folded_only() -> None:
    assert names_no_cased_non_ascii(WORDS)
    assert names_no_cased_non_ascii(r"patient\u2019s|\x2d|\N{EN DASH}")  # no case: read alike
    assert not names_no_cased_non_ascii("caf\u00e9")
    assert not names_no_cased_non_ascii(r"caf\u00e9|\x4b")
    assert not names_no_cased_non_ascii(r"\N{LATIN SMALL LETTER LONG S}")
    assert not names_no_cased_non_ascii(r"caf\u00E9")


_CLAIM_TEXTS = [
    "This is a Stress Claim; the applicant Denies Any Physical Pain.",
    "He reports INSOMNIA and difficulty staying asleep since the injury.",
    "She sleeps only 4 hours a night because of low back pain.",
    "Suspected CRPS of the right hand; bone scan requested.",
    "The worker has no sleep complaint and no psychiatric history.",
    "Posttraumatic stress after the robbery at work.",
    "The claimant\u2019s sleep is poor: Poor Sleep and anxiety.",  # not ASCII: searched as written
    "Lumbar strain, improving with therapy.",
]


def test_a_folded_search_finds_what_the_ignorecase_pattern_finds() -> None:
    """Session 31: `FoldedSearch` (the lower-cased twin in an ASCII text) answers as the IGNORECASE pattern
    does, and so do a letter's claim kinds."""
    from features.casefold import FoldedSearch
    from features.criteria import load_criteria
    from features.criteria_facts import claim_kinds, lexicons

    table = load_criteria()
    searches = [p for kind in lexicons(table).claim_kinds.values() for p in kind if p is not None]
    assert searches and all(isinstance(p, FoldedSearch) for p in searches)
    found = 0
    for text in _CLAIM_TEXTS:
        lower = text.lower() if text.isascii() else None
        for p in searches:
            assert p.found_in(text, lower) == (p.plain.search(text) is not None), (text, p.plain.pattern)
            found += p.found_in(text, lower)
        kinds = frozenset(
            name for name, (c, d, u) in lexicons(table).claim_kinds.items()
            if c.plain.search(text) or (d is not None and d.plain.search(text)
                                        and not (u is not None and u.plain.search(text))))
        assert claim_kinds(table, text) == kinds, text
    assert found >= 4


_CARE_SENTENCES = [
    "SYNTHETIC. She completed Physical Therapy and a Home Exercise Program without relief.",
    "SYNTHETIC. NSAIDs, ICE and REST did not help; TENS was tried.",
    "SYNTHETIC. He underwent an L4-5 fusion in 2015.",
    "SYNTHETIC. The applicant\u2019s Chiropractic care helped briefly.",  # not ASCII: searched as written
    "SYNTHETIC. No treatment is described.",
]


def test_conservative_words_read_lower_cased_find_what_the_pattern_finds() -> None:
    """Session 31: `conservative_words`, read in most sentences, is searched lower-cased in an ASCII one."""
    from features.function_and_care import _conservative_words, _says_conservative_words

    words = _conservative_words()
    found = 0
    for text in _CARE_SENTENCES:
        assert _says_conservative_words(text) == (words.plain.search(text) is not None), text
        spans = folded_spans(words.folded, words.plain, text)
        assert spans == [m.span() for m in words.plain.finditer(text)], text
        found += len(spans)
    assert found >= 6


_AUTHOR_SENTENCES = [
    "SYNTHETIC. Per The PR-2 dated 03/01/2016, the patient reported Low Back Pain.",
    "SYNTHETIC. The UR Reviewer noted that the request was Not Medically Necessary.",
    "SYNTHETIC. The QME, Dr. Smith, found no ratable impairment; the Patient States she is worse.",
    "SYNTHETIC. The applicant\u2019s physician documented tenderness.",  # not ASCII: searched as written
    "SYNTHETIC. Lumbar range of motion is reduced.",
]


def test_author_cues_read_lower_cased_are_those_the_cues_find() -> None:
    """Session 31: `AuthorRules._cues_in` reads an ASCII sentence lower-cased: the same (start, author)."""
    from features.authors import load_author_rules

    rules = load_author_rules()
    assert [a for a, _ in rules._folded_cues] == [a for a, _ in rules.cues]
    assert not any(cue.flags & re.IGNORECASE for _, cue in rules._folded_cues)
    found = 0
    for text in _AUTHOR_SENTENCES:
        plain = [(m.start(), author) for author, cue in rules.cues for m in cue.finditer(text)]
        assert rules._cues_in(text) == plain, text
        found += len(plain)
    assert found >= 3
