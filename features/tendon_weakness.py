"""Weakness of a named tendon or its muscle ("rotator cuff weakness", "supraspinatus 4/5", "weakness of the
rotator cuff"): a musculotendinous finding of its part (session 26).

The annotation protocol counts it for `red_flag_neuro_deficit` (any weakness found on examination), so the
protocol fact keeps it; but it is no "physiologic evidence of neurological dysfunction" for the guideline
criteria that read a region's nerve findings (`neuro_deficit_of_region`), and it is an objective finding
of the part itself (`exam_findings_same_region`). The tendon words are data (`named_tendon` in
value_patterns.yaml); sensory and reflex findings never name a tendon's weakness.
"""

from __future__ import annotations

from features.analysis import Mention
from features.clauses import clause_start
from features.value_patterns import value_patterns


def names_tendon(m: Mention, text: str) -> bool:
    """Whether a motor finding's own words, the two words before it in its clause, or the words right after
    it name a tendon or its muscle (`motor_tendon*` in value_patterns.yaml); `text` is the summary."""
    p = value_patterns()
    if not p["motor_finding"].search(m.text):
        return False
    if p["motor_tendon"].search(m.text):
        return True
    lo = clause_start(text, m.sentence.start, m.start)
    ends = [i for i in (text.find(c, m.end, m.sentence.end) for c in ",;") if i != -1]
    hi = min(ends, default=m.sentence.end)
    return bool(p["motor_tendon_before"].search(text, lo, m.start)
                or p["motor_tendon_after"].match(text, m.end, hi))
