"""A normal neurological examination stated by the record: what makes "objective neurological findings"
unmet rather than not documented (a reviewer reads "strength 5/5, sensation intact" as no deficit found)."""

from __future__ import annotations

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.clauses import clause_start
from features.evidence import Extraction
from features.evidence_choice import named_regions
from features.value_patterns import value_patterns

# a normal finding counts when the record states it of the patient: not denied, doubted, asked for, or
# another person's; the UR's account of the record is the UR's words (`ur_states_no_red_flags`)
_NOT_STATED = frozenset({Category.NEGATED, Category.POSSIBLE, Category.HYPOTHETICAL, Category.FAMILY})
_NOT_THE_PATIENTS = frozenset({Category.HYPOTHETICAL, Category.FAMILY})


def _normal_finding(m: Mention) -> bool:
    """"Sensation was intact", "5/5 motor strength", "reflexes 2+ and symmetric", "neurologically intact"."""
    return m.author != UR_REVIEWER and not m.assertion.categories & _NOT_STATED


def denied_finding(m: Mention, text: str, not_the_patients: frozenset[Category] = _NOT_THE_PATIENTS) -> bool:
    """"No focal deficits", "no weakness in the lower extremities", "denied numbness and tingling", "no
    effusion": a sign or finding the record says is absent ("no improvement in the numbness" is not); the
    examination findings of a part read it too, with their own categories that are no one's finding."""
    cats = m.assertion.categories
    if m.author == UR_REVIEWER or Category.NEGATED not in cats or cats & not_the_patients:
        return False
    lo = clause_start(text, m.sentence.start, m.start)
    return value_patterns()["neuro_sign_change_before"].search(text, lo, m.start) is None


def neuro_normal_findings(summary: AnalysedText) -> list[Mention]:
    """Every normal neurological finding the record states and every neurological sign it denies, in text
    order: the letter's fact reads the first, a request's region reads those of its region (session 26)."""
    found = [m for m in summary.mentions("neuro_normal") if _normal_finding(m)]
    found += [m for m in (*summary.mentions("neuro_sign_absent"), *summary.mentions("neuro_deficit"))
              if denied_finding(m, summary.text)]  # "no clonus", "no atrophy": a deficit the record denies
    return sorted(found, key=lambda m: m.start)


def normal_finding_phrase(m: Mention, text: str) -> str:
    """The words of a normal neurological finding's own phrase in its sentence, where the criteria read its
    region (session 26): from the last item break before it (`neuro_phrase_start`: "5/5 arm strength and |
    normal motor function throughout") to the first break after it (`neuro_phrase_end`: "strength 5/5 |
    with decreased sensation over the forearm"); the predicate after an "and" ("2+ and symmetric in both
    arms") stays in it. A phrase naming no region is read with its sentence's lead, the words before the
    sentence's first comma or colon ("Upper extremities: sensation was intact and strength was 5/5")."""
    p, lo, hi = value_patterns(), m.sentence.start, m.sentence.end
    left = max((b.end() for b in p["neuro_phrase_start"].finditer(text, lo, m.start)), default=lo)
    right = next((b.start() for b in p["neuro_phrase_end"].finditer(text, m.end, hi)), hi)
    phrase = text[left:right]
    lead = p["sentence_lead"].match(text, lo, left)
    if lead is None or named_regions(phrase):
        return phrase
    return f"{lead.group(0)} {phrase}"


def neuro_exam_normal_in(summary: AnalysedText) -> Extraction:
    """True from the first sentence that states a normal neurological finding or a neurological sign
    absent; a deficit found elsewhere is `red_flag_neuro_deficit` (the criteria read both)."""
    found = neuro_normal_findings(summary)
    if not found:
        return Extraction(False, None)
    return Extraction(True, found[0].span())
