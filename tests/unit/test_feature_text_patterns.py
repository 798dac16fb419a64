"""FastPattern must find exactly what the plain regex finds: it only skips positions that cannot start a
match (literal-start prefilter), so every speed change to it is checked here against `re` itself."""

from __future__ import annotations

import re

import pytest

from features.text_patterns import (
    FastPattern,
    WordIndex,
    WordText,
    _without_extensions,
    ascii_lower,
    load_patterns,
)
from synthetic.corpus import iter_letters
from synthetic.generative_model import GeneratorSettings


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Synthetic letter texts (lower-cased like the summaries) plus edge cases around spinal levels."""
    letters = [ascii_lower(t) for _, t in iter_letters(25, GeneratorSettings(seed=5))]
    edge = "l5-s1 and l4 l5, c5-6 c7-t1 t12 xl5 l55 4/5 strength, no relief from therapy. " * 5
    return letters + [edge, edge[:120], ""]


def _patterns() -> list[FastPattern]:
    return load_patterns().all()


def test_search_and_finditer_equal_plain_regex(texts: list[str]) -> None:
    pats = _patterns()
    assert sum(p.starts is not None for p in pats) > 40  # the prefilter is actually exercised
    for fp in pats:
        plain = re.compile(fp.pattern)
        for text in texts:
            for pos in (0, 7):
                want = plain.search(text, pos)
                got = fp.search(text, pos)
                assert (got and got.span()) == (want and want.span()), fp.pattern
                want_all = [m.span() for m in plain.finditer(text, pos) if m.end() > m.start()]
                got_all = [m.span() for m in fp.finditer(text, pos)]
                assert got_all == want_all, fp.pattern


def test_lazy_finditer_stops_early_with_the_same_first_match(texts: list[str]) -> None:
    fp = load_patterns()["request_cue"]
    text = max(texts, key=len)
    first = next(fp.finditer(text), None)
    assert first is not None and first.span() == re.search(fp.pattern, text).span()


def test_spinal_levels_get_two_character_starts() -> None:
    lumbar = load_patterns().regions["lumbar"]
    assert lumbar.starts is not None and "l5" in lumbar.starts and "l" not in lumbar.starts
    assert FastPattern(r"\bc[2-7]\b").starts == [f"c{i}" for i in range(2, 8)]


def test_starts_extended_by_a_shorter_start_are_dropped() -> None:
    assert _without_extensions(["not", "no", "nor", "absent", "absence", "no evidence"]) == [
        "absence", "absent", "no"]


# ---- WordText: patterns found through word starts -------------------------------------------
_ADVERSARIAL = [
    "",
    "fracture",  # match at text start and end
    "no fracture.",
    "Fracture of the L5 in 2015; 5/5 strength, x-ray, s/p repair, MVA, pt, PT.",  # upper case stays upper
    "infracture structure the he xfx fx_ 5fx l55 l5-s1 l4 l5",  # candidates inside words
    "no not nor no evidence of fracture; nono nofracture",  # overlapping literal starts
    "a\u2014fracture caf\u00e9 \u00e9fx \u00a0mri\u00a0ct",  # non-ASCII non-word and word characters
    "ct ct ct mri mris MRI's x-ray xray x rays",
    "40 year old male aged 40, age: 40; 5-year-old",
]


@pytest.fixture(params=["c_index", "pure_python"])
def make_words(request: pytest.FixtureRequest):
    """WordText with the C word index on long texts (skipped where the extension is not built), or the
    pure-Python search (key sets and `str.find`): both must give what `re` gives."""
    if request.param == "c_index" and WordIndex is None:
        pytest.skip("features._wordscan is not built (no C compiler at install)")
    indexed = request.param == "c_index"
    return lambda text: WordText(text, indexed=indexed)


def _word_led(pats: list[FastPattern]) -> list[FastPattern]:
    return [p for p in pats if p.word_keys is not None]


def test_word_text_blanks_non_word_characters_and_keys_every_word() -> None:
    for text in _ADVERSARIAL + ["  double  blanks\t\nand_under_scores 12ab", "\u00e9t\u00e9 4\u00e9 x"]:
        w = WordText(text, indexed=False)  # the key sets of the pure-Python search
        assert w.spaced == " " + re.sub(r"\W", " ", text)
        words = re.findall(r"\w+", text)
        assert w.fours == {x[:4] for x in words}
        twos = {x[:2] for x in words}
        assert w.twos == {k if k.isascii() or not k[0].isascii() else k[0] + "_" for k in twos}


def test_search_in_and_findall_in_equal_plain_regex(texts: list[str], make_words) -> None:
    """Every pattern: word-led ones by word starts, the others by their literal starts (C index) or the
    regex scan, all the same as `re`."""
    pats = _patterns()
    assert len(_word_led(pats)) > 40  # most summary patterns go through word starts
    assert any(p.word_keys is None and p.scan_literals is not None for p in pats) or WordIndex is None
    docs = texts + [ascii_lower(t) for t in _ADVERSARIAL] + _ADVERSARIAL
    docs += [" ".join([t] * 12) for t in _ADVERSARIAL if t]  # long enough for the C word index
    for fp in pats:
        plain = re.compile(fp.pattern)
        for text in docs:
            w = make_words(text)
            n = len(text)
            for pos, end in ((0, n), (7, n), (0, n // 2), (n // 3, n - 5), (n, n)):
                if end < pos:
                    continue
                want = plain.search(text, pos, end)
                got = fp.search_in(w, pos, end)
                assert (got and got.span()) == (want and want.span()), (fp.pattern, text[:40], pos, end)
                want_all = [(m.span(), m.groups()) for m in plain.finditer(text, pos, end)]
                assert [(m.span(), m.groups()) for m in fp.iter_in(w, pos, end)] == want_all
                got_all = [(m.span(), m.groups()) for m in fp.findall_in(w, pos, end)]
                assert got_all == want_all, (fp.pattern, text[:40], pos, end)


def test_patterns_that_are_not_word_led_fall_back_to_the_plain_scan(make_words) -> None:
    p = load_patterns()
    assert p["pain_score"].word_keys is None  # starts with a look-behind, not \b
    assert p["age"].digit_words and p["age"].word_keys is not None  # numbers: `WordText.digit_starts`
    assert FastPattern(r"\bfoo|\bba[rz]\d").word_keys == {"fo", "ba"}  # \b in every branch
    text = "pain 7/10 at 11/2015, 3 out of 10"
    w = make_words(text)
    assert [m.span() for m in p["pain_score"].findall_in(w)] == [
        m.span() for m in re.finditer(p["pain_score"].pattern, text)]


def test_single_character_starts_only_hit_word_starts(make_words) -> None:
    fp = FastPattern(r"\b[xy]\w*ray")
    assert fp.word_keys is not None and {"x", "xr", "y_"} <= fp.word_keys
    text = "xray axray x-ray yray xxray x\u00e9ray \u00e9xray yr"
    want = [m.span() for m in re.finditer(fp.pattern, text)]
    assert [m.span() for m in fp.findall_in(make_words(text))] == want
    assert len(fp.findall_in(make_words(text))) == 4


def test_tail_anchored_patterns_equal_plain_regex() -> None:
    """Motor grades have no literal start but end with '5' a fixed distance from the start: only those
    positions are tried (texts over 250 characters take that path)."""
    grade = load_patterns()["red_flags"]["neuro_grade"]
    assert grade.tail == ("5", (9, 7, 4, 2))
    pad = "strength testing documented during the examination of the upper extremities. " * 4
    pieces = ["4/5", "4 / 5", "4 over 5", "4 out of 5", "5-/5", "4+/5", "3-/5", "11/5/2016", "x4/5", "44/5",
              "4/55", "4/5/", "4\t/\n5", "5/5", "-4/5", "4.5/5", "0/5 1/5"]
    texts = [pad + p for p in pieces] + [p + " " + pad for p in pieces] + [pad + " ".join(pieces) + pad]
    texts += [" ".join(pieces * 8), "/5" + pad + "4/5"]
    for fp in (grade, FastPattern(r"(?<=\d)(?:ab|c\s)e"), FastPattern(r"[0-9a]\s(?:y|zzy)\b")):
        plain = re.compile(fp.pattern)
        assert fp.tail is not None
        for text in texts + [t.replace("4", "1abe c de 1 y a zzy 7\tzzyq") for t in texts]:
            for pos in (0, 3, len(pad)):
                want = plain.search(text, pos)
                got = fp.search(text, pos)
                assert (got and got.span()) == (want and want.span()), (fp.pattern, text, pos)
                want_all = [m.span() for m in plain.finditer(text, pos)]
                assert [m.span() for m in fp.finditer(text, pos)] == want_all
    assert FastPattern(r"a+b").tail is None and FastPattern(r"(?:ab|cd)").starts is not None


_PAIN_SCORE_BEFORE = (  # the pattern as first written; the packaged one moves the look-behind for speed
    r"(?<![\d/.])(\d{1,2}(?:\.\d)?)(?:\s*(?:-|to)\s*(\d{1,2}(?:\.\d)?))?\s*(?:/\s*10\b(?!\s*/)|out of "
    r"(?:a possible )?10\b|over 10\b|on a (?:scale of )?(?:0\s*-\s*|1\s*-\s*|zero to |one to )?10\b|"
    r"on an? (?:0-|1-)?10[- ]point)"
)


def test_rewritten_pain_score_pattern_matches_what_the_original_did(texts: list[str]) -> None:
    pieces = ["7/10", "7 / 10", "7.5/10", "17/10", "117/10", "x7/10", "/7/10", ".7/10", "1.7/10", "7-8/10",
              "7 to 8 out of 10", "7 out of a possible 10", "7 over 10", "7 on a scale of 0 - 10",
              "7/10/2016", "7 on a 10-point", "3-4 on a 10-point scale", "07/10", "7/100", "7/10x"]
    docs = texts + pieces + [" ".join(pieces), "a" + "b".join(pieces), "\n".join(pieces)]
    new = load_patterns()["pain_score"]
    old = re.compile(_PAIN_SCORE_BEFORE)
    assert new.pattern != old.pattern
    for text in docs:
        for pos in (0, 1, 4):
            assert [(m.span(), m.groups()) for m in new.finditer(text, pos)] == [
                (m.span(), m.groups()) for m in old.finditer(text, pos)], text


def test_required_literal_prefilter_equals_plain_regex(texts: list[str]) -> None:
    """Patterns with no literal start skip long texts that lack every literal a match must contain;
    texts with and without those literals (and matches right at the edges) give what `re` gives."""
    p = load_patterns()
    assert p["sessions_count"].required == ("sessions", "treatments", "visits")
    assert p["sessions_out_of"].required == ("sessions", "visits")  # longer than the common 'of '
    assert FastPattern(r"(?i)\d+ visits").required == ()  # case-insensitive literals: no prefilter
    assert FastPattern(r"\d+(?i:visits)").required == ()
    assert FastPattern(r"\d+(?:visits|)").required == ()  # an empty branch needs nothing
    assert FastPattern(r"\d+ ?mg").required == ("mg",) and FastPattern(r"\d+(?:m|#)").required == ()
    assert FastPattern(r"\d+(?:ab){2,}c?").required == ("ab",)
    pad = "the patient reports ongoing symptoms and follow up is documented in the record. " * 4
    pieces = ["6 sessions", "12 prior physical therapy visits", "3 of 6 authorized sessions", "2 treatments",
              "pain 7/10", "7 out of 10", "40 year old", "aged 40", "6 session", "visit", "3 of 12 visits",
              "4 ones", "4 two", "ab1", "cd2"]
    docs = texts + pieces + [pad + x for x in pieces] + [x + pad for x in pieces]  # short texts too
    docs += [pad, pad + "6 sessions"[:-1]]
    pats = [p["sessions_count"], p["sessions_out_of"], p["pain_score"], p["age"], p["duration_for"]]
    pats += [FastPattern(x) for x in (r"\d+(?:ab){2,}c?", r"[0-9]+ (?:one|two)s?\b", r"x?cd\d")]
    for fp in pats:
        assert fp.required, fp.pattern
        plain = re.compile(fp.pattern)
        for text in docs:
            n = len(text)
            for pos, end in ((0, n), (5, n), (0, n - 3), (len(pad) - 4, n)):
                want = plain.search(text, pos, end)
                got = fp.search(text, pos, end)
                assert (got and got.span()) == (want and want.span()), (fp.pattern, text[-40:], pos, end)
                want_all = [(m.span(), m.groups()) for m in plain.finditer(text, pos, end)]
                assert [(m.span(), m.groups()) for m in fp.finditer(text, pos, end)] == want_all


def test_headings_regioned_as_plain_regex_does() -> None:
    """Short texts (headings) go through `search_in` by one key-set test, then the plain scan: regions on
    headings must give what `re.search` gives."""
    from features.extractors.service_level import _find_heading_regions, clear_text_caches
    from letters.parser import parse_text

    p = load_patterns()
    raw = iter_letters(60, GeneratorSettings(seed=7))
    letters = [parse_text(t, f"h{i}.synthetic.txt") for i, (_, t) in enumerate(raw)]
    headings = sorted({s.service or s.heading for c in letters for s in c.services}) + _ADVERSARIAL + [
        "MRI lumbar spine w/o contrast", "L4-5 ESI bilateral", "tramadol 50mg #60", "PT x 12 for the knee",
        "EMG/NCV bilateral upper extremities", "Urine drug screen", "x-ray of the right wrist", "labs: cbc",
        "retrospective request for chiropractic 2x4", "Physical therapy", "pt/ot", ""]
    plain_regions = [(name, re.compile(pat.pattern)) for name, pat in p.regions.items()]
    assert len(headings) > 30
    clear_text_caches()
    for h in headings:
        text = ascii_lower(h)
        for fp in list(p.regions.values()):
            w = WordText(text)
            m = fp.search_in(w)
            want_m = re.search(fp.pattern, text)
            assert (m and m.span()) == (want_m and want_m.span()), (fp.pattern, h)
        found = [(name, m.span()) for name, rx in plain_regions if (m := rx.search(text))]
        specific = [f for f in found if f[0] != "spine_unspecified"]
        assert [(n, m.span()) for n, m in _find_heading_regions(p, text)] == (specific or found), h


def test_pattern_index_never_drops_a_rule_that_matches() -> None:
    """`PatternIndex.candidates` may list rules that do not match, never leave out one that does; and it
    does prune (most of the taxonomy's words, one per type, are ruled out for a typical heading)."""
    from features.service_families import load_taxonomy, term_regex
    from features.text_patterns import PatternIndex, compile_lower

    tax = load_taxonomy()
    rules = [compile_lower(rf"\b(?:{term_regex(words[0])})\b") for _, t in tax.types
             if (words := tax.type_terms(t))]
    index = PatternIndex(rules)
    headings = [ascii_lower(t) for t in _ADVERSARIAL] + [
        "mri lumbar spine w/o contrast", "x-ray of the right wrist", "norco 10/325mg #90",
        "synvisc-one injection", "re-evaluation visit", "home health aide 4 hours/day", "pt/ot",
        "ice/heat unit", "", "é-stim unit"]
    lines = [s for _, t in iter_letters(30, GeneratorSettings(seed=9)) for s in t.splitlines()]
    headings += [ascii_lower(s) for s in lines if 0 < len(s) < 120]
    sizes = []
    for text in headings:
        cands = index.candidates(WordText(text))
        assert cands == index.candidates(WordText(text, indexed=False))  # C table == the Python loop
        sizes.append(len(cands))
        assert cands == sorted(set(cands))
        for i, fp in enumerate(rules):
            if re.search(fp.pattern, text):
                assert i in cands, (fp.pattern, text)
    assert sum(sizes) / len(sizes) < len(rules) / 3


def test_mention_words_found_where_their_escaped_regex_finds_them() -> None:
    """Drug names are looked up as plain words (no regex compiled per heading): same starts as
    `re.finditer(re.escape(word))`, non-overlapping."""
    from features.extractors.context import CaseContext
    from features.service_families import load_taxonomy
    from letters.pre_review import PreReviewCase

    summary = "Norco-10 helped; NORCO was refilled. aaaaaaa. Re-norco, tramadol-er since 2019. norco"
    case = PreReviewCase("x", None, None, None, None, None, None, summary, ())
    ctx = CaseContext(case=case, patterns=load_patterns(), taxonomy=load_taxonomy(),
                      summary=ascii_lower(summary))
    for word in ("norco", "aaaa", "tramadol-er", "absent"):
        want = [m.start() for m in re.finditer(re.escape(word), ascii_lower(summary))]
        assert ctx.mention_starts(word) == want, word
    assert ctx.mention_starts("norco") == [0, 17, 49, 80]


def test_search_in_falls_back_when_the_first_candidate_fails(make_words) -> None:
    """`search_in` tries the earliest literal occurrence first and lists later candidates only if it
    fails: the result must still be re.search's, wherever the first success lies."""
    fp = FastPattern(r"\b(not (?:documented|noted)|nothing new|ct scan)\b")
    filler = "the worker reports pain in the back. " * 8
    texts = [
        filler + "not here, nothing. nothing new. not documented",
        filler + "noted ct, not noted",
        filler + "not, not, not",
        "ct scan " + filler + "not documented",
    ]
    for text in texts:
        assert len(text) >= 250
        words = make_words(text)
        for pos, end in ((0, None), (5, None), (0, len(text) - 3), (len(filler) + 4, None)):
            got = fp.search_in(words, pos, end)
            want = fp.regex.search(text, pos, len(text) if end is None else end)
            assert (got and got.span()) == (want and want.span()), (text[-40:], pos, end)


def test_digit_led_patterns_try_every_word_that_starts_with_a_digit(make_words) -> None:
    """Patterns a number can start (`\\b(\\d{1,3}|one|...)`) try the digit word starts of `WordText`:
    same matches as re, also for numbers glued to letters, windows, and non-ASCII digits (plain scan)."""
    p = load_patterns()
    pats = [p["age"], p["sessions_count"], p["sessions_out_of"], p["sessions_n"], p["refills"]]
    assert all(fp.digit_words for fp in pats)
    filler = "the worker was seen for follow-up of the low back. " * 6
    texts = [
        filler + "a 45-year-old male completed 12 sessions; x12 visits, l5 4 of 6 sessions, 3 refills.",
        filler + "age 37. 2015-2016: 8 (eight) physical therapy visits; 0 refills 99 treatments",
        filler + "١٢ sessions and ٤٥-year-old; 6 sessions.",  # Arabic-Indic digits match \\d
        "12 sessions at the start " + filler + "and 7 visits at the end 3",
    ]
    for text in texts:
        assert len(text) >= 250
        words = make_words(ascii_lower(text))
        low = words.text
        for fp in pats:
            for pos, end in ((0, len(low)), (3, len(low) - 2), (len(filler) - 5, len(low))):
                want = [m.span() for m in fp.regex.finditer(low, pos, end)]
                assert [m.span() for m in fp.findall_in(words, pos, end)] == want, (fp.pattern[:30], pos)
                first = fp.regex.search(low, pos, end)
                for w in (words, make_words(low)):  # digit starts listed already / found by one search
                    got = fp.search_in(w, pos, end)
                    assert (got and got.span()) == (first and first.span()), (fp.pattern[:30], pos)
