"""Service headings -> family and type, driven by `service_taxonomy.yaml` and `drug_lexicon.csv`.

A heading is cut into word lemmas (`heading_tokens`) and matched against the table's terms in any word
order; the earliest clause, then the highest rank wins (the YAML explains why). Class rules then read the
winner beside the other matches: consumables after their device and a joiner give the device ("TENS unit and
supplies"), drug names side by side are one product typed by its most specific component ("APAP with
codeine" is an opioid), and the words after a post-operative marker name the operation a request follows,
not the request ("Hand therapy post CTR" is hand therapy). Procedure codes (CPT, HCPCS Level II) are placed
by their ranges. A heading no term matches falls back on its words ("#60", "tablets" -> medication; "unit",
"rental" -> DME). Only a heading with no telling word is family `other`, type `unknown` (counted by
`experiments/taxonomy_coverage.py`).
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

from features.drug_lexicon import DrugName, load_lexicon
from features.heading_class_rules import (
    AccessoryRule,
    AfterOperation,
    Combination,
    load_accessories,
    load_after_operation,
    load_combination,
)
from features.heading_tokens import Token, fold, term_lemmas, tokenize
from features.package_data import parse_yaml
from features.text_patterns import FastPattern, compile_lower

UNKNOWN_TYPE = "unknown"
OTHER_FAMILY = "other"
TOPICAL_TYPE = "topical"

# How a heading got its class (for the coverage report).
VIA_TERM, VIA_DRUG, VIA_WORD_ENDING = "term", "drug", "word_ending"
VIA_FALLBACK, VIA_NONE = "fallback", "none"
VIA_LETTER = "letter"  # a type re-read beside the letter's other requests (`LetterRule`)
VIA_RESPELLED = "respelled"  # read after a misspelled or split word was matched to the table's nearest word
VIA_CODE = "code"  # a procedure code (CPT, HCPCS Level II) in the heading, placed by its range (`codes`)
RESPELL_MIN_LENGTH = 5  # shorter words are too easily another word ("rest", "cast")
RESPELL_MIN_RATIO = 0.85  # difflib similarity to the table's word ("tramadal" -> "tramadol" 0.875) ...
RESPELL_LONG_RATIO = 0.8  # ... or one letter replaced in a word of RESPELL_LONG letters or more ("carpel")
RESPELL_LONG = 6
TRUNCATED_MIN_LENGTH = 4  # a drug name cut short in a record ("Cyclobenz", "Omep"): this many letters ...
TRUNCATED_MIN_CUT = 3  # ... and at least this many letters short of the one drug name it starts


@dataclass(frozen=True, slots=True)
class Term:
    """One synonym of a type, as the lemmas it must match; `requires` lists qualifier terms of which one
    must also occur (pre-op + "CBC" is pre-op testing). `drug_class` is set for drug-lexicon names."""

    text: str
    lemmas: tuple[str, ...]
    family: str
    type: str
    rank: int
    requires: tuple[tuple[str, ...], ...] = ()
    drug_class: str | None = None
    via: str = VIA_TERM
    # a bare word ("therapy"): matched only where the word before it names no kind of its own - none, a
    # number, a word of `requires`, or one of these; None for an ordinary term
    bare_after: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Ending:
    """A word ending that places an otherwise unknown word ("-ectomy" surgery, "-codone" opioid)."""

    suffix: str
    term: Term


@dataclass(frozen=True, slots=True)
class CodeRange:
    """Procedure codes `low`..`high` (inclusive) and the class a heading naming one of them requests;
    `prefix` is the letter of a HCPCS Level II code ("E" of E0730), "" for a CPT code."""

    low: int
    high: int
    term: Term
    prefix: str = ""

    @property
    def width(self) -> int:
        return self.high - self.low


@dataclass(frozen=True, slots=True)
class FallbackFamily:
    family: str
    type: str
    cues: dict[str, int]
    suffixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    term: Term
    positions: tuple[int, ...]  # indices into the heading's content tokens
    clause: int
    start: int  # character offsets in the heading as written
    end: int

    def key(self) -> tuple[int, int, int, int]:
        """Sort key: earliest clause, highest rank, earliest word, longest term."""
        return (self.clause, -self.term.rank, self.positions[0], -len(self.term.lemmas))


@dataclass(frozen=True, slots=True)
class ServiceClass:
    """The family and type of one heading, and where in the heading the deciding words stand."""

    family: str
    type: str
    start: int | None = None
    end: int | None = None
    via: str = VIA_TERM

    @property
    def known(self) -> bool:
        return self.type != UNKNOWN_TYPE

    @property
    def specific(self) -> bool:
        """True when the heading maps to a named family (not `other`)."""
        return self.family != OTHER_FAMILY


@dataclass(frozen=True, slots=True)
class LetterRule:
    """A heading's type read again beside the other requests of its letter: `type` becomes `becomes`
    when another request of the letter is of family `with_family`."""

    type: str
    becomes: str
    with_family: str


@dataclass(frozen=True, slots=True)
class WordRules:
    """How headings are cut into words: see `words` in the YAML."""

    keep_as_is: frozenset[str]
    stopwords: frozenset[str]
    complements: frozenset[str]
    window_slack: int
    vocabulary: frozenset[str] = frozenset()
    negations: frozenset[str] = frozenset()  # "non": the term right after it is not requested
    sounds: tuple[tuple[str, str], ...] = ()  # spelling -> sound rewrites for respelling ("ph" -> "f")
    # an abbreviation -> (what it means, the words after which it means that): "Medical Ctr" is a center
    read_after: Mapping[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    strength_units: frozenset[str] = frozenset()  # after a number: a drug's strength ("20 mg", "5 %")
    # words spelled right that the respelling leaves as written ("neuropathy" is no misspelt "neuroplasty")
    spelled_right: frozenset[str] = frozenset()

    def sound_key(self, word: str) -> str:
        """`word` as it sounds, by the `sounds` rewrites in order ("^x" rewrites a leading x only):
        "klonopin" and "clonopin", "xanax" and "zanax", "phenergan" and "fenergan" share a key."""
        for old, new in self.sounds:
            if old.startswith("^"):
                if word.startswith(old[1:]):
                    word = new + word[len(old) - 1:]
            else:
                word = word.replace(old, new)
        return word

    def tokens(self, text: str) -> list[Token]:
        return tokenize(text, keep=self.keep_as_is, vocabulary=self.vocabulary, complements=self.complements,
                        read_after=self.read_after)

    def content(self, text: str) -> list[Token]:
        """The tokens terms are matched on: all but stopwords."""
        return [t for t in self.tokens(text) if t.lemma not in self.stopwords]

    def lemmas(self, term: str) -> tuple[str, ...]:
        return term_lemmas(term, keep=self.keep_as_is, stopwords=self.stopwords, vocabulary=self.vocabulary)


@dataclass(frozen=True, eq=False)
class ServiceTaxonomy:
    families: tuple[str, ...]
    words: WordRules
    terms: tuple[Term, ...]
    endings: tuple[Ending, ...]
    fallback: tuple[FallbackFamily, ...]
    fallback_min_score: int
    patch_forms: frozenset[str]
    patch_topical_classes: frozenset[str]
    topical_form_exempt_classes: frozenset[str] = frozenset()
    self_injected_classes: frozenset[str] = frozenset()
    injection_form_words: frozenset[str] = frozenset()
    letter_rules: tuple[LetterRule, ...] = ()
    codes: tuple[CodeRange, ...] = ()  # narrowest range first
    code_digits: int = 5
    code_units: frozenset[str] = frozenset()  # words after a number that make it an amount, not a code
    accessories: AccessoryRule | None = None
    combination: Combination | None = None
    after_operation: AfterOperation | None = None
    place_words: frozenset[str] = frozenset()  # "center", "facility": the word before names a place of care
    _by_lemma: dict[str, tuple[int, ...]] = field(init=False, repr=False)
    _suffixes: tuple[str, ...] = field(init=False, repr=False)
    _patterns: dict[str, FastPattern | None] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[int]] = {}
        for i, term in enumerate(self.terms):
            for lemma in set(term.lemmas):
                index.setdefault(lemma, []).append(i)
        object.__setattr__(self, "_by_lemma", {k: tuple(v) for k, v in index.items()})
        object.__setattr__(self, "_suffixes", tuple(e.suffix for e in self.endings))
        object.__setattr__(self, "_patterns", {})

    @property
    def types(self) -> tuple[tuple[str, str], ...]:
        """Every (family, type) the table can give, fallback types included, in table order."""
        seen = dict.fromkeys([(t.family, t.type) for t in self.terms] + [(e.term.family, e.term.type)
                             for e in self.endings] + [(f.family, f.type) for f in self.fallback]
                             + [(c.term.family, c.term.type) for c in self.codes])
        return tuple(seen)

    def classify(self, heading: str) -> ServiceClass:
        """Family and type of a heading (memoised: the same headings recur across letters)."""
        return _classify_cached(self, heading)

    def classify_letter(self, headings: Sequence[str]) -> list[ServiceClass]:
        """Family and type of each heading of one letter, with the `letter_rules` applied: a letter's
        requests are read together, as a reviewer reads them."""
        return self.in_letter([self.classify(h) for h in headings])

    def in_letter(self, classes: Sequence[ServiceClass]) -> list[ServiceClass]:
        """The classes of one letter's headings with the `letter_rules` applied."""
        out = []
        for i, c in enumerate(classes):
            others = {o.family for j, o in enumerate(classes) if j != i}
            rule = next((r for r in self.letter_rules if r.type == c.type and r.with_family in others), None)
            out.append(c if rule is None else dataclasses.replace(c, type=rule.becomes, via=VIA_LETTER))
        return out

    def _classify(self, heading: str) -> ServiceClass:
        content = self.words.content(heading)
        found = self._from_terms(content, heading)
        respelled = self._respelled(content)
        if respelled is not None:  # records misspell ("Tramadal", "accupuncture") and split ("ultra sound")
            alt = self._from_terms(respelled, heading)
            if alt is not None and (found is None or alt[1] > found[1]):
                return dataclasses.replace(alt[0], via=VIA_RESPELLED)
        return found[0] if found is not None else self._fall_back(content)

    def _from_terms(self, content: Sequence[Token], heading: str) -> tuple[ServiceClass, int] | None:
        """The class the winning term or word ending gives, with that term's rank; None when none matches."""
        found = [m for m in self.matches(content) if not self._negated(m, content)]
        matches = longest(found)
        if not matches:
            return None
        requested = self._outside_context(self._not_places(matches, content), heading)
        best = self._injected_drug(requested) or min(requested, key=Match.key)
        rank = best.term.rank
        best = self._device_of_accessory(best, found, content, heading) or best
        components = self._components(best, matches, heading)
        best = min(components, key=lambda m: (self._combination_order(m), m.positions[0]))
        cls = ServiceClass(best.term.family, self._type_of(best, matches, components), best.start, best.end,
                           best.term.via)
        return cls, rank

    def _outside_context(self, matches: Sequence[Match], heading: str) -> Sequence[Match]:
        """The matches that may be the request: all but those naming the operation a post-operative marker
        says the request follows (`after_operation`): in each marker's stretch, the first match and the others
        of its family ("Hand therapy post CTR", "S/P total knee arthroplasty, home health aide"). All of them
        when none stands outside a stretch: a heading naming only the operation requests it."""
        rule = self.after_operation
        if rule is None:
            return matches
        context: set[Match] = set()
        for lo, hi in rule.stretches(heading, self.words.tokens(heading)):
            inside = sorted((m for m in matches if lo <= m.start and m.end <= hi), key=lambda m: m.start)
            context.update(m for m in inside if m.term.family == inside[0].term.family)
        return [m for m in matches if m not in context] or matches

    def _not_places(self, matches: Sequence[Match], content: Sequence[Token]) -> Sequence[Match]:
        """All matches but those a place word follows ("Surgery center ... knee arthroscopy", "Rehab Ctr
        consultation"): they name where the service is given, not the service; all of them when every match
        is such a name ("Surgery center" alone)."""
        def place(m: Match) -> bool:
            after = max(m.positions) + 1
            return after < len(content) and content[after].lemma in self.place_words
        return [m for m in matches if not place(m)] or matches

    def _gap(self, heading: str, start: int, end: int) -> tuple[list[str], str]:
        """The words (lemmas, '#' and '&' included) and the text of the heading between two offsets."""
        text = heading[start:end] if start < end else ""
        return [t.lemma for t in self.words.tokens(text)], text

    def _device_of_accessory(self, best: Match, found: Sequence[Match], content: Sequence[Token],
                             heading: str) -> Match | None:
        """The device a consumables match is the companion of: a device named before the consumable word (the
        match's last word) with a joiner between them ("TENS unit and supplies"); None when there is none.
        `found` holds the matches inside longer ones too: "h wave" of "H-wave ... supplies" is the device."""
        rule = self.accessories
        if rule is None or best.term.type != rule.type:
            return None
        last = max(best.positions)
        devices = []
        for m in found:
            if not rule.is_device(m.term.family, m.term.type) or max(m.positions) >= last:
                continue
            gap, text = self._gap(heading, m.end, content[last].start)
            if rule.joins(gap, text):
                devices.append(m)
        return min(devices, key=Match.key) if devices else None

    def _components(self, best: Match, matches: Sequence[Match], heading: str) -> list[Match]:
        """The drug names of the combination product `best` is part of (`best` alone when it names no drug or
        no other drug name is linked to it): the drug matches next to it, in the written order, with only
        joiners and strengths between neighbours, whatever clause they stand in ("Acetaminophen with
        codeine")."""
        if best.term.drug_class is None or self.combination is None:
            return [best]
        drugs = sorted((m for m in matches if m.term.drug_class is not None), key=lambda m: m.start)
        i = drugs.index(best)
        lo = hi = i
        while lo > 0 and self._linked(drugs[lo - 1], drugs[lo], heading):
            lo -= 1
        while hi + 1 < len(drugs) and self._linked(drugs[hi], drugs[hi + 1], heading):
            hi += 1
        return drugs[lo:hi + 1]

    def _linked(self, left: Match, right: Match, heading: str) -> bool:
        assert self.combination is not None
        gap, _ = self._gap(heading, left.end, right.start)
        marks = [c for c in heading[left.end:right.start] if c in self.combination.separators]
        return self.combination.links(gap + marks)

    def _combination_order(self, match: Match) -> int:
        if self.combination is None or match.term.drug_class is None:
            return 0
        return self.combination.order(match.term.drug_class)

    def _negated(self, match: Match, content: Sequence[Token]) -> bool:
        """Whether a negation word ("non") stands right before the match: "non-opioid analgesic" requests
        no opioid, "non-benzodiazepine hypnotic" no benzodiazepine."""
        first = match.positions[0]
        return first > 0 and content[first - 1].lemma in self.words.negations

    def _injected_drug(self, matches: list[Match]) -> Match | None:
        """The drug of `self_injected_classes` a heading names when its only injection word is the drug's
        form ("Lovenox injections" requests the anticoagulant, not a joint injection); else None."""
        injections = [m for m in matches if m.term.family == "injection"]
        if not injections or any(not set(m.term.lemmas) <= self.injection_form_words for m in injections):
            return None
        drugs = [m for m in matches if m.term.drug_class in self.self_injected_classes]
        return min(drugs, key=Match.key) if drugs else None

    def _respelled(self, content: Sequence[Token]) -> list[Token] | None:
        """The heading's words with each word the table does not know replaced by the table's nearest word
        (same first letter, similarity RESPELL_MIN_RATIO, or RESPELL_LONG_RATIO for long words; words of
        RESPELL_MIN_LENGTH letters or more; never a word of `words.spelled_right`), and two neighbours joined
        where together they are one known word; None when nothing changed. The caller keeps the respelled
        reading only where its winning term outranks the heading as written."""
        known = self._by_lemma
        out: list[Token] = []
        changed = False
        i = 0
        while i < len(content):
            tok = content[i]
            nxt = content[i + 1] if i + 1 < len(content) else None
            joined = tok.lemma + nxt.lemma if nxt is not None else ""
            if (nxt is not None and joined.isalpha() and joined in known
                    and not (tok.lemma in known and nxt.lemma in known)):
                out.append(dataclasses.replace(tok, lemma=joined, end=nxt.end))
                changed, i = True, i + 2
                continue
            word = tok.lemma
            if (word not in known and word not in self.words.spelled_right and word.isalpha()
                    and len(word) >= TRUNCATED_MIN_LENGTH):
                near = self._drug_cut_short(word, content[i + 1:i + 3]) or (
                    self._nearest(word) if len(word) >= RESPELL_MIN_LENGTH else None)
                if near is not None:
                    out.append(dataclasses.replace(tok, lemma=near))
                    changed, i = True, i + 1
                    continue
            out.append(tok)
            i += 1
        return out if changed else None

    @cached_property
    def _drug_words(self) -> tuple[tuple[str, ...], dict[str, str]]:
        """The one-word drug names of the table (generic and brand), sorted, and each one's class: what a
        shorthand cuts short."""
        classes = {t.lemmas[0]: t.drug_class for t in self.terms
                   if t.drug_class is not None and len(t.lemmas) == 1 and t.lemmas[0].isalpha()}
        return tuple(sorted(classes)), classes

    def _drug_cut_short(self, word: str, after: Sequence[Token]) -> str | None:
        """The drug name an unknown `word` cuts short when a strength or quantity follows it ("Cyclobenz
        7.5mg", "Omep 20mg #30", "Napro 550": session 20, blind heading round 8): the shortest name it
        starts, cut at least TRUNCATED_MIN_CUT letters short, when every name it starts is of one class; else
        None ("hydro": hydrocodone and hydroxyzine; "Rest 2 weeks" has no strength after it)."""
        lemmas = [t.lemma for t in after]
        strength = bool(lemmas) and (lemmas[0] == "#" or (
            lemmas[0][:1].isdigit() and len(lemmas) > 1 and lemmas[1] in self.words.strength_units | {"#"}))
        if not strength:
            return None
        names, classes = self._drug_words
        i = bisect.bisect_left(names, word)
        starts = []
        while i < len(names) and names[i].startswith(word):
            starts.append(names[i])
            i += 1
        if not starts or len({classes[n] for n in starts}) > 1:
            return None
        shortest = min(starts, key=len)
        return shortest if len(shortest) >= len(word) + TRUNCATED_MIN_CUT else None

    @cached_property
    def _respell_vocabulary(self) -> dict[str, tuple[str, ...]]:
        """The table's alphabetic words of RESPELL_MIN_LENGTH letters or more, by first letter."""
        by_first: dict[str, list[str]] = {}
        for word in self._by_lemma:
            if word.isalpha() and len(word) >= RESPELL_MIN_LENGTH:
                by_first.setdefault(word[0], []).append(word)
        return {k: tuple(sorted(v)) for k, v in by_first.items()}

    @cached_property
    def _sound_vocabulary(self) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
        """The respelling words' sound keys by the key's first letter, and each key's word (a key two words
        share is left out: it cannot say which was meant)."""
        owners: dict[str, set[str]] = {}
        for words in self._respell_vocabulary.values():
            for word in words:
                owners.setdefault(self.words.sound_key(word), set()).add(word)
        unique = {k: next(iter(v)) for k, v in owners.items() if len(v) == 1}
        by_first: dict[str, list[str]] = {}
        for key in unique:
            by_first.setdefault(key[0], []).append(key)
        return {k: tuple(sorted(v)) for k, v in by_first.items()}, unique

    def _nearest(self, word: str) -> str | None:
        """The table's word nearest to an unknown `word`: by its letters (same first letter), else by its
        sound: the same sound key ("Fenergan" -> phenergan, "Selebrex" -> celebrex), or a key one letter or
        one swap from a single word's ("Klonipin" -> klonopin, "Zanex" -> xanax)."""
        near = _nearest_word(word, self._respell_vocabulary)
        if near is not None:
            return near
        keys, owner = self._sound_vocabulary
        key = self.words.sound_key(word)
        if key in owner:
            return owner[key]
        key = _nearest_word(key, keys, by_ratio=False)  # sounds alike but for one letter ("klonipin")
        return owner[key] if key is not None else None

    def matches(self, content: Sequence[Token]) -> list[Match]:
        """Every term and word ending found in a heading's content tokens (leftmost match of each)."""
        lemmas = [t.lemma for t in content]
        present = set(lemmas)
        candidates = sorted({i for lemma in present for i in self._by_lemma.get(lemma, ())})
        slack = self.words.window_slack
        found = []
        for i in candidates:
            term = self.terms[i]
            if not present.issuperset(term.lemmas):
                continue
            positions = find_lemmas(term.lemmas, lemmas, slack)
            if positions is None or (term.bare_after is not None and not _bare(term, positions[0], lemmas)):
                continue
            if term.requires:
                extra = next((p for q in term.requires if (p := find_lemmas(q, lemmas, slack)) is not None),
                             None)
                if extra is None:
                    continue
                positions = tuple(sorted({*positions, *extra}))
            found.append(_match(term, positions, content))
        for pos, tok in enumerate(content):
            word = tok.lemma
            if self.codes and len(word) == self.code_digits and word[1:].isdigit():
                prefix = "" if word[0].isdigit() else word[0]
                code = self._code(prefix, int(word[len(prefix):])) if self._is_code(pos, content) else None
                if code is not None:
                    found.append(_match(code.term, (pos,), content))
                continue
            if not word.endswith(self._suffixes) or word in self._by_lemma or not word.isalpha():
                continue
            for ending in self.endings:
                if len(word) >= len(ending.suffix) + 3 and word.endswith(ending.suffix):
                    found.append(_match(ending.term, (pos,), content))
                    break
        return found

    def _is_code(self, pos: int, content: Sequence[Token]) -> bool:
        """Whether the number at `pos` stands as a code: written as its digits alone (not "106.32", whose
        lemma drops the point) and not a strength or amount ("10000 units", "12500 mg")."""
        tok = content[pos]
        after = content[pos + 1].lemma if pos + 1 < len(content) else ""
        return tok.end - tok.start == self.code_digits and after not in self.code_units

    def _code(self, prefix: str, code: int) -> CodeRange | None:
        """The narrowest range of `codes` holding a procedure code (`prefix`: a HCPCS code's letter, "" for
        CPT), or None (a code of no range says nothing: the heading's words decide)."""
        return next((c for c in self.codes if c.prefix == prefix and c.low <= code <= c.high), None)

    def _type_of(self, best: Match, matches: list[Match], components: Sequence[Match] = ()) -> str:
        """The winner's type, except that a drug named with a topical form elsewhere in the heading
        ("Flurbiprofen 15% in a cream base") is a topical request; with a patch, only a drug of
        `patch_topical_classes` is, or a combination of several classes (a compounded patch); a drug of
        `topical_form_exempt_classes` (testosterone gel) never is. A form with another drug between it and
        the winner's product is that drug's ("Gabapentin 300mg #90 and Lidoderm 5% #30")."""
        if best.term.drug_class is None or best.term.drug_class in self.topical_form_exempt_classes:
            return best.term.type
        compound = len({m.term.drug_class for m in components}) > 1
        product = components or [best]
        own = {p for m in product for p in m.positions}
        others = [p for m in matches if m.term.drug_class is not None and m not in product
                  for p in m.positions]
        for m in matches:
            if m.term.drug_class is None and m.term.type == TOPICAL_TYPE and not own & set(m.positions):
                lo, hi = sorted((min(own), min(m.positions)))
                if any(lo < p < hi for p in others):
                    continue
                is_patch = m.term.lemmas[0] in self.patch_forms
                if not is_patch or compound or best.term.drug_class in self.patch_topical_classes:
                    return TOPICAL_TYPE
        return best.term.type

    def _fall_back(self, content: Sequence[Token]) -> ServiceClass:
        """The family whose cue words weigh most in the heading, or `other`/`unknown` when none weighs
        `fallback_min_score`."""
        best: tuple[int, FallbackFamily, Token] | None = None
        for fam in self.fallback:
            score, top, top_w = 0, None, 0
            for tok in content:
                w = fam.cues.get(tok.lemma, 0)
                if not w and tok.lemma.isalpha():
                    w = 2 * any(len(tok.lemma) > len(s) + 2 and tok.lemma.endswith(s) for s in fam.suffixes)
                score += w
                if w > top_w:
                    top, top_w = tok, w
            if top is not None and score >= self.fallback_min_score and (best is None or score > best[0]):
                best = (score, fam, top)
        if best is None:
            return ServiceClass(OTHER_FAMILY, UNKNOWN_TYPE, via=VIA_NONE)
        _, fam, tok = best
        return ServiceClass(fam.family, fam.type, tok.start, tok.end, VIA_FALLBACK)

    def type_terms(self, service_type: str) -> tuple[str, ...]:
        """The table's words for a type, drug names of its classes included (what names it in a summary); a
        bare word ("therapy") names no type alone."""
        return tuple(dict.fromkeys(t.text for t in self.terms
                                   if t.type == service_type and t.bare_after is None))

    def type_regex(self, service_type: str) -> str | None:
        """A lower-case regex that finds any of the type's words in running text (plural or singular;
        words joined by spaces, hyphens or slashes), longest first; None for a type without words."""
        alternatives = [r for text in self.type_terms(service_type) if (r := term_regex(text))]
        if not alternatives:
            return None
        alternatives.sort(key=len, reverse=True)
        return r"\b(?:" + "|".join(alternatives) + r")\b"

    def type_pattern(self, service_type: str) -> FastPattern | None:
        """`type_regex` compiled for the extractors' summary search (once per type)."""
        if service_type not in self._patterns:
            regex = self.type_regex(service_type)
            self._patterns[service_type] = None if regex is None else compile_lower(regex)
        return self._patterns[service_type]

    def coverage(self, headings: Iterable[str]) -> dict[str, int]:
        """Counts per family plus `unmapped` (no telling word) and `total`, for the coverage report."""
        counts: dict[str, int] = {f: 0 for f in self.families}
        counts["unmapped"] = 0
        counts["total"] = 0
        for h in headings:
            c = self.classify(h)
            counts[c.family] += 1
            counts["unmapped"] += int(not c.known)
            counts["total"] += 1
        return counts


