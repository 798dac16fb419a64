"""Sentences of a letter section: spaCy's blank English pipeline (tokenizer + rule-based sentencizer).

Every fact is read from one sentence of one pre-review section, so a value always comes with the whole
sentence, the section and the sentence's character offsets in that section's text. Texts longer than
`CHUNK_CHARS` are cut near a sentence end (`chunks`) and segmented piece by piece, so time grows linearly
with length and spaCy's `max_length` is never reached. `features.analysis` does the segmenting.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc, Span

from features.package_data import read_yaml
from features.style import load_style_words
from features.word_abbreviations import abbreviation_tokens
from letters.records import Section

CHUNK_CHARS = 20_000  # far below spaCy's max_length (1,000,000): a chunk's Doc stays small


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The blank English pipeline (tokenizer + sentencizer): no downloaded weights, built once. Every
    honorific of the style words ("Mx.", which spaCy does not know, as well as "Ms.", "Dr.") is one token,
    so its full stop never ends a sentence: a writer who names the worker must not change a fact. Every
    clinical abbreviation of `word_abbreviations.yaml` is one token too (session 36)."""
    nlp = spacy.blank("en")
    for word in load_style_words().honorifics:  # capitalised only: "MS." may be multiple sclerosis
        nlp.tokenizer.add_special_case(f"{word.capitalize()}.", [{ORTH: f"{word.capitalize()}."}])
    for abbr in abbreviation_tokens():  # "d/t", "d/c'd": one token, as "w/o" is, for the ConText patterns
        for form in dict.fromkeys((abbr, abbr.capitalize(), abbr.upper())):
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("abbreviation_stops")
    nlp.add_pipe("part_label_starts")
    return nlp


@lru_cache(maxsize=1)
def _part_labels() -> dict[int, frozenset[tuple[str, ...]]]:
    """The labels of a note's parts (`sentence_abbreviations.yaml` `part_labels`), lower-cased words, by
    their number of words."""
    labels: dict[int, set[tuple[str, ...]]] = {}
    for label in read_yaml("sentence_abbreviations.yaml")["part_labels"]:
        words = tuple(str(label).lower().split())
        labels.setdefault(len(words), set()).add(words)
    return {n: frozenset(found) for n, found in labels.items()}


@Language.component("part_label_starts")
def _part_label_starts(doc: Doc) -> Doc:
    """Starts a sentence at a capitalised part label and its colon ("... neuro intact Assessment: ...",
    `part_labels`) that runs on from a word, no full stop or colon before it: a run-on note's part is a
    sentence of its own, as one written with full stops is (session 39, round-81 kind K4); a label right
    after a header's colon ("Progress report 01/19/2016: Subjective: ...") stays in its header's sentence."""
    labels = _part_labels()
    for colon in tokens_written(doc, (":",)):
        for n, found in labels.items():
            start = colon - n
            if start > 0 and doc[start].text[:1].isupper() and not doc[start - 1].is_punct \
                    and tuple(t.lower_ for t in doc[start:colon]) in found:
                doc[start].is_sent_start = True
                break
    return doc


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[frozenset[str], frozenset[str]]:
    """The abbreviations whose full stop goes on the sentence, and the words that go on after them
    (`sentence_abbreviations.yaml`)."""
    data = read_yaml("sentence_abbreviations.yaml")
    return (frozenset(w.lower() for w in data["abbreviations"]),
            frozenset(w.lower() for w in data["continuing_words"]))


@Language.component("abbreviation_stops")
def _abbreviation_stops(doc: Doc) -> Doc:
    """Joins back a sentence the sentencizer cut after an abbreviation's full stop ("SLR neg. for radicular
    pain"), where the next word is lower case or a continuing word: a ConText trigger reaches past it."""
    words, going_on = _abbreviations()
    for start in [i for i in sentence_starts(doc) if i >= 2]:  # a cut falls where one starts
        stop, word, after = doc[start - 1], doc[start - 2], doc[start]
        if stop.text == "." and word.lower_ in words and not word.whitespace_ \
                and (after.text[:1].islower() or after.lower_ in going_on):
            after.is_sent_start = False
    return doc


def tokens_written(doc: Doc, texts: Iterable[str]) -> list[int]:
    """The indices of the tokens of `doc` written as one of `texts`, read from its array of ORTH hashes: a
    Python loop over the doc builds a Token object per token, most of a pipeline component's time."""
    hashes = np.array([doc.vocab.strings.add(t) for t in texts], dtype=np.uint64)
    return np.flatnonzero(np.isin(doc.to_array(ORTH), hashes)).tolist()


def sentence_starts(doc: Doc) -> list[int]:
    """The index of each token that starts a sentence of `doc` (its SENT_START is 1), ascending."""
    return np.flatnonzero(doc.to_array(SENT_START) == np.uint64(1)).tolist()


@dataclass(frozen=True, slots=True, eq=False)
class Sentence:
    """One sentence of a section: offsets index that section's text; `author` is who said it, where
    the letter says so (`features.authors`), else None."""

    section: Section
    index: int
    start: int
    end: int
    text: str
    span: Span  # its tokens (for the ConText matcher)
    author: str | None = None

    def with_author(self, author: str | None) -> Sentence:
        return Sentence(self.section, self.index, self.start, self.end, self.text, self.span, author)


def chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) cuts of `text` of at most about `size` characters, each ending after a sentence
    end mark when one is near, else after whitespace (a piece never splits a word unless it has none)."""
    out: list[tuple[int, str]] = []
    start, n = 0, len(text)
    while n - start > size:
        limit = start + size
        cut = max(text.rfind(". ", start + size // 2, limit), text.rfind("\n", start + size // 2, limit))
        if cut < 0:
            cut = text.rfind(" ", start + size // 2, limit)
        cut = limit if cut < 0 else cut + 1
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


def sentence_at(sentences: list[Sentence], starts: list[int], pos: int) -> Sentence | None:
    """The sentence holding character `pos` (`starts` = each sentence's start, ascending)."""
    i = bisect_right(starts, pos) - 1
    if i < 0:
        return None
    s = sentences[i]
    return s if pos < s.end else None
