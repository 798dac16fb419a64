"""The record as the UR tells it: the clause of a UR sentence that reports the record ("UR noted that an MRI
of the left knee was done", "the UR summarized the PR-2 as stating ...") gives the record's facts.

Ruling (3) of session 37: a fact of the record that the UR reports counts as the record's; the UR's own
judgement ("no documentation of functional improvement", "had not failed conservative care", "the absence of
neurological deficits") stays the UR's, even after a verb that relays (`value_patterns.yaml` `ur_judgement`).
"""

from __future__ import annotations

from features.analysis import Mention
from features.authors import UR_REVIEWER, load_author_rules
from features.sentences import Sentence
from features.value_patterns import value_patterns


def relayed_at(sentence: Sentence, offset: int) -> bool:
    """Whether the words at `offset` (of the summary) in UR sentence `sentence` relay the record: they come
    after another author's cue or a verb that reports ("noted that", "reports that", `relay_cue`) with no UR
    cue between, and the relayed clause up to them is no judgement of the UR's (`ur_judgement`)."""
    if sentence.author != UR_REVIEWER:
        return False
    upto = sentence.text[:offset - sentence.start]
    cues = [(c.end(), author) for author, cue in load_author_rules().cues for c in cue.finditer(upto)]
    cues += [(c.end(), "record") for c in value_patterns()["relay_cue"].finditer(upto)]
    if not cues:
        return _before_the_ur_clause(sentence, offset)
    end, author = max(cues)
    clause_end = _clause_end(sentence, offset)
    return author != UR_REVIEWER and not value_patterns()["ur_judgement"].search(
        sentence.text, end, clause_end) and not _disputed_after(sentence.text, clause_end)


def _before_the_ur_clause(sentence: Sentence, offset: int) -> bool:
    """Whether the words at `offset` stand in a clause that a semicolon closes before the sentence's first
    cue ("He has attended 24 sessions of PT without lasting benefit; the claims administrator stated that he
    had 16"): the UR's words begin after it, so the clause before is the record's (session 38, r73 K7)."""
    at = offset - sentence.start
    semicolon = sentence.text.find(";", at)
    if semicolon < 0:
        return False
    cues = load_author_rules().cues
    first_cue = min((c.start() for _author, cue in cues for c in cue.finditer(sentence.text)), default=-1)
    return first_cue > semicolon


def _disputed_after(text: str, clause_end: int) -> bool:
    """Whether the writer sets the record against the relayed clause after a semicolon in its sentence ("the
    claims administrator stated that the right ankle had been imaged; the chart shows only the left ankle
    MRI"): the UR's claim, which the record contradicts (round 39), not the record's fact."""
    rules = load_author_rules()
    for part in text[clause_end:].split(";")[1:]:
        part = part.strip()
        if rules.ends_carry(part) or rules.record_clause.search(part):
            return True
    return False


def after_a_turn_to_the_record(sentence: Sentence, offset: int) -> bool:
    """Whether the words at `offset` (of the summary) follow a contrast in their sentence that turns to the
    record ("The UR stated there was no documentation of failed care; however, the record shows she completed
    12 visits, neither of which helped"; "...; however, she had completed 12 sessions"): the record set
    against the UR's claim, so the record's words, not the UR's (session 42, ruling R4; round-84 s8422)."""
    rules, text = load_author_rules(), sentence.text
    for c in rules.contrast.finditer(text, 0, offset - sentence.start):
        turn = text[c.start():].lstrip(";, ")
        if rules.ends_carry(turn) or rules.record_clause.search(text[c.end():]):
            return True
    return False


def record_part_at(sentence: Sentence, offset: int) -> bool:
    """Whether the words at `offset` (of the summary) stand in the part of `sentence` after a semicolon that
    the writer opens with the record as subject (`record_part_opening`: "the claims administrator stated 16
    sessions; the therapist's note of 03/22/2016 documents 14"): the record's words set against the UR's, not
    the UR's own judgement (`ur_judgement`; round 73, ruling (3); session 39 moved here from session_history
    for the drug durations too)."""
    p, text = value_patterns(), sentence.text
    lo = text.rfind(";", 0, offset - sentence.start)
    if lo < 0:
        return False
    part = text[lo + 1:]
    return p["record_part_opening"].match(part) is not None and not p["ur_judgement"].search(part)


def relayed(m: Mention) -> bool:
    """A mention in a UR sentence that relays the record (`relayed_at`): the facts it tells are the
    record's."""
    return relayed_at(m.sentence, m.start)


def _clause_end(sentence: Sentence, offset: int) -> int:
    """Where the relayed clause holding `offset` ends in `sentence` (its text's offsets): the next "and that",
    semicolon or the sentence's end, so a judgement in the next relayed clause stays out of this one."""
    at = offset - sentence.start
    found = value_patterns()["relay_clause_end"].search(sentence.text, at)
    return found.start() if found else len(sentence.text)
