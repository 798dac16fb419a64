"""One pre-review section analysed once: its sentences (with authors) and every concept mention in them,
each with its ConText assertion. Extractors read mentions, never raw text windows.

Concepts are regexes (`concepts.yaml`) searched over the whole section text, so each costs one linear
scan; a mention is placed in its sentence by bisection and asserted only against that sentence's
triggers.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc

from features.assertions import AFFIRMED, Assertion, ContextEngine, Modifier, context_engine
from features.authors import load_author_rules
from features.casefold import compile_folded, lower_text
from features.evidence import EvidenceSpan
from features.package_data import read_yaml
from features.sentences import CHUNK_CHARS, Sentence, chunks, pipeline, sentence_at
from features.style import person_class, person_phrase_class, possessive_class, the_person_class
from features.word_classes import add_classes, expand
from features.word_start import begins_at_boundary, starts_at_word_char, word_guarded
from letters.records import Section


@dataclass(frozen=True, slots=True)
class Mention:
    """One match of a concept (or of any pattern) in a sentence, with what the sentence asserts of it."""

    concept: str
    start: int
    end: int
    text: str
    sentence: Sentence
    assertion: Assertion

    @property
    def author(self) -> str | None:
        return self.sentence.author

    @property
    def affirmed(self) -> bool:
        return self.assertion.affirmed

    def span(self) -> EvidenceSpan:
        """The evidence of a value read from this mention: the match, its whole sentence, section,
        offsets, author and assertion."""
        s = self.sentence
        return EvidenceSpan(s.section, self.start, self.end, self.text, sentence=s.text,
                            sentence_start=s.start, sentence_end=s.end, author=s.author,
                            assertion=self.assertion.status)


_IGNORECASE = int(re.IGNORECASE)  # int & RegexFlag builds a flag object per call (enum), a cost in `find`
# lexicons whose `word_classes` concept patterns may name besides those of concepts.yaml
WORD_CLASS_FILES = ("red_flag_lexicon.yaml", "failed_care_lexicon.yaml", "word_classes.yaml")


@lru_cache(maxsize=1)
def concept_regexes() -> dict[str, list[str]]:
    """Each concept's patterns as written in `concepts.yaml`, with every `${name}` replaced by that closed
    word class of `word_classes` (a list of words, kept as data: a class grows without touching a pattern),
    from concepts.yaml and the lexicons of `WORD_CLASS_FILES`."""
    data = read_yaml("concepts.yaml")
    return {name: [expand_word_classes(p, "concepts.yaml") for p in c["patterns"]]
            for name, c in data["concepts"].items()}


def expand_word_classes(pattern: str, source: str) -> str:
    """`pattern` with every `${name}` replaced by that word class; an unknown name is an error of `source`."""
    return expand(pattern, word_classes(), source)


@lru_cache(maxsize=1)
def word_classes() -> dict[str, str]:
    """Every closed word class of concepts.yaml and the `WORD_CLASS_FILES`, each as one regex alternation, and
    `person`, `the_person` and `possessive` (features/style.py); a name defined twice is an error."""
    # the writer's words for the worker (style_words.yaml), as every fact lexicon reads them
    classes: dict[str, str] = {"person": person_class(), "the_person": the_person_class(),
                              "possessive": possessive_class()}
    for source in ("concepts.yaml", *WORD_CLASS_FILES):
        add_classes(classes, read_yaml(source).get("word_classes", {}), source)
    return classes


@lru_cache(maxsize=1)
def concept_patterns() -> dict[str, re.Pattern[str]]:
    """Each concept of `concepts.yaml` as one compiled regex (its patterns joined; lower-cased, to be
    searched in `AnalysedText.lower`)."""
    return {name: compile_folded(join_patterns(patterns)) for name, patterns in concept_regexes().items()}


def join_patterns(patterns: list[str]) -> str:
    r"""The patterns as one alternation, in order, each run of alternatives that all begin at a word boundary
    written once behind one `\b`: the same matches, but a position inside a word fails once instead of once
    per alternative (the joined concepts otherwise try every alternative at every character). Each pattern's
    top-level alternatives are placed one by one (`(?:a|b)|c` is `a|b|c`), and an alternative begins at a
    boundary when it opens with `\b` or with a lookbehind that rules out a word character before it
    (`features.word_start.begins_at_boundary`). A run whose every match begins with a word character is also
    behind `(?=\w)`, so word ends fail once too (`features.word_start`)."""
    out: list[str] = []
    run: list[str] = []
    run_guarded = False
    for p in (alt for pattern in patterns for alt in _top_level_alternatives(pattern)):
        if begins_at_boundary(p):
            guarded = starts_at_word_char(p)
            if run and guarded != run_guarded:
                out.append(_behind_one_boundary(run, run_guarded))
                run = []
            run.append(p if p.startswith(r"\b") else r"\b" + p)  # `\b` first: tried faster
            run_guarded = guarded
            continue
        if run:
            out.append(_behind_one_boundary(run, run_guarded))
            run = []
        out.append(f"(?:{word_guarded(p)})")
    if run:
        out.append(_behind_one_boundary(run, run_guarded))
    return "|".join(out)


def _behind_one_boundary(run: list[str], guarded: bool) -> str:
    return r"\b" + (r"(?=\w)" if guarded else "") + "(?:" + "|".join(_shared_openings(run)) + ")"


def _shared_openings(run: list[str]) -> list[str]:
    r"""The run's alternatives (each `\b` first), those next to each other that open with the same group
    (a word list several alternatives repeat: the vehicles of `trauma`) behind one lookahead of that group:
    a word that opens none of them fails once, not once per alternative. The same matches in the same order:
    each such alternative can only match where its opening group does."""
    out: list[str] = []
    i = 0
    while i < len(run):
        opening, j = leading_group(run[i]), i + 1
        while opening is not None and j < len(run) and leading_group(run[j]) == opening:
            j += 1
        alternatives = "|".join(f"(?:{p})" for p in run[i:j])
        out.append(rf"\b(?={opening})(?:{alternatives})" if j - i > 1 else f"(?:{run[i]})")
        i = j
    return out


def leading_group(pattern: str) -> str | None:
    r"""The group `pattern` opens with after its `\b` (`\b(?:car|truck) ...` -> `(?:car|truck)`), or None when
    it opens otherwise or the group is repeated (`\b(?:a|b)?`): what every match of `pattern` begins with."""
    if not pattern.startswith(r"\b("):
        return None
    end = _group_end(pattern, 2)
    if end is None or pattern[end:end + 1] in ("?", "*", "+", "{"):
        return None
    return pattern[2:end]


def _group_end(pattern: str, start: int) -> int | None:
    """The index just after the group opening at `pattern[start]`, skipping escapes and character classes."""
    depth = 0
    for i, c in _outside_classes(pattern, start):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return None


def _top_level_alternatives(pattern: str) -> list[str]:
    """`pattern` split at each `|` outside groups, character classes and escapes."""
    alts, depth, begin = [], 0, 0
    for i, c in _outside_classes(pattern):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            alts.append(pattern[begin:i])
            begin = i + 1
    alts.append(pattern[begin:])
    return alts


def _outside_classes(pattern: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """(index, character) of each character of `pattern` from `start` that is neither escaped nor inside a
    character class: the characters that can open, close or split a group."""
    i, in_class = start, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += pattern[i + 1 : i + 2] == "^"
            i += pattern[i + 1 : i + 2] == "]"  # a "]" first in a class is a literal
        else:
            yield i, c
        i += 1


class AnalysedText:
    """A section's text split into sentences (authors attributed), with ConText triggers per sentence."""

    def __init__(self, text: str, section: Section, engine: ContextEngine | None = None) -> None:
        self.engine = engine or context_engine()
        self.text = text
        self.lower = lower_text(text)  # what concept patterns search (same offsets as `text`)
        self.section = section
        self.sentences: list[Sentence] = []
        self._modifiers: list[list[Modifier]] = []
        self._token_offset: list[int] = []  # char offset of each sentence's chunk (spans index the chunk)
        self._squeezed: list[tuple[int, ...]] = []  # each sentence's extra words of a longer worker's name
        self._mentions: dict[str, list[Mention]] = {}
        if text.strip():
            self._segment()
        self._starts = [s.start for s in self.sentences]

    def _segment(self) -> None:
        nlp, engine = pipeline(), self.engine
        raw: list[Sentence] = []
        for offset, piece in chunks(self.text, CHUNK_CHARS):
            doc = nlp(piece)
            mods = engine.modifiers(doc)
            squeezed = _name_extra_tokens(doc, piece)
            mi = 0
            for sent in doc.sents:
                while mi < len(mods) and mods[mi].start < sent.start:
                    mi += 1
                mine = []
                j = mi
                while j < len(mods) and mods[j].start < sent.end:
                    if mods[j].end <= sent.end:
                        mine.append(mods[j])
                    j += 1
                text = piece[sent.start_char:sent.end_char]  # = sent.text, without joining its tokens
                s = text.strip()
                if not s:
                    continue
                start = offset + sent.start_char + (len(text) - len(text.lstrip()))
                raw.append(Sentence(self.section, len(raw), start, start + len(s), s, sent))
                self._modifiers.append(mine)
                self._token_offset.append(offset)
                # `squeezed` is sorted: the sentence's share is one slice (a scan of all of it per sentence
                # grew with the square of a chunk's length)
                first, last = bisect_left(squeezed, sent.start), bisect_left(squeezed, sent.end)
                self._squeezed.append(tuple(squeezed[first:last]))
        self.sentences = load_author_rules().attribute(raw) if self.section == Section.CLINICAL_SUMMARY \
            else [s.with_author(_SECTION_AUTHORS.get(self.section)) for s in raw]

    def sentence_at(self, pos: int) -> Sentence | None:
        return sentence_at(self.sentences, self._starts, pos)

    def mention(self, concept: str, start: int, end: int) -> Mention | None:
        """The mention of `concept` at characters [start, end), asserted in its sentence."""
        s = self.sentence_at(start)
        if s is None:
            return None
        offset = self._token_offset[s.index]
        span = s.span.doc.char_span(start - offset, end - offset, alignment_mode="expand")
        if span is None:
            assertion = AFFIRMED
        else:
            assertion = self.engine.assertion(
                self._modifiers[s.index], s.span.start, s.span.end, span.start, span.end, concept,
                self._squeezed[s.index])
        return Mention(concept, start, end, self.text[start:end], s, assertion)

    def mentions(self, concept: str) -> list[Mention]:
        """Every mention of a `concepts.yaml` concept, in text order (found once per text)."""
        found = self._mentions.get(concept)
        if found is None:
            found = self._mentions[concept] = list(self.find(concept, concept_patterns()[concept]))
        return found

    def find(self, concept: str, pattern: re.Pattern[str], start: int = 0, end: int | None = None,
             group: int = 0) -> Iterator[Mention]:
        """Mentions of a regex (its `group`), named `concept` for the rules that apply to some concepts.
        A lower-case pattern (`casefold.compile_folded`) searches the lower-cased text; one compiled
        with IGNORECASE may search either."""
        text = self.lower if not pattern.flags & _IGNORECASE else self.text
        for m in pattern.finditer(text, start, len(text) if end is None else end):
            s, e = m.span(group)
            if s < 0 or s == e:
                continue
            found = self.mention(concept, s, e)
            if found is not None:
                yield found


def _name_extra_tokens(doc: Doc, text: str) -> list[int]:
    """The tokens of `doc` (sorted) that a longer name for the worker adds to the one word another writer uses
    ("the injured worker's" for "his", "the patient" for "he"): every token of such a phrase but its first, so
    a ConText trigger's reach in words is the same whichever way the writer names the worker."""
    out: list[int] = []
    for m in _person_phrase().finditer(text):
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is not None and len(span) > 1:
            out.extend(range(span.start + 1, span.end))
    return sorted(set(out))


@lru_cache(maxsize=1)
def _person_phrase() -> re.Pattern[str]:
    return re.compile(word_guarded(rf"\b{person_phrase_class()}"), re.IGNORECASE)


_SECTION_AUTHORS = {Section.PARTIAL_CERTIFICATION: "ur_reviewer", Section.UR_GUIDELINE: "ur_reviewer"}
"""Who writes the sections other than the summary, where the letter says so: the claims administrator
(UR) writes its partial certification and guideline line; the heading is the request itself."""
