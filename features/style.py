"""Writer style out of case text: the one normaliser every text model reads through, and the rewrite
that proves it (the style-invariance guard).

The Clinical Case Summary is written by the reviewer's side; whether it says "injured worker" or
"patient", "he" or "she", betrays the writer, not the case. `normalise` keeps the clinical words and
drops person words, pronouns, honorifics (and the name after one), writer phrases, dates and numbers;
`rewrite_style` swaps person words and pronouns the way another writer would. By construction
`normalise(rewrite_style(t, ...)) == normalise(t)`. The word lists are data: `style_words.yaml`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

STYLE_WORDS_FILE = "style_words.yaml"

# Dates by rule (numbers go with every token that is not letters): 10-13-16, 10/13/2016, 2016-10-13.
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")
_TOKEN = re.compile(r"[a-z]+")
# Writers spell one phrase with a space, a hyphen or a slash; a phrase's blanks match any of them.
_GAP = r"[\s\-/]+"


def _phrase_regex(phrases: Iterable[str]) -> str:
    """Alternation of whole-word phrases, longest first, each internal blank matching a gap."""
    parts = sorted({p.strip().lower() for p in phrases if p.strip()}, key=lambda p: (-len(p), p))
    body = "|".join(_GAP.join(re.escape(w) for w in re.split(r"\s+", p)) for p in parts)
    return rf"(?<![a-z0-9])(?:{body})(?![a-z0-9])"


@dataclass(frozen=True)
class StyleWords:
    """The word lists of `style_words.yaml`, compiled once."""

    person: tuple[str, ...]
    pronouns: tuple[str, ...]
    honorifics: tuple[str, ...]
    name_labels: tuple[str, ...]
    record_words: tuple[str, ...]
    age_phrases: tuple[str, ...]
    writer_phrases: tuple[str, ...]
    synonyms: dict[str, tuple[str, ...]]
    number_words: tuple[str, ...]
    months: tuple[str, ...]
    stop_words: frozenset[str]
    person_forms: dict[str, str]  # rewrite: person form -> its indefinite article
    pronoun_swap: dict[str, str]

    @classmethod
    def from_mapping(cls, data: dict, origin: str = STYLE_WORDS_FILE) -> StyleWords:
        def words(key: str) -> tuple[str, ...]:
            value = data.get(key)
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise ValueError(f"{origin}: '{key}' must be a list of non-empty strings")
            return tuple(v.strip().lower() for v in value)

        syn = data.get("synonyms") or {}
        rewrite = data.get("rewrite") or {}
        if not isinstance(syn, dict) or not isinstance(rewrite, dict):
            raise ValueError(f"{origin}: 'synonyms' and 'rewrite' must be mappings")
        forms = {str(k).lower(): str(v).lower() for k, v in (rewrite.get("person_forms") or {}).items()}
        swap = {str(k).lower(): str(v).lower() for k, v in (rewrite.get("pronoun_swap") or {}).items()}
        if len(forms) < 2 or not swap:
            raise ValueError(f"{origin}: 'rewrite' needs at least two person_forms and a pronoun_swap")
        labels = {str(v).lower() for v in data.get("name_labels") or []}
        unlabelled = sorted((set(forms) | set(_ALIASES)) - labels)
        if unlabelled:  # else "Patient: J. Doe" would lose its name and "Claimant: J. Doe" keep it
            raise ValueError(f"{origin}: every person form must be a name label; missing {unlabelled}")
        # the guarantee normalise(rewrite_style(t)) == normalise(t) rests on these lists agreeing
        person, pronouns = set(words("person")), set(words("pronouns"))
        stop = set(words("stop_words"))
        kept = sorted((set(forms) | set(_ALIASES)) - person) + sorted(
            (set(swap) | set(swap.values())) - pronouns
        )
        kept += sorted(set(forms.values()) - stop)
        if kept:
            raise ValueError(f"{origin}: the rewrite would change words that normalise keeps: {kept}")
        return cls(
            person=words("person"),
            pronouns=words("pronouns"),
            honorifics=words("honorifics"),
            name_labels=words("name_labels"),
            record_words=words("record_words"),
            age_phrases=words("age_phrases"),
            writer_phrases=words("writer_phrases"),
            synonyms={str(k).lower(): tuple(str(v).lower() for v in vs) for k, vs in syn.items()},
            number_words=words("number_words"),
            months=words("months"),
            stop_words=frozenset(words("stop_words")),
            person_forms=forms,
            pronoun_swap=swap,
        )

    # ---- compiled patterns (built on first use; the dataclass is frozen, so cache by identity) ----
    @property
    def _compiled(self) -> _Compiled:
        return _compile(self)


@dataclass(frozen=True)
class _Compiled:
    honorific_name: re.Pattern[str]
    labelled_name: re.Pattern[str]
    month_date: re.Pattern[str]
    synonyms: tuple[tuple[re.Pattern[str], str], ...]
    drop: re.Pattern[str]  # phrases of several words
    drop_words: frozenset[str]  # single words, dropped with the function words after tokenising
    person_rewrite: re.Pattern[str]
    pronoun_rewrite: re.Pattern[str]


def _compile(words: StyleWords) -> _Compiled:
    hit = words.__dict__.get("_compiled_cache")
    if hit is not None:
        return hit
    hon = "|".join(re.escape(h) for h in words.honorifics)
    months = _phrase_regex(words.months)
    # honorific with its name: "Mr. Jones", "Ms Smith-Lee" (case-sensitive capital: a name, not a word)
    honorific_name = re.compile(rf"(?<![A-Za-z])(?i:{hon})\.?(?:\s+[A-Z][A-Za-z'\-]*)?(?![A-Za-z])")
    labels = "|".join(_GAP.join(re.escape(w) for w in label.split()) for label in
                      sorted(words.name_labels, key=lambda p: -len(p)))  # fmt: skip
    # a labelled name: "Patient: J. Doe", "RE: Jane Roe" (up to three capitalised words after the colon)
    labelled_name = re.compile(rf"(?<![A-Za-z])(?i:{labels})\s*:\s*(?:[A-Z][A-Za-z'\-]*\.?\s*){{0,3}}")
    month_date = re.compile(rf"{months}\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?(?:\s+\d{{2,4}})?")
    synonyms = tuple(
        (re.compile(_phrase_regex(variants)), f" {canonical} ")
        for canonical, variants in sorted(words.synonyms.items())
    )
    dropped = [*words.person, *words.pronouns, *words.age_phrases, *words.writer_phrases,
               *words.number_words, *words.record_words]  # fmt: skip
    # one word of letters is dropped as a token (a set lookup); anything longer by one regex
    single = frozenset(d for d in dropped if _TOKEN.fullmatch(d))
    drop = re.compile(_phrase_regex([d for d in dropped if d not in single]))
    person_rewrite = re.compile(
        r"(?i)(?<![A-Za-z0-9\-])(?:(a|an|the)\s+)?(" + "|".join(
            _GAP.join(re.escape(w) for w in f.split()) for f in sorted(_rewrite_person_forms(words),
                                                                        key=lambda f: -len(f))
        ) + r")(?![A-Za-z0-9])"
    )  # fmt: skip
    pronoun_rewrite = re.compile(
        r"(?i)(?<![A-Za-z0-9/])(" + "|".join(sorted(words.pronoun_swap, key=lambda p: -len(p)))
        + r")(?![A-Za-z0-9/])(\s*)([A-Za-z]*)"
    )  # fmt: skip
    out = _Compiled(honorific_name, labelled_name, month_date, synonyms, drop, single | words.stop_words,
                    person_rewrite, pronoun_rewrite)  # fmt: skip
    object.__setattr__(words, "_compiled_cache", out)  # the word lists are frozen: compile once per object
    return out


def _rewrite_person_forms(words: StyleWords) -> tuple[str, ...]:
    """Singular person words the rewrite replaces: the rewrite forms and the other singular writer names
    ("the IW" included). Plurals are left alone: they may be other people."""
    extra = tuple(_ALIASES)
    return tuple(dict.fromkeys([*words.person_forms, *extra]))


@lru_cache(maxsize=4)
def load_style_words(name: str = STYLE_WORDS_FILE) -> StyleWords:
    """The packaged word lists (parsed once per process)."""
    text = resources.files("features").joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"features/{name}: expected a mapping at top level")
    return StyleWords.from_mapping(data, f"features/{name}")


def _ascii(text: str) -> str:
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def normalise(text: str, words: StyleWords | None = None) -> str:
    """The clinical words of `text`, lower case, one blank apart: person words, pronouns, honorifics
    and the names after them, age wording, writer phrases, dates, numbers and function words removed,
    synonyms of one event (UR's "denied" / "non-certified") made one word."""
    w = words or load_style_words()
    c = w._compiled
    t = _ascii(text or "")
    t = c.labelled_name.sub(" ", t)  # before lower-casing: a name is capitalised words
    t = c.honorific_name.sub(" ", t)
    t = t.lower()
    t = _NUMERIC_DATE.sub(" ", t)
    t = c.month_date.sub(" ", t)
    t = t.replace("'s", " ").replace("\u2019s", " ")
    for pattern, canonical in c.synonyms:
        t = pattern.sub(canonical, t)
    t = c.drop.sub(" ", t)
    stop = c.drop_words
    return " ".join(tok for tok in _TOKEN.findall(t) if len(tok) > 1 and tok not in stop)


def normalised_tokens(text: str, words: StyleWords | None = None) -> list[str]:
    """`normalise` as a token list (what the text signal counts); the packaged word lists' results are
    remembered, since a letter's summary is read once per service and once per cross-fitting fold."""
    out = _normalise_packaged(text) if words is None else normalise(text, words)
    return out.split(" ") if out else []


@lru_cache(maxsize=4096)
def _normalise_packaged(text: str) -> str:
    return normalise(text)


def writer_style(text: str, words: StyleWords | None = None) -> str:
    """Which person form a text's writer uses most ("injured worker", "patient", "claimant",
    "applicant"; "none" without one): the writer's mark, for training a model to look past it."""
    if words is None:
        return _writer_style_packaged(text or "")
    return _writer_style(text, words)


@lru_cache(maxsize=4096)
def _writer_style_packaged(text: str) -> str:
    return _writer_style(text, load_style_words())


def _writer_style(text: str, w: StyleWords) -> str:
    counts = dict.fromkeys(w.person_forms, 0)
    for m in w._compiled.person_rewrite.finditer(text or ""):
        found = re.sub(_GAP, " ", m.group(2).lower())
        form = found if found in counts else _ALIASES.get(found)
        if form in counts:
            counts[form] += 1
    best = max(counts, key=lambda k: (counts[k], k == "patient"))
    return best if counts[best] else "none"


# ---- the person as the subject or object of a fact pattern --------------------------------------
def person_class(words: StyleWords | None = None) -> str:
    """Every writer's word for the worker as one regex alternation, `${person}` in the fact lexicons: a
    pattern that reads who was helped, struck or declined care names the person through this class, so no
    fact changes when only the writer's word does ("patient", "IW", "claimant", "Mr. Doe"). Longest first;
    an honorific with the name after it counts too (the doctor's excepted)."""
    return f"(?:{_person_nouns(words)}|{_person_name(words)})"


def the_person_class(words: StyleWords | None = None) -> str:
    """The worker as a noun phrase, `${the_person}`: "the" with at most one word before the noun ("the
    patient", "the injured employee", "the female claimant"), or a name ("Mr. Doe")."""
    return rf"(?:the\s+(?:\w+\s+)?{_person_nouns(words)}|{_person_name(words)})"


def possessive_class(words: StyleWords | None = None) -> str:
    """Whose a thing is, `${possessive}`: "his", "her", "their" or the writer's noun in the possessive ("the
    applicant's function", "the injured worker's grip"), so a slot that reads a pronoun reads the noun too
    and no fact changes when a writer names the worker where another says "his"."""
    return rf"(?:his|her|their|{the_person_class(words)}['\u2019]s)"


def person_phrase_class(words: StyleWords | None = None) -> str:
    """The worker named by a phrase of more than one word where another writer says "he" or "his": "the
    injured worker", "the patient's", "injured worker", "Mr. Doe": a negation's reach counts such a phrase as
    one word (`features/analysis.py`), so a longer name for the worker never puts a fact out of its reach."""
    return rf"(?:{the_person_class(words)}|{_person_nouns(words)})(?:['\u2019]s)?"


def lookback_start(text: str, end: int, chars: int) -> int:
    """Where a look-back of `chars` characters before `end` starts when each phrase naming the worker in it
    ("the injured worker's", "the patient") counts as long as "his": a window sized for one writer's words
    reaches as far for another's (session 41: "last year during a flare the patient's pain reached")."""
    start = max(0, end - chars)
    extra = sum(len(m.group(0)) - 3 for m in _person_phrase_pattern().finditer(text, max(0, start - 80), end)
                if m.end() > start)
    return max(0, start - extra)


@lru_cache(maxsize=1)
def _person_phrase_pattern() -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){person_phrase_class()}(?![a-z0-9])", re.IGNORECASE)


