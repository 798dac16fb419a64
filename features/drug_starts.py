"""Which of the duration statements said of a drug counts, sentence after sentence: a stated length or dated
start beats "two months of X", the nearest statement beats a farther one, and a later dated restart beats a
start found before (the protocol counts a restarted drug from its latest restart)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from features.analysis import Mention
from features.evidence import Extraction

# a planned, new or trial start and any stated length or dated start come first; round 19: "two months of X"
# (it may tell an episode) last of all
NEWLY = frozenset({"duration_new", "duration_planned", "duration_trial", "duration_unstarted",
                   "duration_planned_drug", "duration_planned_passive", "duration_planned_operation",
                   "duration_trial_proposed"})
PRIORITY = {**dict.fromkeys(NEWLY, 1), "duration_visit_start": 2, "duration_of": 3}


class Candidate(NamedTuple):
    """One statement said of the requested drug in one sentence, as the choice ranks it: its pattern's rank
    (`PRIORITY`, 0 for any other), characters from the drug (`_owner`), months of use, its mention (whose span
    is the evidence) and whether it restarts the drug."""

    priority: int
    near: int
    months: float
    mention: Mention
    restart: bool
    unanchored: bool = False  # an "ago" no date told anchors (`duration_statements.Stated.unanchored`)
    dated: bool = False  # a date written in its sentence dates it (`duration_statements.Stated.dated`)
    unstarted: bool = False  # "has not started it yet": the drug is not begun (0)
    prescribed: bool = False  # a start told by a verb of prescribing ("prescribed on <date>"): no use told


def priority(key: str) -> int:
    """The rank of a statement's pattern: 0 for a length or a dated start, then new or planned, then a start
    dated by its visit, then "N months of X"."""
    return PRIORITY.get(key, 0)


@dataclass
class StartChoice:
    """The statement chosen so far over a summary's sentences, in order. Once a start is chosen a later
    sentence is read for a restart only (`restarts_only`), and a restart replaces the start when it is later
    (fewer months); "two months of X" is only a fallback when no sentence says more."""

    chosen: tuple[float, Extraction] | None = None
    fallback: Extraction | None = None
    vague: bool = False  # the start chosen is an "ago" no date anchors: a dated statement later replaces it

    @property
    def restarts_only(self) -> bool:
        """Whether a start is chosen, so that only a later restart can still change it (a vague one, any
        statement a date anchors: session 41, ruling R8)."""
        return self.chosen is not None and not self.vague

    def take(self, found: list[Candidate]) -> None:
        """Take one sentence's candidates: the nearest of the best rank, unless a restart in it is later than
        both that and the start chosen before (round 52, kind A: a restarted drug counts from its latest
        restart); a "two months of X" only where nothing else was found. A care told as not started yet
        replaces a start chosen in an earlier sentence and a prescription in its own ("Lidoderm was prescribed
        on <date>; he has not started it yet": 0; session 44, round-110 kind K2): what the record says of the
        care last; a start of use told beside it in its sentence still wins (it may be another care's)."""
        undone = [f for f in found if f.unstarted]
        if undone:
            last = min(undone, key=lambda f: f.near)
            if all(f.unstarted or f.prescribed for f in found):
                self.chosen, self.vague = (last.months, Extraction(last.months, last.mention.span())), False
                return
        if self.vague:  # ruling R8: "about two years ago" gives way to "at the <date> visit ... 18 months"
            found = [f for f in found if f.priority == 0 and f.dated]
        if not found:
            return
        best = min(found, key=lambda f: (f.priority, f.near))
        later = [f for f in found if f.restart and (self.chosen is None or f.months < self.chosen[0])
                 and (best.priority >= PRIORITY["duration_of"] or f.months < best.months)]
        if later:
            best = min(later, key=lambda f: f.months)
        if best.priority < PRIORITY["duration_of"]:
            self.chosen = (best.months, Extraction(best.months, best.mention.span()))
            self.vague = best.unanchored
        elif self.chosen is None:
            self.fallback = self.fallback or Extraction(best.months, best.mention.span())

    def chosen_result(self) -> Extraction | None:
        """The start or length chosen, without the fallback."""
        return self.chosen[1] if self.chosen is not None else None

    def result(self) -> Extraction | None:
        """The start or length chosen, else the fallback, else None (nothing said)."""
        return self.chosen[1] if self.chosen is not None else self.fallback
