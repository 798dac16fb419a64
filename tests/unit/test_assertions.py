"""ConText rules (features/context_rules.yaml) on SYNTHETIC sentences: every rule's own example, the
phrase compilation against spaCy's Matcher, scopes, terminators, pseudo-triggers and rule validation."""

from __future__ import annotations

from functools import cache

import pytest
from pydantic import ValidationError
from row_checks import check_rows
from spacy.errors import MatchPatternError
from spacy.matcher import Matcher
from spacy.tokens import Doc

from features.analysis import AnalysedText
from features.assertions import (
    Assertion,
    Category,
    ContextEngine,
    ContextRule,
    load_rules,
    pattern_phrases,
    required_words,
)
from features.sentences import pipeline
from letters.records import Section

RULES = load_rules()


def assertion_of(example: str, concept: str = "test", engine: ContextEngine | None = None):
    """The assertion of the [bracketed] mention of a SYNTHETIC example sentence."""
    start = example.index("[")
    end = example.index("]") - 1
    text = example.replace("[", "").replace("]", "")
    m = AnalysedText(text, Section.CLINICAL_SUMMARY, engine).mention(concept, start, end)
    assert m is not None, example
    return m.assertion


def test_every_rule_gives_its_category_on_its_own_example() -> None:
    """A modifying rule puts its category on its example's mention; a terminator or pseudo-trigger
    changes what its example asserts (the example without that one rule reads differently)."""
    check_rows([(rule,) for rule in RULES], _gives_its_category,
               name=lambda rule: f"{rule.category.value}:{rule.literal}")


def _assertion_without(rule: ContextRule, concept: str) -> Assertion:
    """The example read by every rule but `rule`: its key is taken out of one full engine and put back
    (compiling all rules again per terminator took most of this module's time)."""
    engine, i = _spare_engine(), RULES.index(rule)
    engine.remove_rule(i)
    try:
        return assertion_of(rule.example, concept, engine)
    finally:
        engine.add_rule(i)


@cache
def _spare_engine() -> ContextEngine:
    """A full engine of its own, which `_assertion_without` takes a rule out of and puts back."""
    return ContextEngine(RULES)


def _gives_its_category(rule: ContextRule) -> None:
    assert rule.example.startswith("SYNTHETIC")
    concept = rule.example_concept or (rule.concepts[0] if rule.concepts else "test")
    got = assertion_of(rule.example, concept)
    if rule.category in (Category.TERMINATE, Category.PSEUDO):
        assert _assertion_without(rule, concept).categories != got.categories, (rule.literal, got)
    else:
        assert rule.category in got, (rule.literal, got)


def test_word_patterns_compile_to_phrases_that_match_what_the_matcher_matches() -> None:
    """Every rule made of words only (a string or an IN list of LOWER, optional tokens) is found as phrases
    exactly where spaCy's Matcher finds its token pattern."""
    nlp = pipeline()
    docs = [nlp(r.example.replace("[", "").replace("]", "")) for r in RULES]
    engine = ContextEngine(RULES)
    for i, rule in enumerate(RULES):
        if any(pattern_phrases(p) is None for p in rule.token_patterns()):
            continue  # a wildcard or another attribute: the rule is a Matcher pattern, not phrases
        matcher = Matcher(nlp.vocab)
        matcher.add("r", rule.token_patterns())
        for doc in docs:
            expected = {(s, e) for _, s, e in matcher(doc)}
            found = {(s, e) for mid, s, e in engine.phrases(doc) if nlp.vocab.strings[mid] == str(i)}
            assert found == expected, (rule.literal, doc.text)


def test_phrases_are_added_as_the_lower_hashes_a_doc_of_their_words_gives() -> None:
    """The engine gives the PhraseMatcher each phrase as its words' hashes, not as a Doc: the same values
    the matcher reads from a Doc of the words (its LOWER attribute)."""
    vocab = pipeline().vocab
    for rule in RULES:
        for pattern in rule.token_patterns():
            for phrase in (pattern_phrases(pattern) or [])[:20]:
                doc = Doc(vocab, words=list(phrase))
                assert [vocab.strings.add(w) for w in phrase] == [t.lower for t in doc], phrase