def term_regex(text: str) -> str:
    """One term as a lower-case regex: its words in the written order, joined by spaces, hyphens or
    slashes, the last one singular or plural ("" for a term without letters or digits)."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    if not words:
        return ""
    return "".join(re.escape(w) + r"[\s/-]*" for w in words[:-1]) + _plural_regex(words[-1])


def _plural_regex(word: str) -> str:
    if not word.isalpha():
        return re.escape(word)
    if word.endswith("y") and len(word) > 3:
        return re.escape(word[:-1]) + "(?:y|ies)"
    if word.endswith("is") and len(word) > 4:
        return re.escape(word[:-2]) + "(?:is|es)"
    return re.escape(word) + "(?:e?s)?"


def longest(matches: list[Match]) -> list[Match]:
    """The matches not inside a longer one: words that are part of a longer term belong to it."""
    spans = [set(m.positions) for m in matches]
    return [m for m, s in zip(matches, spans, strict=True) if not any(s < other for other in spans)]


def find_lemmas(lemmas: Sequence[str], words: Sequence[str], slack: int) -> tuple[int, ...] | None:
    """Positions of all `lemmas` in `words`, in any order, within len(lemmas) + slack consecutive words
    (leftmost such window), or None."""
    if len(lemmas) == 1:
        try:
            return (words.index(lemmas[0]),)
        except ValueError:
            return None
    need = Counter(lemmas)
    width = len(lemmas) + slack
    for i, w in enumerate(words):
        if w not in need:
            continue
        left = dict(need)
        picked = []
        for j in range(i, min(i + width, len(words))):
            if left.get(words[j], 0) > 0:
                left[words[j]] -= 1
                picked.append(j)
        if len(picked) == len(lemmas):
            return tuple(picked)
    return None


def _bare(term: Term, first: int, lemmas: Sequence[str]) -> bool:
    """Whether the word before a bare term's word names no kind of its own: none, a number, a word of the
    term's qualifiers or of its `bare_after` ("post-op therapy", "continued therapy"; not "speech
    therapy")."""
    if first == 0:
        return True
    before = lemmas[first - 1]
    assert term.bare_after is not None
    return (not before.isalpha() or before in term.bare_after
            or any(before in qualifier for qualifier in term.requires))


