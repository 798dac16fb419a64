"""Who a sentence reports (UR reviewer, QME, treating physician, patient), from cues kept in `authors.yaml`.

What the UR reviewer *said* ("no documentation of functional improvement") is a different fact from what
the record *shows*; extractors tell them apart by the author of the sentence a mention sits in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from features.casefold import compile_folded
from features.package_data import read_yaml
from features.style import person_class, person_phrase_class
from features.word_classes import expand
from features.word_start import word_guarded
from features.written_dates import month_name_class

if TYPE_CHECKING:  # a type only: who wrote a sentence is read without spaCy (`imr synth` imports this)
    from features.sentences import Sentence

UR_REVIEWER = "ur_reviewer"
AUTHORS = (UR_REVIEWER, "qme", "treating_physician", "patient")
_NEVER = re.compile(r"(?!)")  # matches nothing: rules without `record_events`
# placeholders of authors.yaml's patterns, each a top-level key of the file (`worker` in every pattern)
_RECORD_EVENT_PARTS = ("date", "study", "result", "reporting")


@dataclass(frozen=True)
class AuthorRules:
    cues: tuple[tuple[str, re.Pattern[str]], ...]  # (author, one regex of all its cues), in order
    carries: frozenset[str]
    new_visit: re.Pattern[str]
    # author -> its sentences that introduce its account of the record ("UR summary: ..."): they carry nothing
    recounts: dict[str, re.Pattern[str]] = field(default_factory=dict, hash=False)
    # a dated event of the record (a study's result, a procedure the worker had): ends a carried author
    record_event: re.Pattern[str] = _NEVER
    # a sentence that turns from the UR's account to the record's ("In fact, ...", "The records show ..."):
    # ends a carried author (summary probe r30)
    record_turn: re.Pattern[str] = _NEVER
    # a contrast ("; however", ", but") and what marks its clause as the record's (session 31, round-50 kinds)
    contrast: re.Pattern[str] = _NEVER
    record_clause: re.Pattern[str] = _NEVER
    # where a report's clause ends in its sentence ("; ", ", and the reflex was ...": session 32)
    report_clause_end: re.Pattern[str] = re.compile(";")

    def ends_carry(self, text: str) -> bool:
        """Whether a cue-less `text` stops a carried author: it opens a new visit, reports a dated event of
        the record, or turns to what the record shows: the UR's cue-less continuations argue or recount its
        decision instead (session 19)."""
        return bool(self.new_visit.search(text) or self.record_event.search(text)
                    or self.record_turn.search(text))

    def returns_to_record(self, text: str, after: int) -> bool:
        """Whether `text` turns back to the record after offset `after` (its carried author's last cue): a
        contrast whose clause reads as the record's ("...; however the 8/2/2016 note documents ..."), so the
        author's account ends in this sentence (session 31)."""
        for m in self.contrast.finditer(text, after):
            clause = text[m.end():]
            if self.ends_carry(clause) or self.record_clause.search(clause):
                return True
        return False

    def author_of(self, text: str) -> str | None:
        for author, cue in self.cues:
            if cue.search(text):
                return author
        return None

    def last_author_of(self, text: str) -> str | None:
        """The author whose cue comes last in `text`: where the sentence's account ends ("A prior UR
        certified 8 sessions; per the PR-2 she attended 4" ends with the treating physician's)."""
        found = self._cues_in(text)
        return max(found)[1] if found else None

    def reaches(self, author: str, text: str, offset: int) -> bool:
        """Whether a cue of `author` in sentence `text` reaches `offset`: it follows it, or no clause end
        (`report_clause_end`) stands between them. A report's clause ends at a semicolon ("she reported arm
        pain; the biceps reflex was diminished" reports the pain, then the exam finding: round 33)."""
        cue = dict(self.cues).get(author)
        if cue is None:
            return False
        return any(m.start() >= offset or not self._clause_ends(text, m.end(), offset)
                   for m in cue.finditer(text))

    def _clause_ends(self, text: str, start: int, offset: int) -> bool:
        """Whether a report's clause ends between `start` and `offset` (`report_clause_end`: its words may run
        on past `offset`, as ", and the reflex was" does into the finding it opens)."""
        return any(c.start() < offset for c in self.report_clause_end.finditer(text, start))

    def last_author_before(self, text: str, offset: int) -> str | None:
        """The author of the cue that starts last before `offset` in sentence `text` and reaches it (no ";"
        between): whose account a word at `offset` is told in, where several authors' cues stand in one
        sentence ("Per the PR-2 dated ..., the patient reported elbow pain and weak grip" tells the worker's
        report inside the physician's note). None when no cue reaches it."""
        found = [(m.start(), m.end(), author) for author, cue in self.cues for m in cue.finditer(text)
                 if m.start() < offset]
        if not found:
            return None
        _start, end, author = max(found)
        return None if self._clause_ends(text, end, offset) else author

    @cached_property
    def _folded_cues(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """The cues lower-cased (`casefold.compile_folded`), for `_cues_in` in an ASCII sentence."""
        return tuple((author, compile_folded(cue.pattern)) for author, cue in self.cues)

    def _cues_in(self, text: str) -> list[tuple[int, str]]:
        """(start, author) of every cue in `text`, the authors in rule order: its first is `author_of`'s
        author, its greatest `last_author_of`'s, so a sentence's cues are scanned once for both. Every
        summary sentence is read: an ASCII one lower-cased (`casefold`: the same matches in about 60% of the
        time, session 31)."""
        if text.isascii():
            lower = text.lower()
            return [(m.start(), author) for author, cue in self._folded_cues for m in cue.finditer(lower)]
        return [(m.start(), author) for author, cue in self.cues for m in cue.finditer(text)]

    def attribute(self, sentences: list[Sentence]) -> list[Sentence]:
        """`sentences` with their authors: a cue names one; a cue-less sentence keeps a carried author
        of the sentence before it unless it opens a new visit or reports a dated record event (`ends_carry`),
        nor past a sentence that turns back to the record after its last cue (`returns_to_record`).
        A sentence with the cues of several authors carries the last one's (the account it ends with); one
        that introduces its author's account of the record (`recounts`) carries nothing: what follows is the
        record, as that author tells it."""
        out: list[Sentence] = []
        carried: str | None = None
        for s in sentences:
            cues = self._cues_in(s.text)
            author = cues[0][1] if cues else None  # `author_of`: the first author in rule order with a cue
            if author is None and carried is not None and not self.ends_carry(s.text):
                author = carried
            ends_with = (max(cues)[1] if cues else None) or author  # `last_author_of`
            recount = self.recounts.get(ends_with or "")
            recounts_record = bool(recount and recount.search(s.text))
            carries = ends_with in self.carries and not recounts_record
            last_cue = max(cues)[0] if cues else 0
            carried = ends_with if carries and not self.returns_to_record(s.text, last_cue) else None
            out.append(s.with_author(author))
        return out


@lru_cache(maxsize=1)
def load_author_rules() -> AuthorRules:
    data = read_yaml("authors.yaml")
    worker = {"worker": expand(data["worker"], {"person": person_class()}, "authors.yaml")}
    if data.get("appeal"):  # the UR decision appealed closes the UR's account (session 28); reads {worker}
        worker["appeal"] = _filled(data["appeal"], worker)
    cues = []
    carries = set()
    recounts = {}
    for author, rule in data["authors"].items():
        if author not in AUTHORS:
            raise ValueError(f"authors.yaml: unknown author {author!r} (known: {', '.join(AUTHORS)})")
        cues.append((author, _joined(rule["cues"], worker)))
        if rule.get("carries"):
            carries.add(author)
        if rule.get("recounts"):
            if not rule.get("carries"):
                raise ValueError(f"authors.yaml: {author!r} has recounts but carries nothing")
            recounts[author] = _joined(rule["recounts"], worker)
    # a phrase naming the worker is one unit of a visit opening's reach (session 41: style moves no visit); a
    # month's name dates an opening as a number does (style_words.yaml's one list of them)
    phrase = {"person_phrase": person_phrase_class(), "month_name": month_name_class()}
    new_visit = re.compile(_filled(data["new_visit"], phrase), re.IGNORECASE)
    record_event = _NEVER
    if data.get("record_events"):
        parts = worker | {name: data[name] for name in _RECORD_EVENT_PARTS}
        record_event = _joined(data["record_events"], parts)
    record_turn = _joined(data["record_turns"], worker) if data.get("record_turns") else _NEVER
    contrast = re.compile(data["contrast"], re.IGNORECASE) if data.get("contrast") else _NEVER
    record_clause = _joined(data["record_clauses"], worker) if data.get("record_clauses") else _NEVER
    ends = data.get("report_clause_end", ";")
    ends = [ends] if isinstance(ends, str) else ends
    signs = {"exam_sign": data["exam_sign"]} if "exam_sign" in data else {}
    clause_end = re.compile("|".join(f"(?:{_filled(e, signs)})" for e in ends), re.IGNORECASE)
    return AuthorRules(tuple(cues), frozenset(carries), new_visit, recounts, record_event, record_turn,
                       contrast, record_clause, clause_end)


def _joined(patterns: list[str], parts: dict[str, str]) -> re.Pattern[str]:
    """One case-insensitive regex of `patterns`, each `{name}` of `parts` replaced by its pattern."""
    joined = "|".join(f"(?:{_filled(p, parts)})" for p in patterns)
    return re.compile(word_guarded(joined), re.IGNORECASE)


def _filled(pattern: str, parts: dict[str, str]) -> str:
    """`pattern` with each `{name}` placeholder of `parts` replaced (regex braces like `{0,2}` are kept)."""
    for name, part in parts.items():
        pattern = pattern.replace("{" + name + "}", part)
    return pattern