def test_pattern_phrases_expands_optional_and_in_tokens_and_refuses_other_attributes() -> None:
    pattern = [{"LOWER": {"IN": ["was", "is"]}}, {"LOWER": "all", "OP": "?"}, {"LOWER": "done"}]
    assert sorted(pattern_phrases(pattern)) == sorted(
        [("was", "done"), ("is", "done"), ("was", "all", "done"), ("is", "all", "done")])
    assert pattern_phrases([{"IS_DIGIT": True}]) is None
    assert pattern_phrases([{"LOWER": "a", "OP": "+"}]) is None
    assert pattern_phrases([{"LOWER": "pre"}, {"OP": "?"}, {"LOWER": "showed"}]) is None  # a wildcard token
    # ORTH of a mark without case reads like LOWER (", and"); ORTH of a word with case does not ("Dr")
    assert sorted(pattern_phrases([{"ORTH": ",", "OP": "?"}, {"LOWER": "and"}])) == [(",", "and"), ("and",)]
    assert pattern_phrases([{"ORTH": "Dr"}, {"LOWER": "said"}]) is None
    assert pattern_phrases([{"ORTH": {"IN": [",", "Dr"]}}]) is None


def test_required_words_are_the_word_tests_of_the_tokens_every_match_holds() -> None:
    """Session 32: a token that must be there (no OP, or "+") and tests LOWER or ORTH words gives its words,
    lower-cased; an optional token, a wildcard or another test (NOT_IN, IS_ALPHA) gives none."""
    pattern = [{"LOWER": {"IN": ["none", "neither"]}}, {"LOWER": "of"}, {"LOWER": "the", "OP": "?"},
               {"IS_ALPHA": True}, {"ORTH": {"NOT_IN": [","]}, "OP": "+"}, {"ORTH": "Dr", "OP": "+"},
               {"IS_SENT_START": True, "LOWER": {"IN": ["after", "since"]}}, {"OP": "?"}]
    assert required_words(pattern) == [frozenset({"none", "neither"}), frozenset({"of"}), frozenset({"dr"}),
                                       frozenset({"after", "since"})]
    assert required_words([{"LIKE_NUM": True}, {"LOWER": "x", "OP": "*"}]) == []


def test_token_matches_are_the_matches_of_every_token_pattern() -> None:
    """The Matcher a doc is read by holds only the token patterns whose required words it holds: its matches
    are those of one Matcher of every rule's token patterns, on docs that hold them and docs that do not."""
    nlp = pipeline()
    engine = ContextEngine(RULES)
    full = Matcher(nlp.vocab)
    for i, rule in enumerate(RULES):
        patterns = [p for p in rule.token_patterns() if pattern_phrases(p) is None]
        if patterns and not (rule.category == Category.TERMINATE and rule.ends is not None):
            full.add(str(i), patterns)
    texts = [r.example.replace("[", "").replace("]", "") for r in RULES] + [
        "SYNTHETIC: The worker walks daily.", "SYNTHETIC",
        "SYNTHETIC: None of the injections helped, and his wife reports that the patient sleeps poorly. "
        "Following the fusion, he had 6 sessions of therapy, reports less pain, and returned to work."]
    found = 0
    for doc in nlp.pipe(texts):
        expected = sorted(full(doc))
        assert sorted(engine.token_matches(doc)) == expected, doc.text
        found += len(expected)
    assert found


def test_negation_scope_ends_at_its_maximum_and_at_a_terminator() -> None:
    assert Category.NEGATED in assertion_of("SYNTHETIC: No sign of [weakness] was seen.")
    far = ("SYNTHETIC: No tenderness, swelling, redness, warmth, spasm, deformity or crepitus "
           "and then [weakness].")
    assert assertion_of(far).affirmed
    assert assertion_of("SYNTHETIC: He denied numbness; [weakness] was found.").affirmed
    assert assertion_of("SYNTHETIC: [Weakness] was noted although he denied numbness.").affirmed


def test_a_trigger_inside_the_mention_does_not_modify_it() -> None:
    assert assertion_of("SYNTHETIC: She reported [no better] pain control.").affirmed


def test_a_trigger_inside_a_longer_one_of_another_category_is_dropped() -> None:
    got = assertion_of("SYNTHETIC: UR found the [MRI] not medically necessary.")
    assert got.categories == {Category.HYPOTHETICAL}


def test_sentences_are_independent() -> None:
    assert assertion_of("SYNTHETIC: There was no fever. [Weakness] of the leg was found.").affirmed


def test_status_names_one_category_in_a_fixed_order() -> None:
    got = assertion_of("SYNTHETIC: There is no history of [cancer] in his father.")
    assert {Category.NEGATED, Category.HISTORICAL, Category.FAMILY} <= got.categories
    assert got.status == "negated"
    assert assertion_of("SYNTHETIC: [Weakness] was found.").status == "affirmed"


