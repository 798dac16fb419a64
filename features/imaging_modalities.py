"""The kind (modality) of an imaging study, of a request by its service type and of an earlier study by its
words, so that films before an MRI do not read as a repeat (`imaging_modalities.yaml`; the words of each
kind are the service taxonomy's)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from features.package_data import read_yaml
from features.service_families import load_taxonomy

T = TypeVar("T")


@dataclass(frozen=True, eq=False)  # hashed by identity: one packaged table, a cache key
class ImagingKinds:
    """Which service types are one kind, the kinds' own extra words, and the words of no kind."""

    by_type: dict[str, str]
    words: tuple[tuple[str, re.Pattern[str]], ...]  # (kind, pattern), in the file's order
    any_kind: tuple[re.Pattern[str], ...]

    def of_request(self, service_type: object) -> str | None:
        """The kind a request's service type names; None for a type of no kind (`imaging_other`, others)."""
        return self.by_type.get(str(service_type)) if service_type is not None else None

    def of_study(self, words: str) -> str | None:
        """The kind an earlier study's words name ('MRI', 'x-rays', 'CAT scan'); None when they name none
        ('imaging', 'radiographic findings')."""
        return _study_kind(self, " ".join(words.split()).lower())

    def same_kind(self, service_type: object, studies: Iterable[T], words: Callable[[T], str]) -> list[T]:
        """The studies that may be of the request's kind: of its kind, of an unknown kind, or every one when
        the request's own kind is unknown (a study of unknown kind is a possible repeat of any request)."""
        want = self.of_request(service_type)
        out = []
        for study in studies:
            kind = self.of_study(words(study))
            if want is None or kind is None or kind == want:
                out.append(study)
        return out


@lru_cache(maxsize=4096)
def _study_kind(kinds: ImagingKinds, text: str) -> str | None:
    if any(p.search(text) for p in kinds.any_kind):
        return None
    cls = load_taxonomy().classify(text)
    if cls.family == "imaging" and cls.type in kinds.by_type:
        return kinds.by_type[cls.type]
    return next((kind for kind, p in kinds.words if p.search(text)), None)


@lru_cache(maxsize=1)
def imaging_kinds() -> ImagingKinds:
    """The packaged kinds (read once, on first use)."""
    data = read_yaml("imaging_modalities.yaml")
    by_type: dict[str, str] = {}
    words: list[tuple[str, re.Pattern[str]]] = []
    for kind, entry in data["kinds"].items():
        for t in entry["types"]:
            if t in by_type:
                raise ValueError(f"imaging_modalities.yaml: type {t!r} in kinds {by_type[t]!r} and {kind!r}")
            by_type[t] = kind
        words += [(kind, re.compile(w, re.IGNORECASE)) for w in entry.get("words", [])]
    return ImagingKinds(by_type, tuple(words), tuple(re.compile(w, re.IGNORECASE) for w in data["any_kind"]))


def same_kind_prior(same_region: bool | None, service_type: object,
                    studies: Sequence[str] | None) -> bool | None:
    """Whether an earlier study of the request's region (and side) may be of its kind: None when the region's
    imaging is not known, False when none was done or every one is of another kind, True otherwise; with the
    studies' words unknown (`studies` None) an earlier study of the region counts as a possible repeat."""
    if not same_region:
        return same_region
    if not studies:
        return True
    return bool(imaging_kinds().same_kind(service_type, studies, lambda s: s))
