"""Per-criterion explanations graded (issue #18): sign agreement, repeated criteria, and how much of a
service's explanation the guideline criteria carry rather than context.

One definition for `experiments/explain_eval.py` and `imr check-letters`. Definitions
(experiments/criteria.md, "Explanations per criterion"):
- sign contradiction: a met criterion whose log-odds lowers the likelihood, or an unmet one that raises it;
- repeated criterion: a criterion id listed twice for one service;
- top-three share: per service, the three items with the largest |log-odds| among its criteria and its
  context factors (items with a zero contribution are not candidates), pooled over services: the share
  that are criteria.
"""

from __future__ import annotations

from collections import Counter

EPS = 1e-9  # |log-odds| at or below this is no effect (TreeSHAP round-off)


def contradicts(status: str, log_odds: float) -> bool:
    return (status == "met" and log_odds < -EPS) or (status == "unmet" and log_odds > EPS)


def top_items(service: dict, k: int = 3) -> list[str]:
    """'criterion' or 'context' for the k largest non-zero items of one explained service."""
    items = [("criterion", c["log_odds"]) for c in service["checklist"] if abs(c["log_odds"]) > EPS]
    items += [("context", c["log_odds"]) for c in service["context"] if abs(c["log_odds"]) > EPS]
    items.sort(key=lambda t: -abs(t[1]))
    return [kind for kind, _ in items[:k]]


def grade(services: list[dict]) -> dict[str, object]:
    """The figures over a list of explained services (ServiceExplanation dicts)."""
    out: Counter[str] = Counter()
    context_top: Counter[str] = Counter()
    for s in services:
        out["services"] += 1
        checklist = s.get("checklist")
        if checklist is None:
            out["no_checklist"] += 1
            continue
        if s["governing_guideline"] is None:
            out["no_section"] += 1
        ids = [c["criterion_id"] for c in checklist]
        out["repeated"] += len(ids) - len(set(ids))
        for c in checklist:
            out[f"status_{c['status']}"] += 1
            if c["status"] in ("met", "unmet"):
                out["signed"] += 1
                out["contradictions"] += contradicts(c["status"], c["log_odds"])
            if c["status"] == "not_applicable" and c["log_odds"] != 0:
                out["not_applicable_nonzero"] += 1
            if c["status"] in ("met", "unmet", "not_documented") and abs(c["log_odds"]) <= EPS:
                out["criteria_without_effect"] += 1
        tops = top_items(s)
        out["top_items"] += len(tops)
        out["top_criteria"] += sum(k == "criterion" for k in tops)
        ranked = sorted(s["context"], key=lambda c: -abs(c["log_odds"]))
        for c in ranked[:3]:
            if "context" in tops:
                context_top[c["feature"]] += 1
        raw = s["raw_score"] - s["expected_value"]
        parts = sum(c["log_odds"] for c in checklist) + sum(c["log_odds"] for c in s["context"])
        out["additivity_gap_max_x1e9"] = max(out["additivity_gap_max_x1e9"], int(abs(raw - parts) * 1e9))
        for w in s.get("what_if") or []:
            out["what_ifs"] += 1
            out["what_ifs_raising"] += w["change"] > EPS
            out["what_ifs_lowering"] += w["change"] < -EPS
    figures: dict[str, object] = dict(out)
    figures["top3_criteria_share"] = out["top_criteria"] / out["top_items"] if out["top_items"] else None
    figures["context_in_top3"] = dict(context_top.most_common(8))
    return figures
