"""Where an injection request's heading says its injection goes, in its own words ("first dorsal compartment"
in "Left first dorsal compartment corticosteroid injection x 1"): a summary's injection that names no kind but
these words is the same injection, so it counts as had of the requested kind (round-85 kind K5)."""

from __future__ import annotations

import re
from functools import lru_cache

from features.body_regions import body_regions
from features.value_patterns import value_patterns

_WORD = re.compile(r"[a-z][\w'-]*")


def injection_kind_words() -> list[re.Pattern[str]]:
    """The patterns of every kind of injection (`injection_types`) and of an ablation: what names an
    injection's kind, as opposed to its site or a bare "injection"."""
    p = value_patterns()
    return [*p["injection_types"].values(), p["ablation_words"]]


@lru_cache(maxsize=1024)
def heading_site_words(heading: str) -> frozenset[str]:
    """The heading's words before its injection noun that name the site: not a side, a repeat, the guidance
    or a level (`injection_heading_not_site`), nor a kind's word ("corticosteroid"). Empty unless one of them
    is more than a body region's name ("knee" alone is any knee injection, of any kind)."""
    p = value_patterns()
    noun = p["injection_heading_noun"].search(heading)
    if noun is None:
        return frozenset()
    text = heading.lower()
    kinds = [m.span() for k in injection_kind_words() for m in k.finditer(text, 0, noun.end())]
    site = [w.group(0) for w in _WORD.finditer(text, 0, noun.start())
            if not p["injection_heading_not_site"].fullmatch(w.group(0))
            and not any(a < w.end() and w.start() < b for a, b in kinds)]
    if all(body_regions().find(w) for w in site):
        return frozenset()
    return frozenset(site)


def names_the_site(words: str, site: frozenset[str]) -> bool:
    """Whether injection words that name no kind of injection ("a first dorsal compartment injection x 1")
    hold every word of the heading's site."""
    if not site or any(k.search(words) for k in injection_kind_words()):
        return False
    return site <= {w.group(0) for w in _WORD.finditer(words.lower())}