def _match(term: Term, positions: tuple[int, ...], content: Sequence[Token]) -> Match:
    toks = [content[p] for p in positions]
    return Match(term, positions, min(t.clause for t in toks), min(t.start for t in toks),
                 max(t.end for t in toks))


def _nearest_word(word: str, vocabulary: dict[str, tuple[str, ...]], by_ratio: bool = True) -> str | None:
    """The vocabulary word closest to `word` with the same first letter: similar enough by `difflib` (when
    `by_ratio`), else the only one with one letter replaced (in a long word) or two neighbours swapped."""
    words = vocabulary.get(word[0], ())
    if by_ratio:
        near = difflib.get_close_matches(word, words, n=1, cutoff=RESPELL_MIN_RATIO)
        if near:
            return near[0]
    same_length = [w for w in words if len(w) == len(word)]
    if len(word) >= RESPELL_LONG:  # one letter replaced ("carpel"), not added ("rotator"), by one word only
        replaced = [w for w in same_length if sum(a != b for a, b in zip(word, w, strict=True)) == 1]
        if len(replaced) == 1:
            return replaced[0]
    # two neighbouring letters swapped ("lyrcia"): too few letters in common for the ratio in a short name
    swapped = [w for w in same_length if _one_swap(word, w)]
    return swapped[0] if len(swapped) == 1 else None


