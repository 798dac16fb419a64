"""Assertion status of a mention (negated, possible, hypothetical, historical, family) by ConText rules.

The rules are data (`context_rules.yaml`): each is a trigger phrase (a literal, or a spaCy token pattern),
a category and a direction with an optional maximum scope in tokens. spaCy's `Matcher` finds the triggers
in each sentence; a mention is modified by every trigger whose scope covers it, within its sentence,
until a terminator ("but", ";") or the scope's end. A pseudo-trigger ("no change") cancels the triggers
it overlaps. medspaCy implements the same algorithm but cannot be installed with this stack
(experiments/assertions.md says why); this is the algorithm in ~150 lines over spaCy 3.8.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from spacy.attrs import LOWER
from spacy.errors import MatchPatternError
from spacy.matcher import Matcher, PhraseMatcher
from spacy.schemas import validate_token_pattern
from spacy.tokens import Doc

from features.assertion_categories import Category
from features.package_data import parse_yaml, read_yaml
from features.sentences import pipeline, sentence_starts, tokens_written
from features.style import load_style_words
from features.word_abbreviations import abbreviations, spelled_token_patterns
from features.written_dates import month_names, month_words


class Direction(StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"
    BIDIRECTIONAL = "bidirectional"
    PSEUDO = "pseudo"
    TERMINATE = "terminate"


MODIFYING = (Category.NEGATED, Category.FAMILY, Category.HYPOTHETICAL, Category.POSSIBLE, Category.HISTORICAL)
"""The categories a mention can carry, in the order `status` reports them (the first present wins)."""


class ContextRule(BaseModel):
    """One ConText rule as written in `context_rules.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Category
    literal: str
    direction: Direction
    pattern: list[Any] | None = Field(default=None, description="spaCy token pattern(s) for the literal")
    max_scope: int | None = Field(default=None, ge=1)
    terminates: list[Category] | None = None
    # round 33: a terminator that ends only the scopes reaching back over it (a request told after a start of
    # use), not those reaching forward over it ("the plan included X and Y" keeps Y planned)
    backward_only: bool = Field(default=False, description="terminate rules only: end backward scopes only")
    at_last_token: bool = Field(default=False, description="trigger only at the last token matched")
    # session 39 (round-81 kind K1): a past fact told in a bracket inside a plan ("Plan: ..., acupuncture x 6
    # (he had 12 acupuncture visits in 2014 with improved sitting tolerance)") is history: the plan resumes
    # after the bracket
    bracket_only: bool = Field(default=False, description="terminate rules only: at an opening bracket, it "
                               "ends forward scopes inside that bracket only, up to its close")
    # round 35: a list comma ends the scope of "without" ("A without relief, and 6 visits of B") but not of
    # "no" or "denies", whose denial runs over a coordinated list; the pattern that tells a new item of an
    # "and" list from the next negated thing of an "or" list looks ahead: the terminator stands at its comma
    at_first_token: bool = Field(default=False, description="trigger only at the first token matched")
    ends: list[str] | None = Field(default=None, description="terminate rules only: the trigger literals "
                                   "whose scope it ends (default: every trigger of `terminates`)")
    # session 31 (round-51 kind E): a denial over a long coordinated list reaches its last item
    list_scope: int | None = Field(default=None, ge=1, description="forward rules only: each list comma "
                                   "or 'or' after it, to a `list_stop` word, negates so many tokens on")
    concepts: list[str] | None = None
    not_concepts: list[str] | None = None
    example: str
    example_concept: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ContextRule:
        structural = {Category.PSEUDO: Direction.PSEUDO, Category.TERMINATE: Direction.TERMINATE}
        if structural.get(self.category, self.direction) != self.direction or (
            self.category not in structural and self.direction in structural.values()
        ):
            raise ValueError(f"rule {self.literal!r}: category {self.category} cannot go {self.direction}")
        if (self.terminates is not None or self.backward_only or self.ends is not None or self.bracket_only) \
                and self.category != Category.TERMINATE:
            raise ValueError(f"rule {self.literal!r}: `terminates`, `backward_only`, `ends`, `bracket_only`: "
                             "terminate rules")
        if self.list_scope is not None and self.direction != Direction.FORWARD:
            raise ValueError(f"rule {self.literal!r}: `list_scope` is for forward triggers")
        if self.at_first_token and self.at_last_token:
            raise ValueError(f"rule {self.literal!r}: a trigger stands at its first or last token, not both")
        if "[" not in self.example or "]" not in self.example:
            raise ValueError(f"rule {self.literal!r}: the example must mark its mention in [brackets]")
        for pattern in self.token_patterns():
            for spec in pattern:
                for key in ("LOWER", "ORTH", "TEXT"):
                    value = spec.get(key)
                    words = value.get("IN", []) if isinstance(value, dict) else [value] if key in spec else []
                    bad = [w for w in words if not isinstance(w, str)]
                    if bad:
                        raise ValueError(f"rule {self.literal!r}: pattern word {bad[0]!r} is not a string "
                                         "(quote YAML words such as no, yes, on, off)")
        return self

    def token_patterns(self) -> list[list[dict[str, Any]]]:
        """The Matcher patterns: the explicit pattern(s), else the literal's tokens (lower-cased); a word
        with a clinical abbreviation ("without": "w/o") takes the abbreviation's token too, and a phrase
        with one ("due to": "d/t") is matched by that token alone as well."""
        if self.pattern is None:
            return spelled_token_patterns([{"LOWER": t.lower_} for t in pipeline().tokenizer(self.literal)])
        if self.pattern and isinstance(self.pattern[0], list):
            return [q for p in self.pattern for q in spelled_token_patterns(p)]
        return spelled_token_patterns(self.pattern)

    def modifies(self, concept: str) -> bool:
        if self.concepts is not None and concept not in self.concepts:
            return False
        return not (self.not_concepts is not None and concept in self.not_concepts)


@dataclass(frozen=True, slots=True)
class Modifier:
    """A trigger found in a doc: token range [start, end) and the rule it matched."""

    rule: ContextRule
    start: int
    end: int
    until: int | None = None  # a trigger inside a bracket: its forward scope ends at the bracket's close


@dataclass(frozen=True, slots=True)
class Assertion:
    """What a mention asserts: the set of modifying categories (empty: affirmed) and the triggers."""

    categories: frozenset[Category]
    triggers: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """One word for explanations: the first category of `MODIFYING` present, else 'affirmed'."""
        for c in MODIFYING:
            if c in self.categories:
                return c.value
        return "affirmed"

    @property
    def affirmed(self) -> bool:
        return not self.categories

    def __contains__(self, category: object) -> bool:
        return category in self.categories


AFFIRMED = Assertion(frozenset())


MAX_PHRASES = 5000  # a token pattern that expands to more phrases than this stays a Matcher pattern


def pattern_phrases(pattern: list[dict[str, Any]]) -> list[tuple[str, ...]] | None:
    """The lower-case token sequences a token pattern matches, when it only tests LOWER (a string or
    an IN list) with optional tokens (OP "?"); None for any other pattern. ORTH of characters without
    case (",") is the same test as LOWER."""
    phrases: list[tuple[str, ...]] = [()]
    for spec in pattern:
        op = spec.get("OP")
        attr = "LOWER" if "LOWER" in spec else "ORTH" if _uncased(spec.get("ORTH")) else None
        if attr is None or set(spec) - {attr, "OP"} or op not in (None, "?"):
            return None  # a wildcard token ({OP: "?"}) or another attribute: a Matcher pattern
        value = spec[attr]
        words = [value] if isinstance(value, str) else value.get("IN") if set(value) == {"IN"} else None
        if words is None:
            return None
        options = [(w.lower(),) for w in words] + ([()] if op == "?" else [])
        phrases = [p + o for p in phrases for o in options]
        if len(phrases) > MAX_PHRASES:
            return None
    return [p for p in phrases if p]


def required_words(pattern: list[dict[str, Any]]) -> list[frozenset[str]]:
    """For each token every match of a token pattern holds (no `OP`, or "+") that must be one of some
    words (LOWER, or ORTH, a string or an IN list): those words, lower-cased (a token whose ORTH is a word
    has that word lower-cased as its LOWER). A doc holding no word of one of these sets has no match."""
    out: list[frozenset[str]] = []
    for spec in pattern:
        if spec.get("OP") not in (None, "+"):
            continue
        for attr in ("LOWER", "ORTH"):
            value = spec.get(attr)
            words = [value] if isinstance(value, str) else value.get("IN") \
                if isinstance(value, dict) and set(value) == {"IN"} else None
            if words is not None:
                out.append(frozenset(str(w).lower() for w in words))
    return out


def _uncased(value: Any) -> bool:
    """Whether an ORTH value only names strings without case, which LOWER reads alike."""
    words = [value] if isinstance(value, str) else value.get("IN") if isinstance(value, dict) \
        and set(value) == {"IN"} else None
    return bool(words) and all(isinstance(w, str) and w.lower() == w.upper() for w in words)


class ContextEngine:
    """The rules compiled into spaCy matchers: patterns that only test words become phrases of one
    `PhraseMatcher` (one pass over the doc whatever the number of rules); any other token pattern goes to
    a `Matcher`. Both find exactly the token sequences the patterns describe. A terminator limited to some
    triggers (`ends`) has a Matcher of its own, run only in the sentences that hold one of them.
    The Matcher a doc is read by holds only the token patterns whose `required_words` the doc holds (session
    32: patterns such as "none of the ..." cost a test at every token of every doc; the others cannot
    match there, so each doc's matches are the same)."""

    def __init__(self, rules: Sequence[ContextRule], list_stop: Iterable[str] | None = None) -> None:
        self.rules = tuple(rules)
        self.list_stop = frozenset(load_list_stop() if list_stop is None else (w.lower() for w in list_stop))
        vocab = pipeline().vocab
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        # rule key -> its token patterns, each with its required words (as LOWER hashes)
        self.token_patterns: dict[str, list[tuple[list[dict[str, Any]], tuple[frozenset[int], ...]]]] = {}
        self._matchers: dict[tuple[tuple[str, int], ...], Matcher] = {}  # one per set of patterns a doc needs
        self.gated = Matcher(vocab)
        self.gates = frozenset(w for r in self.rules if _gated(r) for w in r.ends or ())
        for i in range(len(self.rules)):
            self.add_rule(i)

    def add_rule(self, i: int) -> None:
        """Compile rule `i` into the matchers (its key is `str(i)`; a test removes one key and adds it back
        instead of compiling every rule again). A phrase goes to the `PhraseMatcher` as what it reads from a
        `Doc` of the phrase's words, their LOWER hashes (as spaCy's own unpickling adds them): the rules
        expand to some 32,000 phrases, and a throwaway `Doc` for each took about a tenth of a fresh
        process's `imr explain`."""
        strings = self.phrases.vocab.strings
        if _gated(self.rules[i]):
            self.gated.add(str(i), self.rules[i].token_patterns())
            return
        self._matchers.clear()
        for pattern in self.rules[i].token_patterns():
            phrases = pattern_phrases(pattern)
            if phrases is None:
                errors = validate_token_pattern(pattern)  # once here: the per-doc Matchers skip it
                if errors:
                    raise MatchPatternError(str(i), {0: errors})
                words = tuple(frozenset(strings.add(w) for w in ws) for ws in required_words(pattern))
                self.token_patterns.setdefault(str(i), []).append((pattern, words))
            else:  # the words are lower-case already (`pattern_phrases`): each word's hash is its LOWER
                self.phrases.add(str(i), [[strings.add(w) for w in p] for p in phrases])

    def remove_rule(self, i: int) -> None:
        """Take rule `i` out of the matchers (a test reads an example without it, then `add_rule(i)`)."""
        key = str(i)
        for matcher in (self.phrases, self.gated):
            if key in matcher:
                matcher.remove(key)
        self.token_patterns.pop(key, None)
        self._matchers.clear()

    def token_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """The token patterns' matches in `doc`, by a Matcher of only the patterns whose required words
        (`required_words`) are all in the doc: every match of the others would hold a word the doc lacks.
        The Matcher does not validate its patterns: `add_rule` did, once (validation was 60% of the cost
        of building a doc's Matcher)."""
        words = set(doc.to_array(LOWER).tolist())
        needed = tuple((key, j) for key, patterns in self.token_patterns.items()
                       for j, (_, required) in enumerate(patterns)
                       if all(not w.isdisjoint(words) for w in required))
        if not needed:
            return []
        matcher = self._matchers.get(needed)
        if matcher is None:
            matcher = self._matchers[needed] = Matcher(doc.vocab, validate=False)
            for key, j in needed:
                matcher.add(key, [self.token_patterns[key][j][0]])
        return matcher(doc)

    def modifiers(self, doc: Doc) -> list[Modifier]:
        """Every trigger in `doc`. A trigger inside a longer one of another category is dropped ("not
        medically necessary" is a request, not a negation; "was denied" is not "denied"); inside one
        of the same category both stay (each with its own direction and scope). Pseudo-triggers remove
        what they overlap from within (one beginning before them stays) and are then dropped themselves."""
        strings = doc.vocab.strings
        matches = set(self.phrases(doc))
        matches.update(self.token_matches(doc))
        if len(self.gated):
            matches.update(self._gated_matches(doc, matches))
        found = [_placed(self.rules[int(strings[mid])], s, e) for mid, s, e in matches]
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Modifier] = []
        for m in found:
            if any(k.start <= m.start and m.end <= k.end and (k.end - k.start) > (m.end - m.start)
                   and k.rule.category != m.rule.category for k in kept[-4:]):
                continue
            kept.append(m)
        kept = [_bounded_to_its_items(doc, m) if m.rule.list_scope is not None else m for m in kept]
        listed = self._list_separators(doc, [m for m in kept if m.rule.list_scope is not None])
        if listed:  # in text order, as the sentences take them
            kept = sorted([*kept, *listed], key=lambda m: (m.start, -(m.end - m.start)))
        pseudo = [m for m in kept if m.rule.category == Category.PSEUDO]
        if pseudo:
            # round 26: a trigger that begins before the pseudo-trigger is a longer phrase it only ends ("an
            # MRI is not indicated without": the pseudo "not indicated without" frees what follows only)
            kept = [m for m in kept if m.rule.category != Category.PSEUDO
                    and not any(p.start <= m.start < p.end for p in pseudo)]
        return _bracketed(doc, kept)

    def _list_separators(self, doc: Doc, triggers: list[Modifier]) -> list[Modifier]:
        """For each trigger with a `list_scope`, a copy of it (scope `list_scope`) at every list separator
        (",", "or", "nor") of the coordinated list after it: the list runs until a `list_stop` word, a number
        or the sentence's end, and a separator before such a word opens no item of the list. Session 40
        (round-90 kind K1): after a list comma, "and" before an item that opens no clause joins the
        list's last item ("denied fever, weight loss, incontinence and any history of cancer");
        the list ends there."""
        out: list[Modifier] = []
        for m in triggers:
            rule = m.rule.model_copy(update={"max_scope": m.rule.list_scope})
            after_comma = False
            for i in range(m.end, len(doc) if m.until is None else m.until):
                last_item = after_comma and doc[i].lower_ in _LIST_LAST_CONJUNCTIONS
                if last_item:
                    if i + 1 < len(doc) and not self._ends_list(doc, i + 1):
                        out.append(Modifier(rule, i, i + 1))
                    break
                if self._ends_list(doc, i):
                    break
                if doc[i].lower_ in _LIST_SEPARATORS:
                    if i + 1 == len(doc) or self._ends_list(doc, i + 1):
                        break
                    out.append(Modifier(rule, i, i + 1))
                    after_comma = after_comma or doc[i].text == ","
        return out

    def _ends_list(self, doc: Doc, i: int) -> bool:
        """Whether token `i` ends a coordinated list: a new sentence, a `list_stop` word or a number."""
        token = doc[i]
        return token.is_sent_start or token.lower_ in self.list_stop or token.like_num

    def _gated_matches(self, doc: Doc, matches: set[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """The matches of the terminators limited to some triggers (`ends`), sought only in the sentences
        that hold one of those triggers: elsewhere they end nothing. Round 35's list-comma terminator of
        "without" looks up to twelve tokens ahead from every comma, a quarter of all matching time when
        it ran over every sentence."""
        strings = doc.vocab.strings
        at = [s for mid, s, _ in matches if self.rules[int(strings[mid])].literal in self.gates]
        out: list[tuple[int, int, int]] = []
        if not at:
            return out
        for sent in doc.sents:
            if any(sent.start <= s < sent.end for s in at):
                out.extend((mid, sent.start + s, sent.start + e) for mid, s, e in self.gated(sent))
        return out

    @staticmethod
    def assertion(
        modifiers: Iterable[Modifier], sent_start: int, sent_end: int, start: int, end: int, concept: str,
        squeezed: Sequence[int] = (),
    ) -> Assertion:
        """What the triggers of one sentence ([sent_start, sent_end) in tokens) assert about the mention
        at tokens [start, end). A trigger's `max_scope` does not count the `squeezed` tokens (sorted): the
        extra words of a longer name for the worker ("the injured worker's" where another says "his")."""
        mods = list(modifiers)
        terms = [m for m in mods if m.rule.category == Category.TERMINATE]
        cats: set[Category] = set()
        triggers: list[str] = []
        for m in mods:
            rule = m.rule
            if rule.category in (Category.TERMINATE, Category.PSEUDO) or not rule.modifies(concept):
                continue
            if m.start < end and start < m.end:  # a trigger inside the mention is part of it
                continue
            if m.end <= start and rule.direction in (Direction.FORWARD, Direction.BIDIRECTIONAL):
                reach = sent_end if rule.max_scope is None else min(
                    sent_end, m.end + rule.max_scope + _between(squeezed, m.end, start))
                reach = reach if m.until is None else min(reach, m.until)
                stop = min((t.start for t in terms if m.end <= t.start < start and _ends(t, rule, concept)
                            and not t.rule.backward_only and (t.until is None or start < t.until)),
                           default=None)
                if stop is None and start < reach:
                    cats.add(rule.category)
                    triggers.append(rule.literal)
            elif m.start >= end and rule.direction in (Direction.BACKWARD, Direction.BIDIRECTIONAL):
                reach = sent_start if rule.max_scope is None else max(
                    sent_start, m.start - rule.max_scope - _between(squeezed, end, m.start))
                stop = max((t.end for t in terms if end <= t.end <= m.start and _ends(t, rule, concept)
                            and not t.rule.bracket_only), default=None)
                if stop is None and end > reach:
                    cats.add(rule.category)
                    triggers.append(rule.literal)
        if not cats:
            return AFFIRMED
        return Assertion(frozenset(cats), tuple(triggers))


_LIST_SEPARATORS = frozenset({",", "or", "nor"})
# the conjunction that joins a comma list's last item ("A, B and C"), read only after a list comma
_LIST_LAST_CONJUNCTIONS = frozenset({"and", "&"})
_BRACKETS = ("(", "[", ")", "]")


def _bounded_to_its_items(doc: Doc, m: Modifier) -> Modifier:
    """A list trigger whose forward scope ends at the comma after which a clause of its own or a measured
    finding opens ("healed without drainage, flexion was 85 degrees, strength was 4/5"; "flexion 85, strength
    4/5"): a negation's scope ends at the list items it heads, and such an item is none of them (session 41,
    round-92 kind K6). The item runs to the next comma, "or", "nor", "and" or the sentence's end."""
    end = m.until if m.until is not None else len(doc)
    verbs = clause_verbs()
    for i in range(m.end, end):
        if doc[i].is_sent_start or doc[i].text in (";", ":", "(", ")"):
            return m
        if doc[i].text != ",":
            continue
        for j in range(i + 1, end):
            token = doc[j]
            if token.is_sent_start or token.text in (",", ";", ":") or token.lower_ in ("or", "nor", "and"):
                break
            if token.lower_ in verbs or token.like_num:
                return Modifier(m.rule, m.start, m.end, i)
    return m


def _bracketed(doc: Doc, kept: list[Modifier]) -> list[Modifier]:
    """`kept` with each trigger that stands inside a closed bracket bounded to it: a bracket's result belongs
    to its own item ("TENS (no benefit), meds, lumbar MRI 5/2015": the "no" does not deny the MRI listed
    after it; round 69 kind K1), so its forward scope ends at the bracket's close. A `bracket_only`
    terminator at an opening bracket ends scopes up to that bracket's close only (session 39), and one at no
    closed bracket ends none."""
    closes: dict[int, int] = {}  # an opening bracket's token -> its closing bracket's, within one sentence
    opened: list[int] = []
    starts, sentence = sentence_starts(doc), -1
    for i in tokens_written(doc, _BRACKETS):  # the brackets only, not a Token object per token of the doc
        if (here := bisect_right(starts, i)) != sentence:  # a new sentence: its brackets open afresh
            opened.clear()
            sentence = here
        if doc[i].text in "([":
            opened.append(i)
        elif opened:
            closes[opened.pop()] = i
    if not closes:
        return [m for m in kept if not m.rule.bracket_only]
    out = []
    for m in kept:
        if m.rule.bracket_only:
            if m.start in closes:
                out.append(Modifier(m.rule, m.start, m.end, closes[m.start]))
            continue
        bound = min((c for o, c in closes.items() if o < m.start and m.end <= c), default=None)
        out.append(m if bound is None or m.rule.category in (Category.TERMINATE, Category.PSEUDO)
                   else Modifier(m.rule, m.start, m.end, bound))
    return out


def _between(squeezed: Sequence[int], lo: int, hi: int) -> int:
    """How many of the sorted token indices `squeezed` lie in [lo, hi)."""
    return bisect_left(squeezed, hi) - bisect_left(squeezed, lo) if squeezed and hi > lo else 0


def _gated(rule: ContextRule) -> bool:
    """Whether `rule` ends only some triggers' scopes (`ends`), so that it is sought only beside them."""
    return rule.category == Category.TERMINATE and rule.ends is not None


def _placed(rule: ContextRule, start: int, end: int) -> Modifier:
    """A match as a trigger: a rule whose pattern names its context ("After ..., ") stands only at its last
    (or first: ", B, and C" after "without relief") token, so its words stay free for other triggers and
    mentions."""
    if rule.at_last_token:
        return Modifier(rule, end - 1, end)
    return Modifier(rule, start, start + 1) if rule.at_first_token else Modifier(rule, start, end)


def _ends(terminator: Modifier, rule: ContextRule, concept: str) -> bool:
    """Whether `terminator` ends `rule`'s scope over a mention of `concept` (a terminator limited to some
    concepts, categories or triggers ends only theirs)."""
    limits, ends = terminator.rule.terminates, terminator.rule.ends
    return (terminator.rule.modifies(concept) and (limits is None or rule.category in limits)
            and (ends is None or rule.literal in ends))


@lru_cache(maxsize=1)
def packaged_rules_file() -> dict[str, Any]:
    """`context_rules.yaml` parsed once per process, for every reader of it (`load_rules`, `load_list_stop`,
    `features.assertion_sets`), which only read it: some 120 k characters of small mappings, about 0.1 s of
    CPU a parse."""
    return read_yaml("context_rules.yaml")


def load_rules(text: str | None = None) -> list[ContextRule]:
    """The packaged rules (or those in `text`, YAML), validated, each "${name}" of a token list read as the
    file's `word_classes` (or style_words.yaml's: the writer's words for the worker, "${person}", the month
    words, "${month}", and the twelve names, "${month_name}")."""
    data = packaged_rules_file() if text is None else parse_yaml(text)
    person = [w for w in load_style_words().person if w.isalpha() and len(w) > 1]
    own = data.get("word_classes", {})
    classes = {"person": person, "month": list(month_words()), "month_name": list(month_names()),
               **{str(k): [str(w) for w in v] for k, v in own.items()}}
    return [ContextRule.model_validate(_with_word_classes(r, classes)) for r in data["rules"]]


_CLASS_NAME = re.compile(r"\$\{(\w+)\}")


@lru_cache(maxsize=1)
def clause_verbs() -> frozenset[str]:
    """The verbs that make a list item after a comma a clause of its own (context_rules.yaml `word_classes`
    `clause_verb`): kept with the rules' word classes, one list to grow."""
    return frozenset(str(w).lower() for w in packaged_rules_file()["word_classes"]["clause_verb"])


@lru_cache(maxsize=1)
def load_list_stop() -> tuple[str, ...]:
    """The words that end a coordinated list after a `list_scope` trigger (context_rules.yaml `list_stop`),
    and their clinical abbreviations ("w/o")."""
    words = [str(w).lower() for w in packaged_rules_file()["list_stop"]]
    return tuple(dict.fromkeys([*words, *(a for w in words for a in abbreviations().get(w, ()))]))


def _with_word_classes(value: Any, classes: dict[str, list[str]]) -> Any:
    """`value` with each word "${name}" of a token list replaced by that class's words: "${person}", the
    writer's one-word names for the worker (style_words.yaml, as the fact lexicons read them), so a rule
    about the worker reads every writer alike; any other, a class of context_rules.yaml's `word_classes`."""
    if isinstance(value, dict):
        return {k: _with_word_classes(v, classes) for k, v in value.items()}
    if isinstance(value, list):
        out: list[Any] = []
        for v in value:
            name = _CLASS_NAME.fullmatch(v) if isinstance(v, str) else None
            if name is not None and name.group(1) not in classes:
                raise ValueError(f"context_rules.yaml: unknown word class {v!r}")
            out.extend(classes[name.group(1)] if name is not None else [_with_word_classes(v, classes)])
        return out
    return value


@lru_cache(maxsize=1)
def context_engine() -> ContextEngine:
    """The engine of the packaged rules, built once per process."""
    return ContextEngine(load_rules())
