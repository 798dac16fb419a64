"""Service headings -> normalised word tokens with their offsets, for the taxonomy's term matching.

Headings name the same service in many ways ("braces" / "brace", "NCS/EMG" / "EMG-NCS", "X-Rays" /
"x ray"); matching lemmas instead of characters makes plural, hyphen, slash and case differences vanish
before any synonym is looked up. Offsets point into the heading as written so evidence can quote it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

# Dotted abbreviations ("T.E.N.S.", "P.T."), HCPCS Level II codes (one letter and four digits: "E0730", read
# as one word), letters, numbers (with a decimal part) and the symbols that carry meaning in headings: '#' (a
# quantity), '%' (a strength: topical), '&' (H&P). Other letters and digits are split ("10mg", "x6").
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|(?<![A-Za-z0-9])[A-Za-z]\d{4}(?!\d)|[^\W\d_]+|\d+(?:\.\d+)?|[#%&]")
# An upper-case abbreviation with a plural "s" ("MRIs", "ESIs", "EMGs"): the "s" is not part of the name.
_ABBREVIATION_PLURAL = re.compile(r"[A-Z]{2,}s")
_ING_MIN = 6  # "bracing" -> "brace"; shorter -ing words ("ring", "king") are left alone


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a heading: its lemma, where it stands in the heading, and its clause.

    `clause` counts the complement words ("with", "for", "to", ...) before the token: the requested
    service is named before them ("Consult with a knee arthroplasty specialist" requests a consult)."""

    lemma: str
    start: int
    end: int
    clause: int


def fold(text: str) -> str:
    """Lower-case ASCII: accents dropped, so "Électro" and "electro" are one word."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def singular(word: str, keep: Collection[str] = ()) -> str:
    """A plural noun's singular by the regular English rules (no dictionary): "therapies" -> "therapy",
    "braces" -> "brace", "patches" -> "patch", "orthoses" -> "orthosis"; words in `keep` (abbreviations that
    end in s, like "tens") and words ending in -ss, -us, -is, -os stay as they are."""
    if word in keep or len(word) <= 3 or not word.isalpha() or not word.endswith("s"):
        return word
    if word.endswith(("ss", "us", "is", "os")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("oses", "eses")) and len(word) > 6:
        return word[:-2] + "is"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    return word[:-1]


def lemma(word: str, keep: Collection[str] = (), vocabulary: Collection[str] = ()) -> str:
    """The form terms are matched on: a word `vocabulary` knows, or its singular ("taxis" -> "taxi", "chiros"
    -> "chiro" where the vocabulary knows them, else by `singular`), or for an -ing word the stem that
    `vocabulary` knows ("bracing" -> "brace", "testing" -> "test"); other words stay as they are."""
    if word in keep:
        return word
    w = word if word in vocabulary else _known_singular(word, vocabulary) or singular(word, keep)
    # the stem last, even when the -ing word is known itself: a table that says "muscle testing" and
    # "genetic test" reads "genetic testing" as its "genetic test"
    return _ing_stem(w, vocabulary) or w


def _known_singular(word: str, vocabulary: Collection[str]) -> str:
    """A plural's singular that `vocabulary` knows ("taxis" -> "taxi"), or "" when none."""
    if word.endswith("s") and word.isalpha():
        for cand in (word[:-1], word[:-2], word[:-3] + "y", word[:-2] + "is"):
            if len(cand) > 1 and cand in vocabulary:
                return cand
    return ""


def _ing_stem(word: str, vocabulary: Collection[str]) -> str:
    """The stem of an -ing word that `vocabulary` knows ("bracing" -> "brace"), or "" when none."""
    if not (word.endswith("ing") and len(word) >= _ING_MIN):
        return ""
    stem = word[:-3]
    for cand in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
        if cand and cand in vocabulary:
            return cand
    return ""


def tokenize(
    text: str,
    *,
    keep: Collection[str] = (),
    vocabulary: Collection[str] = (),
    complements: Collection[str] = (),
    read_after: Mapping[str, tuple[str, Collection[str]]] = {},
) -> list[Token]:
    """Every word, number and symbol of `text` as a lemma with its offsets and clause number; an abbreviation
    of `read_after` right after one of its words is the word it means there ("Medical Ctr": "center")."""
    out: list[Token] = []
    clause = 0
    for m in _TOKEN.finditer(text):
        raw = m.group()
        if _ABBREVIATION_PLURAL.fullmatch(raw):
            raw = raw[:-1]
        word = fold(raw.replace(".", ""))
        if not word:
            continue
        if word in complements:
            clause += 1
        if word in read_after and out and out[-1].lemma in read_after[word][1]:
            word = read_after[word][0]
        out.append(Token(lemma(word, keep, vocabulary), m.start(), m.end(), clause))
    return out


def term_lemmas(
    term: str,
    *,
    keep: Collection[str] = (),
    stopwords: Collection[str] = (),
    vocabulary: Collection[str] = (),
) -> tuple[str, ...]:
    """A table term as the lemmas it must match ("Nerve conduction studies" -> nerve, conduction, study)."""
    tokens = tokenize(term, keep=keep, vocabulary=vocabulary)
    return tuple(t.lemma for t in tokens if t.lemma not in stopwords)
