"""A normal neurological examination stated by the record: what makes "objective neurological findings"
unmet rather than not documented (a reviewer reads "strength 5/5, sensation intact" as no deficit found)."""

from __future__ import annotations

from features.analysis import AnalysedText, Mention
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.clauses import clause_start
from features.evidence import Extraction
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


def neuro_exam_normal_in(summary: AnalysedText) -> Extraction:
    """True from the first sentence that states a normal neurological finding or a neurological sign
    absent; a deficit found elsewhere is `red_flag_neuro_deficit` (the criteria read both)."""
    found = [m for m in summary.mentions("neuro_normal") if _normal_finding(m)]
    found += [m for m in (*summary.mentions("neuro_sign_absent"), *summary.mentions("neuro_deficit"))
              if denied_finding(m, summary.text)]  # "no clonus", "no atrophy": a deficit the record denies
    if not found:
        return Extraction(False, None)
    return Extraction(True, min(found, key=lambda m: m.start).span())