def _one_swap(word: str, other: str) -> bool:
    """Whether `other` is `word` with one pair of neighbouring letters swapped."""
    diff = [i for i, (a, b) in enumerate(zip(word, other, strict=True)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and word[diff[0]] == other[diff[1]] \
        and word[diff[1]] == other[diff[0]]


@lru_cache(maxsize=8192)
def _classify_cached(taxonomy: ServiceTaxonomy, heading: str) -> ServiceClass:
    return taxonomy._classify(heading)


def clear_classification_cache() -> None:
    """Forget classified headings (a benchmark's cold start then pays for classifying, like a new process)."""
    _classify_cached.cache_clear()


# ---- loading ---------------------------------------------------------------------------------------
def build_taxonomy(data: dict[str, Any], lexicon: Sequence[DrugName],
                   source: str = "service_taxonomy.yaml") -> ServiceTaxonomy:
    """A taxonomy from the YAML's data and the drug lexicon, validated: a bad entry raises one line naming
    the entry and the problem. Terms are read twice: the second time "-ing" words reduce to stems the
    first reading found ("muscle testing" matches "muscle test")."""
    families = tuple(data["families"])
    w = data["words"]
    words = WordRules(frozenset(w["keep_as_is"]), frozenset(w["stopwords"]), frozenset(w["complements"]),
                      int(w["window_slack"]), negations=frozenset(w.get("negations", [])),
                      sounds=tuple((str(a), str(b)) for a, b in w.get("sounds", [])),
                      read_after={str(k): (str(v["means"]), frozenset(map(str, v["after"])))
                                  for k, v in w.get("read_after", {}).items()},
                      strength_units=frozenset(map(str, w.get("strength_units", []))))
    words = dataclasses.replace(words, spelled_right=frozenset(
        lemma for word in w.get("spelled_right", []) for lemma in words.lemmas(str(word))))
    fallback = _fallback(data["fallback"], families, words, source)
    cues = frozenset(c for f in fallback for c in f.cues)
    for _ in range(2):
        terms, endings = _terms(data, lexicon, families, words, source)
        vocabulary = frozenset(lemma for t in terms for lemma in t.lemmas) | cues
        words = dataclasses.replace(words, vocabulary=vocabulary)
    _check_unique(terms, source)
    listed_known = sorted(words.spelled_right & {lemma for t in terms for lemma in t.lemmas})
    if listed_known:  # the table's own words are never respelled: listing one is a slip
        raise ValueError(f"{source} words.spelled_right: words the table knows {listed_known}")
    med = data["medication"]
    for key in ("patch_topical_classes", "topical_form_exempt_classes", "self_injected_classes"):
        unknown = set(med.get(key, [])) - set(med["classes"])
        if unknown:
            raise ValueError(f"{source} medication.{key}: unknown classes {sorted(unknown)}")
    patch_forms = frozenset(lemma for f in med["patch_forms"] for lemma in words.lemmas(f))
    # the longest ending first: "-piprazole" (antipsychotic) is more specific than "-prazole" (PPI)
    endings = sorted(endings, key=lambda e: -len(e.suffix))
    return ServiceTaxonomy(families=families, words=words, terms=tuple(terms), endings=tuple(endings),
                           fallback=fallback, fallback_min_score=int(data["fallback"]["min_score"]),
                           patch_forms=patch_forms,
                           patch_topical_classes=frozenset(med["patch_topical_classes"]),
                           topical_form_exempt_classes=frozenset(med.get("topical_form_exempt_classes", [])),
                           self_injected_classes=frozenset(med.get("self_injected_classes", [])),
                           injection_form_words=frozenset(lemma for w in med.get("injection_form_words", [])
                                                          for lemma in words.lemmas(w)),
                           letter_rules=_letter_rules(data.get("letter_rules", []), terms, families, source),
                           codes=_codes(data.get("codes", {}), terms, endings, fallback, source),
                           code_digits=int(data.get("codes", {}).get("digits", 5)),
                           code_units=frozenset(lemma for u in data.get("codes", {}).get("not_before", [])
                                                for lemma in words.lemmas(str(u))),
                           accessories=load_accessories(data.get("accessories"), {t.type for t in terms},
                                                        families, source),
                           combination=load_combination(med.get("combination"), med["classes"], words.tokens,
                                                        source),
                           after_operation=load_after_operation(data.get("after_operation"), words.tokens,
                                                                source),
                           place_words=frozenset(lemma for p in data.get("place_words", [])
                                                 for lemma in words.lemmas(str(p))))


def _letter_rules(entries: list[dict[str, Any]], terms: Sequence[Term], families: tuple[str, ...],
                  source: str) -> tuple[LetterRule, ...]:
    known = {t.type: t.family for t in terms}
    out = []
    for i, e in enumerate(entries):
        where = f"letter_rules[{i}]"
        for key in ("type", "becomes"):
            if e.get(key) not in known:
                raise ValueError(f"{source} {where}: unknown {key} {e.get(key)!r}")
        if known[e["type"]] != known[e["becomes"]]:
            raise ValueError(f"{source} {where}: {e['type']!r} and {e['becomes']!r} are of two families")
        _check_family(families, e.get("with_family", ""), source, where)
        out.append(LetterRule(e["type"], e["becomes"], e["with_family"]))
    return tuple(out)


def _codes(data: dict[str, Any], terms: Sequence[Term], endings: Sequence[Ending],
           fallback: Sequence[FallbackFamily], source: str) -> tuple[CodeRange, ...]:
    """The `codes` ranges, narrowest first; each must name a family and type the table already gives."""
    known = {(t.family, t.type) for t in terms} | {(e.term.family, e.term.type) for e in endings} | {
        (f.family, f.type) for f in fallback}
    digits = int(data.get("digits", 5))
    out = []
    for i, e in enumerate(data.get("ranges", [])):
        where = f"codes.ranges[{i}]"
        (prefix, low), (high_prefix, high) = _code_parts(e["from"]), _code_parts(e.get("to", e["from"]))
        width = digits - len(prefix)
        if prefix != high_prefix or not 0 <= low <= high < 10 ** width:
            raise ValueError(f"{source} {where}: {e['from']}-{e.get('to', e['from'])} is no range of "
                             f"{digits}-digit CPT codes or of HCPCS codes (a letter and {digits - 1} digits)")
        if (e["family"], e["type"]) not in known:
            raise ValueError(f"{source} {where}: ({e['family']}, {e['type']}) is no family and type "
                             "of the table")
        term = Term(f"code {prefix}{low:0{width}d}-{prefix}{high:0{width}d}", (), e["family"], e["type"],
                    int(e.get("rank", data["rank"])), via=VIA_CODE)
        out.append(CodeRange(low, high, term, prefix))
    return tuple(sorted(out, key=lambda c: c.width))


def _code_parts(code: int | str) -> tuple[str, int]:
    """A CPT code (a number: 29881) or a HCPCS Level II code ("E0730") as its letter ("" for CPT) and
    number."""
    text = str(code).strip().lower()
    prefix = text[0] if text[:1].isalpha() else ""
    number = text[len(prefix):]
    if not number.isdigit():
        raise ValueError(f"{code!r} is no procedure code")
    return prefix, int(number)


def _check_family(families: tuple[str, ...], family: str, source: str, where: str) -> None:
    if family not in families:
        raise ValueError(f"{source} {where}: unknown family {family!r}")


def _terms(data: dict[str, Any], lexicon: Sequence[DrugName], families: tuple[str, ...], words: WordRules,
           source: str) -> tuple[list[Term], list[Ending]]:
    qualifiers = {name: tuple(words.lemmas(q) for q in qs) for name, qs in data.get("qualifiers", {}).items()}
    terms: list[Term] = []
    endings: list[Ending] = []
    for i, entry in enumerate(data["types"]):
        where = f"types[{i}] ({entry.get('family')}/{entry.get('type')})"
        _check_family(families, entry["family"], source, where)
        requires: tuple[tuple[str, ...], ...] = ()
        names = entry.get("requires", [])
        for name in [names] if isinstance(names, str) else names:  # one qualifier or a list: any of them
            if name not in qualifiers:
                raise ValueError(f"{source} {where}: unknown qualifier {name!r}")
            requires += qualifiers[name]
        bare_after = None
        if "bare_after" in entry:
            bare_after = frozenset(lemma for w in entry["bare_after"] for lemma in words.lemmas(str(w)))
        # `pairs`: each word of the first list with each word of the second ("TENS" x "electrodes")
        pairs = [f"{a} {b}" for a, b in itertools.product(*entry["pairs"])] if "pairs" in entry else []
        for text in [*entry.get("terms", []), *pairs]:
            lemmas = words.lemmas(str(text))
            if not lemmas:
                raise ValueError(f"{source} {where}: term {text!r} has no word besides stopwords")
            terms.append(Term(str(text), lemmas, entry["family"], entry["type"], int(entry["rank"]),
                              requires, bare_after=bare_after))
        for suffix in entry.get("suffixes", []):
            endings.append(Ending(suffix, Term(f"-{suffix}", (), entry["family"], entry["type"],
                                               int(entry["rank"]), via=VIA_WORD_ENDING)))
    med = data["medication"]
    _check_family(families, med["family"], source, "medication")
    classes: dict[str, str] = med["classes"]
    for row in lexicon:
        if row.drug_class not in classes:
            raise ValueError(f"{med['lexicon']} {row.name!r}: class {row.drug_class!r} has no service_type "
                             f"in {source} medication.classes")
        stype = classes[row.drug_class]
        if row.is_stem:
            stem = Term(row.name, (), med["family"], stype, int(med["stem_rank"]), drug_class=row.drug_class,
                        via=VIA_WORD_ENDING)
            endings.append(Ending(row.name[1:], stem))
            continue
        lemmas = words.lemmas(row.name)
        if not lemmas:
            raise ValueError(f"{med['lexicon']} {row.name!r}: no word besides stopwords")
        terms.append(Term(row.name, lemmas, med["family"], stype, int(med["rank"]),
                          drug_class=row.drug_class, via=VIA_DRUG))
    return terms, endings


def _check_unique(terms: Sequence[Term], source: str) -> None:
    """One source of truth: the same words may not name two different types."""
    seen: dict[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], Term] = {}
    for t in terms:
        key = (tuple(sorted(t.lemmas)), t.requires)
        other = seen.setdefault(key, t)
        if (other.family, other.type) != (t.family, t.type):
            raise ValueError(f"{source}: {t.text!r} ({t.family}/{t.type}) and {other.text!r} "
                             f"({other.family}/{other.type}) are the same words")


def _fallback(fb: dict[str, Any], families: tuple[str, ...], words: WordRules,
              source: str) -> tuple[FallbackFamily, ...]:
    out = []
    for i, entry in enumerate(fb["families"]):
        where = f"fallback.families[{i}] ({entry.get('family')})"
        _check_family(families, entry["family"], source, where)
        cues = {}
        for cue, weight in entry.get("cues", {}).items():
            toks = tokenize(str(cue), keep=words.keep_as_is)
            if len(toks) != 1:
                raise ValueError(f"{source} {where}: cue {cue!r} must be one word")
            cues[toks[0].lemma] = int(weight)
        out.append(FallbackFamily(entry["family"], entry["type"], cues, tuple(entry.get("suffixes", []))))
    return tuple(out)


@lru_cache(maxsize=1)
def load_taxonomy() -> ServiceTaxonomy:
    """The packaged taxonomy and drug lexicon, validated."""
    text = resources.files("features").joinpath("service_taxonomy.yaml").read_text(encoding="utf-8")
    data = parse_yaml(text)
    return build_taxonomy(data, load_lexicon(data["medication"]["lexicon"]))