def _person_nouns(words: StyleWords | None) -> str:
    w = words or load_style_words()
    nouns = sorted({p for p in w.person if len(p) > 1 and not p.startswith("the ")},
                   key=lambda p: (-len(p), p))
    return "(?:" + "|".join(r"\s+".join(re.escape(part) for part in p.split()) for p in nouns) + ")"


def _person_name(words: StyleWords | None) -> str:
    w = words or load_style_words()
    honorifics = "|".join(re.escape(h) for h in w.honorifics if h != "dr")  # the doctor is not the worker
    # an apostrophe inside a name ("O'Brien"), never its possessive ending: "Ms. Roe's" is the name and "'s"
    return rf"(?:{honorifics})\.?\s[a-z][\w-]*(?:['\u2019](?!s\b)[\w-]+)*(?![\w-]|['\u2019](?!s\b))"


# Writer names that are spelt differently from their rewrite form.
_ALIASES = {
    "iw": "injured worker",
    "injured employee": "injured worker",
    "employee": "injured worker",
    "worker": "injured worker",
}


# ---- the rewrite (the style-invariance guard) --------------------------------------------------
def _match_case(template: str, word: str, *, sentence_start: bool = False) -> str:
    """`word` capitalised like `template` ("Patient" for "Injured worker"); an all-capital abbreviation
    ("IW") gives lower case unless it starts a sentence."""
    if template.isupper() and len(template) > 1:
        return word[0].upper() + word[1:] if sentence_start else word
    if template[:1].isupper():
        return word[0].upper() + word[1:]
    return word


