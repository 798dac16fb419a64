"""Sessions a request asks for that only the summary's text counts (session 39, round-78 kind K2): a heading
with no count ("Physical therapy, right knee") and the record's request sentence with one ("The physician
requested 8 sessions of physical therapy for the right knee", "requested 6 additional CBT sessions"). The
protocol's sessions_requested is the request's count wherever the pre-review text states it; the heading's own
count wins (features/request_quantities.py), so this reads only where the heading has none."""

from __future__ import annotations

from features.analysis import Mention
from features.assertion_sets import asked_for
from features.authors import UR_REVIEWER
from features.clauses import clause_start
from features.evidence import MISSING, Extraction
from features.service_heading import ServiceHeading
from features.session_counts import count_therapy
from features.session_history import SessionHistory, counted_kinds
from features.value_patterns import value_patterns

MAX_SESSIONS = 100  # a larger number before a session noun is no count of sessions


def _asked_count(history: SessionHistory, m: Mention) -> bool:
    """A count of sessions the record's request asks for (`asked_for`: "requested 8 sessions", not "8 were
    authorized"), in the record's words (the UR's "modified the request to 4 sessions" is its decision), with
    no verb of care had before it in its clause (`had_sessions`: "She had 12 sessions of physical therapy, and
    more therapy was requested" asks for no 12)."""
    if m.author == UR_REVIEWER or not asked_for(m):
        return False
    text = history.summary.text
    return value_patterns()["had_sessions"].search(text, clause_start(text, m.sentence.start, m.start),
                                                   m.start) is None


def sessions_asked_in_summary(history: SessionHistory, service: ServiceHeading) -> Extraction:
    """The largest count of this service's own therapy (its own words name it: `count_therapy`; of its part of
    the body: `of_another_part`) that a record sentence asks for; MISSING when none, or the service is no
    therapy counted in sessions (`counted_kinds`; an injection's count stays its heading's)."""
    p = value_patterns()
    kinds = counted_kinds(service)
    if not kinds or service.family == "injection":
        return MISSING
    found: list[tuple[float, Mention]] = []
    for m in history.summary.find("therapy", p["sessions_count"], group=1):
        n = p.number(m.text)
        if n is None or n > MAX_SESSIONS or not kinds & count_therapy(m) or not _asked_count(history, m) \
                or history.of_another_part(service, m):
            continue
        found.append((n, m))
    if not found:
        return MISSING
    n, m = max(found, key=lambda c: c[0])
    return Extraction(n, m.span())