@pytest.mark.parametrize("bad", [
    {"category": "negated", "literal": "no", "direction": "terminate", "example": "SYNTHETIC: [x]"},
    {"category": "terminate", "literal": "but", "direction": "forward", "example": "SYNTHETIC: [x]"},
    {"category": "negated", "literal": "no", "direction": "forward", "example": "no brackets"},
    {"category": "negated", "literal": "no", "direction": "forward", "terminates": ["negated"],
     "example": "SYNTHETIC: [x]"},
    {"category": "negated", "literal": "no", "direction": "forward", "backward_only": True,
     "example": "SYNTHETIC: [x]"},
    {"category": "negated", "literal": "no", "direction": "forward", "ends": ["without"],
     "example": "SYNTHETIC: [x]"},
    {"category": "terminate", "literal": ",", "direction": "terminate", "at_first_token": True,
     "at_last_token": True, "example": "SYNTHETIC: [x]"},
    {"category": "negated", "literal": "no", "direction": "forward", "example": "SYNTHETIC: [x]", "typo": 1},
])
def test_malformed_rules_are_refused(bad: dict) -> None:
    with pytest.raises(ValidationError):
        ContextRule.model_validate(bad)


def test_yaml_booleans_in_patterns_are_refused() -> None:
    text = ('rules:\n  - {category: negated, literal: "no", direction: forward,'
            ' pattern: [{LOWER: {IN: [no]}}], example: "SYNTHETIC: no [x]"}\n')
    with pytest.raises(ValidationError, match="not a string"):
        load_rules(text)


def test_an_invalid_token_pattern_is_refused_when_the_engine_is_built() -> None:
    """The per-doc Matchers do not validate their patterns: the engine validates each one when it adds it,
    so a misspelt attribute fails at load, not silently in some doc."""
    rule = ContextRule.model_validate({"category": "negated", "literal": "no", "direction": "forward",
                                       "pattern": [{"LOWER": "no"}, {"IS_ALPHAA": True}],
                                       "example": "SYNTHETIC: no [x]"})
    with pytest.raises(MatchPatternError):
        ContextEngine([rule], list_stop=[])


@pytest.mark.parametrize("example, negated", [
    # round 35: a list comma that opens the next item ends "without" ...
    ("SYNTHETIC: Care has included a cane, without relief, and [acupuncture] visits.", False),
    ("SYNTHETIC: Care has included a cane without relief, [acupuncture], and ice.", False),
    ("SYNTHETIC: Care has included a cane without relief, heat, and [acupuncture] visits.", False),
    # ... not a series of the negated things themselves ("or"), nor another negation's list
    ("SYNTHETIC: Care has included a cane without relief, [improvement] or benefit.", True),
    ("SYNTHETIC: Care has included a cane without relief, heat, or [acupuncture].", True),
    ("SYNTHETIC: There was no relief, and [acupuncture] was tried.", True),
    ("SYNTHETIC: He denies numbness, tingling, and [fever].", True),
])
def test_a_list_comma_that_opens_an_item_ends_without(example: str, negated: bool) -> None:
    assert (Category.NEGATED in assertion_of(example)) is negated


def test_a_terminator_limited_to_some_triggers_is_sought_only_in_their_sentences() -> None:
    """Round 35's list-comma terminator of "without" runs only in a sentence holding "without", at that
    sentence's own token offsets (a later sentence of the doc), and is not sought elsewhere."""
    engine = ContextEngine(RULES)
    example = ("SYNTHETIC: The worker walks daily. She had ibuprofen without relief, [acupuncture], and a "
               "home exercise program.")
    assert assertion_of(example, "therapy", engine).affirmed
    negated = "SYNTHETIC: The worker walks daily. She had ibuprofen without [acupuncture] or massage."
    assert Category.NEGATED in assertion_of(negated, "therapy", engine)
    nlp = pipeline()
    no_gate = nlp("SYNTHETIC: She had ibuprofen, acupuncture, and a home exercise program.")
    gated = {str(i) for i, r in enumerate(RULES) if r.ends is not None}
    assert gated and all(k in engine.gated for k in gated)
    matches = set(engine.phrases(no_gate)) | set(engine.token_matches(no_gate))
    assert not engine._gated_matches(no_gate, matches)


@pytest.mark.parametrize("worker", ["he", "the patient", "the injured worker", "Mr. Doe", "the claimant"])
def test_a_longer_name_for_the_worker_never_puts_a_mention_out_of_a_triggers_reach(worker: str) -> None:
    """A trigger's reach in words counts a name for the worker as one word, as "he" is ("no" reaches ten
    words): the writer's choice of name cannot change what a sentence asserts (round 43 s4301)."""
    example = f"SYNTHETIC: No reports from the clinic say that {worker} ever had [weakness] of the leg."
    assert Category.NEGATED in assertion_of(example, "neuro_deficit")
    possessive = {"he": "his"}.get(worker, f"{worker}'s")
    example = f"SYNTHETIC: No reports from the clinic say that {possessive} leg had [weakness]."
    assert Category.NEGATED in assertion_of(example, "neuro_deficit")