_SENTENCE_END = re.compile(r"(?:^|[.!?:]\s+)$")
# a name as some writers call the worker ("Ms. Roe", "Mr. Roe"): honorific, full stop, surname
NAME_FORM = re.compile(r"(?:Mr|Mrs|Ms|Mx)\.\s[A-Z][a-z'\-]+")


# "her" is an object pronoun (-> "him") before these, possessive (-> "his") before anything else.
_HER_OBJECT_BEFORE = frozenset(
    "to that with for and as at in on from by about was is were had has have who which when while "
    "but or so if after before because since until than then also again back".split()
)


def rewrite_style(
    text: str, *, person: str | None = None, swap_pronouns: bool = False, words: StyleWords | None = None
) -> str:
    """`text` as another writer would put it: every singular person word ("injured worker", "patient",
    "claimant", "applicant", "the IW") becomes `person` (with its article), and with `swap_pronouns`
    he <-> she, his <-> her, him <-> her. Nothing clinical changes. `person` is a rewrite form, one of
    the other writer names the rewrite reads ("IW", "employee", "injured employee", "worker"), or a name
    with its honorific ("Ms. Roe", `NAME_FORM`), which takes the place of the article too ("The patient's
    knee" -> "Ms. Roe's knee")."""
    w = words or load_style_words()
    c = w._compiled
    out = text
    if person is not None:
        target = person.strip().lower()
        forms = _rewrite_person_forms(w)
        named = NAME_FORM.fullmatch(person.strip()) is not None
        if not named and target not in forms:
            raise ValueError(f"person must be one of {sorted(forms)} or a name ('Ms. Roe'), got {person!r}")
        article = w.person_forms.get(target) or ("an" if target[0] in "aeiou" else "a")
        shown = person.strip() if person.strip().isupper() else target  # an abbreviation stays capital: "IW"

        def person_sub(m: re.Match[str]) -> str:
            art, found = m.group(1), m.group(2)
            if named:
                return person.strip()  # type: ignore[union-attr]
            starts = _SENTENCE_END.search(m.string[max(0, m.start() - 3) : m.start()]) is not None
            new = _match_case(found, shown, sentence_start=starts and art is None)
            if art is None:
                return new
            if art.lower() == "the":
                return f"{art} {new}"
            return f"{_match_case(art, article)} {new}"

        out = c.person_rewrite.sub(person_sub, out)
    if swap_pronouns:
        swap = w.pronoun_swap

        def pronoun_sub(m: re.Match[str]) -> str:
            found, gap, nxt = m.group(1), m.group(2), m.group(3)
            low = found.lower()
            new = swap[low]
            if low == "her" and (not nxt or nxt.lower() in _HER_OBJECT_BEFORE or not gap):
                new = "him"
            return _match_case(found, new) + gap + nxt

        out = _sub_overlapping(c.pronoun_rewrite, pronoun_sub, out)
    return out


def _sub_overlapping(pattern: re.Pattern[str], fn, text: str) -> str:
    """`pattern.sub` where the look-ahead word (group 3) may itself be a pronoun to swap ("her his")."""
    pieces: list[str] = []
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if m is None:
            pieces.append(text[pos:])
            return "".join(pieces)
        pieces.append(text[pos : m.start()])
        replaced = fn(m)
        # keep only the pronoun and its gap; the next word is scanned again as a possible pronoun
        keep = len(replaced) - len(m.group(3))
        pieces.append(replaced[:keep])
        pos = m.end() - len(m.group(3))
