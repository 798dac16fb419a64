"""Clinical abbreviations read as the word they stand for ("w/o" = "without"), in the rules, not the text.

The table is data (`word_abbreviations.yaml`). A regex written with the word ("without relief") is rewritten
to take the abbreviation too ("(?:without|w/o) relief"), and a ConText token pattern's word gets its
abbreviation as another allowed token: the letter's text, its sentences and every evidence offset stay as
written. An entry may be a phrase ("due to": "d/t"), read where a pattern writes its words in a row.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from features.package_data import read_yaml

_QUANTIFIERS = "?*+{"
_PHRASE_SPACE = r"(?: |\\s\+?)"  # how a pattern writes the space between a phrase's words: " ", "\s", "\s+"


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, tuple[str, ...]]:
    """Each word of `word_abbreviations.yaml` and its abbreviations, lower case."""
    words = read_yaml("word_abbreviations.yaml")["words"]
    return {str(w).lower(): tuple(str(a).lower() for a in abbrs) for w, abbrs in words.items()}


def _alternation(word: str, abbrs: tuple[str, ...], bounded: bool) -> str:
    r"""The word or its abbreviations; `bounded`: the pattern went on with `\b`, kept after the word and after
    an abbreviation ending in a word character (one ending in "/" is a whole token already)."""
    forms = [word + (r"\b" if bounded else "")]
    forms += [re.escape(a) + _not_longer(a) + (r"\b" if bounded and a[-1].isalnum() else "") for a in abbrs]
    return "(?:" + "|".join(forms) + ")"


@lru_cache(maxsize=1)
def _phrases() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each phrase of the table ("due to") as a pattern that finds it written in a regex, with the phrase."""
    return tuple((re.compile(_PHRASE_SPACE.join(re.escape(w) for w in phrase.split()) + r"(?![\w?*+{/])",
                             re.IGNORECASE), phrase) for phrase in abbreviations() if " " in phrase)


def _not_longer(abbr: str) -> str:
    """A lookahead that keeps an abbreviation from matching the start of a longer one ("w/" in "w/o")."""
    rests = [b[len(abbr):] for bs in abbreviations().values() for b in bs if b != abbr and b.startswith(abbr)]
    return "(?!" + "|".join(re.escape(r) + r"\b" for r in rests) + ")" if rests else ""


def spelled_out(pattern: str) -> str:
    """`pattern` with each whole word of the table written in it as a literal (not inside a character set or
    a lookbehind, which must keep a fixed width, and not under a quantifier) also matching its
    abbreviations."""
    if _table_word().search(pattern) is None:  # most patterns name no word of the table: nothing to scan for
        return pattern
    table = abbreviations()
    out: list[str] = []
    groups: list[bool] = []  # for each open group: is it a lookbehind
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        elif c == "[":
            j = i + 1 + (pattern[i + 1:i + 2] == "^")
            j += pattern[j:j + 1] == "]"
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            out.append(pattern[i:j + 1])
            i = j + 1
        elif c == "(":
            groups.append(pattern.startswith(("(?<=", "(?<!"), i))
            out.append(c)
            i += 1
        elif c == ")":
            if groups:
                groups.pop()
            out.append(c)
            i += 1
        elif c.isalpha():
            j = i
            while j < n and pattern[j].isalpha():
                j += 1
            word = pattern[i:j].lower()
            after_letter = i > 0 and (pattern[i - 1].isalnum() and not _escaped(pattern, i - 1))
            phrase = next(((m, p) for rx, p in _phrases() if (m := rx.match(pattern, i))), None) \
                if not any(groups) and not after_letter else None
            free = word in table and not any(groups) and not after_letter \
                and pattern[j:j + 1] not in tuple(_QUANTIFIERS) + ("/",)
            if phrase is not None:
                found, words = phrase
                bounded = pattern.startswith(r"\b", found.end())
                out.append(_alternation(found.group(0), table[words], bounded))
                i = found.end() + 2 if bounded else found.end()
            elif free:
                bounded = pattern.startswith(r"\b", j)
                out.append(_alternation(pattern[i:j], table[word], bounded))
                i = j + 2 if bounded else j
            else:
                out.append(pattern[i:j])
                i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def _table_word() -> re.Pattern[str]:
    """Each word of the table and each phrase's first word, anywhere, in any case: `spelled_out` changes only
    a pattern that holds one (a word it spells out is a whole word of the table; a phrase begins with its
    first word)."""
    return re.compile("|".join(re.escape(w.split()[0]) for w in abbreviations()), re.IGNORECASE)


def _escaped(pattern: str, k: int) -> bool:
    """Whether the character at `k` is the letter of an escape (`\\b`, `\\s`)."""
    slashes = 0
    while k - 1 - slashes >= 0 and pattern[k - 1 - slashes] == "\\":
        slashes += 1
    return slashes % 2 == 1


def abbreviation_tokens() -> tuple[str, ...]:
    """Every abbreviation of the table, each one token of the tokenizer (features/sentences.py), so a token
    pattern reads "d/t" as it reads "w/o"."""
    return tuple(dict.fromkeys(a for abbrs in abbreviations().values() for a in abbrs))


def spelled_token_patterns(pattern: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The spaCy token pattern with its words' abbreviations (`spelled_tokens`), and one more pattern for each
    place where it writes a phrase of the table in a row ("due", "to"), the phrase's tokens taken by its one
    abbreviation's token ("d/t")."""
    out = [spelled_tokens(pattern)]
    for phrase, abbrs in abbreviations().items():
        words = phrase.split()
        if len(words) < 2:
            continue
        for i in range(len(pattern) - len(words) + 1):
            if all(w in _token_words(pattern[i + k]) for k, w in enumerate(words)):
                one = {k: v for k, v in pattern[i].items() if k not in ("LOWER", "ORTH", "TEXT")}
                out.append(spelled_tokens([*pattern[:i], {**one, "LOWER": {"IN": list(abbrs)}},
                                           *pattern[i + len(words):]]))
    return out


def _token_words(spec: dict[str, Any]) -> list[str]:
    """The words a token spec allows by its LOWER (or ORTH / TEXT) key, lower case; none for any other."""
    for key in ("LOWER", "ORTH", "TEXT"):
        value = spec.get(key)
        if isinstance(value, str):
            return [value.lower()]
        if isinstance(value, dict) and set(value) == {"IN"}:
            return [str(w).lower() for w in value["IN"]]
    return []


def spelled_tokens(pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A spaCy token pattern whose LOWER words of the table also allow their abbreviations (a token "w/o")."""
    table = abbreviations()
    out = []
    for spec in pattern:
        value = spec.get("LOWER")
        words = [value] if isinstance(value, str) else value.get("IN") \
            if isinstance(value, dict) and set(value) == {"IN"} else None
        if words is None or not any(str(w).lower() in table for w in words):
            out.append(spec)
            continue
        allowed = list(dict.fromkeys([*words, *(a for w in words for a in table.get(str(w).lower(), ()))]))
        out.append({**spec, "LOWER": {"IN": allowed}})
    return out
