"""Words that name a heading's drug in a summary: read by the duration, newness and not-tried readers alike,
so it sits below all of them (in drug_durations.py it made an import cycle once function_and_care read it)."""

from __future__ import annotations

import re
from functools import lru_cache

from features.drug_names import drug_names

_GENERIC_HEADING_WORDS = frozenset(
    "additional continue continued prospective retrospective purchase rental initial request post "
    "pre op operative tablet tablets capsule capsules cream topical patch patches apply daily twice "
    "times units unit refill refills with without dose qty quantity month supply one two three "
    "container bottle tube box the and for per trial trials".split())


@lru_cache(maxsize=4096)
def heading_drug_names(heading: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Words that name a heading's drug in a summary, most specific first: the heading's own words (a drug
    name), then the other names of the same drug, then words for its class (the taxonomy's drug lexicon,
    `features.drug_names`). Of the heading alone, so read once per heading, not once per name level."""
    table = drug_names()
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", heading)]
    words = [w for w in words if w not in _GENERIC_HEADING_WORDS]
    # round 28: a name of several words first ("Tylenol #3", "naproxen sodium"); a word of it that alone
    # names a drug of another class is another drug ("Tylenol" of "Tylenol #3" is acetaminophen, not the
    # codeine product)
    phrases = table.phrases_in(heading)
    apart = {w for p in phrases for w in p.split()
             if table.classes.get(w) not in (None, table.classes.get(p))}
    words = [w for w in words if w not in apart]
    own = list(dict.fromkeys([*phrases, *words[:3]]))
    others = [n for w in [*phrases, *words] for n in table.others(w) if n not in own]
    classes = [c for w in [*phrases, *words] for c in table.class_names(w)]
    return tuple(own), tuple(dict.fromkeys(others)), tuple(dict.fromkeys(classes))
