"""The drug lexicon (`drug_lexicon.csv`): medication names and name stems -> pharmacological class.

Kept apart from the service taxonomy because it is pharmacology, not heading wording: a brand, its generic
and a compounded kit of the same drug share one class, and the taxonomy maps classes to service types.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

KINDS = ("generic", "brand", "compound", "product", "class_word", "stem", "shorthand")


@dataclass(frozen=True, slots=True)
class DrugName:
    """One row: a name (or, for kind `stem`, a name ending such as "-codone") and its class."""

    name: str
    drug_class: str
    kind: str
    contains: str = ""

    @property
    def is_stem(self) -> bool:
        return self.kind == "stem"


def parse_lexicon(text: str, source: str = "drug_lexicon.csv") -> tuple[DrugName, ...]:
    """Rows of a lexicon CSV ('#' lines are comments); a bad row raises naming the line and the problem."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    out: list[DrugName] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        name = (row.get("name") or "").strip().lower()
        drug_class = (row.get("drug_class") or "").strip()
        kind = (row.get("kind") or "").strip()
        where = f"{source} row {i} ({name or '?'})"
        if not name or not drug_class:
            raise ValueError(f"{where}: name and drug_class are required")
        if kind not in KINDS:
            raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        if (kind == "stem") != name.startswith("-"):
            raise ValueError(f"{where}: a stem is written with a leading '-', and only a stem is")
        if name in seen:
            raise ValueError(f"{where}: name listed twice")
        seen.add(name)
        out.append(DrugName(name, drug_class, kind, (row.get("contains") or "").strip()))
    return tuple(out)


def load_lexicon(filename: str = "drug_lexicon.csv") -> tuple[DrugName, ...]:
    """The packaged lexicon."""
    return _packaged_lexicon(filename)


@lru_cache(maxsize=4)
def _packaged_lexicon(filename: str) -> tuple[DrugName, ...]:
    """A packaged lexicon file's rows, parsed once: the taxonomy, the drug names and the drugs-in-use reader
    each load it (three parses of the CSV per process before); the rows are frozen, so all can share them."""
    text = resources.files("features").joinpath(filename).read_text(encoding="utf-8")
    return parse_lexicon(text, filename)
