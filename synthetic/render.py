"""Renders a synthetic case as the text of a 2016 DWC IMR Final Determination letter.

Pre-review parts (header, summary, headings, UR guideline line) are written from the latent
variables only, with the pre-review text stream; the reviewer's guideline and rationale are
written afterwards from the post-review stream, to match the decision already drawn.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from features.criteria import Citation
from features.written_dates import month_names
from synthetic.generative_model import THERAPY_NAMES, SynthCase, SynthService
from synthetic.latent_criteria import criteria_table
from synthetic.outcome import MEDICATION_FAMILIES
from synthetic.stream import Stream
from synthetic.tables import SynthTables

LINE_WIDTH = 95
WORKER_NAMES = ("patient", "injured worker", "claimant", "applicant")  # how writers name the worker
ODG_NAME = "Official Disability Guidelines (ODG)"
MONTHS = tuple(name.capitalize() for name in month_names())  # style_words.yaml, as the readers take them


def wrap(text: str, width: int = LINE_WIDTH) -> list[str]:
    """Greedy word wrap (like the line breaks of PDF text); much faster than textwrap."""
    text = " ".join(text.split())
    lines: list[str] = []
    start, end = 0, len(text)
    while end - start > width:
        cut = text.rfind(" ", start, start + width + 1)
        if cut <= start:  # a single word longer than the line
            cut = text.find(" ", start + width)
            if cut == -1:
                break
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    return lines


def mdy(d: date) -> str:
    return f"{d.month:02d}/{d.day:02d}/{d.year}"


def _summary_date(d: date, style: int) -> str:
    if style == 0:
        return f"{d.month}-{d.day}-{d.year % 100:02d}"
    if style == 1:
        return f"{d.month:02d}-{d.day:02d}-{d.year}"
    if style == 2:
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    return f"{d.month}/{d.day}/{d.year}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _months_before(d: date, months: int) -> tuple[int, int]:
    m = d.year * 12 + (d.month - 1) - months
    return m // 12, m % 12 + 1


class LetterRenderer:
    """Turns `SynthCase`s into letter text; holds only the read-only phrase tables."""

    def __init__(self, tables: SynthTables) -> None:
        self.t = tables
        self.p = tables.phrases
        self._how_made = wrap(self.p["how_made"])
        self._summary_intro = wrap(self.p["summary_intro"])

    # ------------------------------------------------------------------ letter
    def render(self, case: SynthCase, pre: Stream, post: Stream) -> str:
        p = self.p
        out: list[str] = [
            p["marker"],
            f"Case Number: {case.case_number}",
            f"Date Assigned: {mdy(case.date_assigned)} Date of Injury: {mdy(case.date_of_injury)}",
            f"Decision Date: {mdy(case.decision_date)} UR Denial Date: {mdy(case.ur_denial_date)}",
            f"Priority: {case.priority} Application ",
            "Received: ",
            mdy(case.application_received),
            "HOW THE IMR FINAL DETERMINATION WAS MADE",
            *self._how_made,
            "The Expert Reviewer has the following credentials:",
            "State(s) of Licensure: " + (", " if pre.bernoulli(0.5) else ",").join(case.licensure),
            f"Certification(s)/Specialty: {case.specialty}",
            "CLINICAL CASE SUMMARY",
            *self._summary_intro,
            *wrap(self.summary(case, pre)),
            "IMR ISSUES, DECISIONS AND RATIONALES",
            p["issues_intro"],
        ]
        ur_lines = [self.ur_guideline(case, svc, pre) for svc in case.services]
        for svc, ur_line in zip(case.services, ur_lines, strict=True):
            head = wrap(svc.heading + ":")
            head[-1] += " " + svc.decision
            out.extend(head)
            out.extend(wrap("Claims Administrator guideline: " + ur_line))
            out.extend(wrap("MAXIMUS guideline: " + self.reviewer_guideline(case, svc, post)))
            out.extend(wrap("Decision rationale: " + self.rationale(case, svc, post)))
        return "\n".join(out) + "\n"

    # ------------------------------------------------------------------ summary (pre-review)
    def summary(self, case: SynthCase, s: Stream) -> str:
        p, t = self.p, self.t
        he = "he" if case.sex == "male" else "she"
        his = "his" if case.sex == "male" else "her"
        slots: dict[str, Any] = {"pronoun": he, "Pronoun": he.capitalize(), "possessive": his,
                                 "Possessive": his.capitalize(), "worker": s.pick(WORKER_NAMES)}
        style = s.integer(0, 3)
        sents = [s.pick(p["intro"]).format(age=case.age, sex=case.sex,
                                           doi=_summary_date(case.date_of_injury, style))]
        if case.red_flag == "trauma":
            sents.append(s.pick(p["trauma"]).format(feet=s.integer(6, 20), **slots))
        elif s.bernoulli(0.6):
            sents.append(s.pick(p["mechanism"]).format(**slots))
        dx = []
        for key, side in case.regions:
            d = s.pick(t.regions[key]["diagnoses"])
            dx.append(f"{side} {d}" if side and s.bernoulli(0.5) else d)
        sents.append(s.pick(p["diagnoses"]).format(dx=_join(dx)))
        if s.bernoulli(0.15):  # another person's history: no finding about the worker
            sents.append(s.pick(p["family_history"]).format(**slots))
        # the care listed is latent, drawn with what the summary discloses (session 23); the draws that listed
        # it before are kept, so every later draw of the summary stays as it was
        tx = list(case.treatments)
        for _ in range(s.integer(2, 3)):
            s.pick(p["treatments"])
        # "not tried yet" is told by the UR reviewer instead of the record in some letters
        care_by_ur = case.failed_conservative == "no" and s.bernoulli(0.4)
        care = "not_stated" if care_by_ur else case.failed_conservative
        sents.append(s.pick(p["conservative_" + care]).format(tx=_join(tx), **slots))
        primary, pside = case.regions[0]
        preg = t.regions[primary]
        if case.prior_surgery:
            level = s.pick(preg["levels"])
            surgery = s.pick(preg["surgeries"]).format(level=level)
            if pside:
                surgery = f"{pside} {surgery}"
            year = case.date_of_injury.year - s.integer(1, 6) if not case.chronic else \
                s.integer(case.date_of_injury.year, case.ur_denial_date.year)
            sents.append(s.pick(p["prior_surgery"]).format(surgery=surgery, year=year, **slots))
        seen_regions: set[tuple[str, str | None]] = set()
        for svc in case.services:
            if svc.family != "imaging" or (svc.region, svc.side) in seen_regions:
                continue
            seen_regions.add((svc.region, svc.side))
            reg = t.regions[svc.region]
            name = f"{svc.side} {reg['names'][0]}" if svc.side else reg["names"][0]
            if svc.prior_imaging:
                lo = case.date_of_injury.toordinal() + (0 if not case.chronic else 30)
                hi = max(lo, case.ur_denial_date.toordinal() - 10)
                when = date.fromordinal(s.integer(lo, hi))
                finding = s.pick(reg["findings"]).format(level=s.pick(reg["levels"]))
                a_study, study = t.study_name(svc.item_key)
                sents.append(s.pick(p["prior_imaging"]).format(
                    region=name, date=_summary_date(when, style), finding=finding, study=study,
                    A_study=a_study[0].upper() + a_study[1:], Study=study[0].upper() + study[1:]))
            elif s.bernoulli(0.5):
                sents.append(s.pick(p["no_prior_imaging"]).format(region=name))
            other = {"left": "right", "right": "left"}.get(svc.side or "")
            if other and not svc.prior_imaging and s.bernoulli(0.35) and not any(
                    o.region == svc.region and o.side == other for o in case.services):
                # a study of the other side only: not this service's region and side
                when = date.fromordinal(s.integer(case.date_of_injury.toordinal(),
                                                  max(case.date_of_injury.toordinal(),
                                                      case.ur_denial_date.toordinal() - 10)))
                finding = s.pick(reg["findings"]).format(level=s.pick(reg["levels"]))
                sents.append(s.pick(p["other_side_imaging"]).format(
                    region=f"{other} {reg['names'][0]}", date=_summary_date(when, style), finding=finding))
        if case.pain_low is not None:
            pain_sentence = s.pick(p["pain_range"]).format(low=case.pain_low, pain=case.pain, **slots)
        else:
            pain_sentence = s.pick(p["pain_single"]).format(pain=case.pain, **slots)
        if case.pain_stated:  # the phrase is drawn either way, so the rest of the text is unchanged
            sents.append(pain_sentence)
        pname = f"{pside} {preg['names'][0]}" if pside else preg["names"][0]
        sents.append(s.pick(p["exam_" + case.exam_of_part]).format(region=pname))
        if case.exam_other_region:
            oreg, oside = case.regions[1]
            oname = t.regions[oreg]["names"][0]
            sents.append(s.pick(p["exam_other_region"]).format(region=f"{oside} {oname}" if oside else oname))
        if case.neuro_deficit:
            nreg = next((t.regions[k] for k, _ in case.regions if t.regions[k].get("spine")), preg)
            side_lc = pside or s.pick(("right", "left"))
            deficit = s.pick(nreg["deficits"]).format(side_lc=side_lc)
            sents.append(s.pick(p["neuro_yes"]).format(deficit=deficit))
        elif case.neuro_exam_normal:
            sents.append(s.pick(p["neuro_no"]).format(**slots))
        if s.bernoulli(0.25):  # a requirement, not a finding
            sents.append(s.pick(p["requirement"]))
        if case.red_flag in ("fracture", "infection", "cancer", "cauda_equina"):
            sents.append(s.pick(p[case.red_flag]).format(region=pname, **slots))
        told: set[str] = set()  # each drug's and therapy's history is stated once
        for svc in case.services:
            topic = svc.drug or svc.item_key
            if topic in told:
                continue
            if svc.family in MEDICATION_FAMILIES and svc.drug and not svc.associated:
                told.add(topic)
                sents.append(self._duration(case, svc, s, style, slots))
            if svc.prior_sessions is not None:
                told.add(topic)
                therapy = THERAPY_NAMES.get(svc.item_key, "therapy")
                if svc.prior_sessions == 0 and case.failed_conservative != "no":
                    continue  # "none had yet" says conservative care is not yet tried: told only then
                if svc.prior_sessions == 0:
                    sents.append(s.pick(p["sessions_none"]).format(therapy=therapy, **slots))
                else:
                    sents.append(s.pick(p["sessions_some"]).format(
                        therapy=therapy, sessions=svc.prior_sessions, **slots))
        function_by_ur = case.functional_improvement == "no" and s.bernoulli(0.4)
        if case.functional_improvement != "not_stated" and not function_by_ur:
            sents.append(s.pick(p["function_" + case.functional_improvement]).format(
                minutes=s.pick((15, 20, 30, 45)), **slots))
        requests = [svc.original_request for svc in case.services]
        sents.append(s.pick(p["request"]).format(requests=_join(requests)))
        ur_date = _summary_date(case.ur_denial_date, style)
        sents.append(s.pick(p["ur"]).format(ur_date=ur_date))
        if case.exam_ur_quoted:  # in the UR's paragraph: what follows the UR's words is the UR's too
            sents.append(s.pick(p["exam_ur_quoted"]).format(region=pname))
        # what the UR reviewer said, beside what the record shows
        if function_by_ur:
            sents.append(s.pick(p["function_no_ur"]))
        elif case.functional_improvement == "yes" and s.bernoulli(0.3):
            sents.append(s.pick(p["function_yes_ur_disputes"]))
        if care_by_ur:
            sents.append(s.pick(p["conservative_no_ur"]).format(**slots))
        elif case.failed_conservative == "not_stated" and s.bernoulli(0.3):
            sents.append(s.pick(p["conservative_not_stated_ur"]).format(**slots))
        for svc in case.services:
            if svc.partial:
                sents.append(s.pick(p["ur_partial"]).format(
                    ur_date=ur_date, original=svc.original_request, authorized=svc.authorized or ""))
        return " ".join(sents)

    def _duration(self, case: SynthCase, svc: SynthService, s: Stream, style: int,
                  slots: dict[str, Any]) -> str:
        p = self.p
        drug = svc.drug or ""
        if svc.duration_phrase == "new":
            assert svc.drug_start is not None, "draw_case dates every new drug"
            return s.pick(p["med_new"]).format(drug=drug, date=_summary_date(svc.drug_start, style), **slots)
        months = svc.drug_months or 0
        if svc.duration_phrase == "weeks":
            return s.pick(p["med_weeks"]).format(drug=drug, weeks=4 * months, **slots)
        if svc.duration_phrase == "since":
            y, m = _months_before(case.ur_denial_date, months)
            return s.pick(p["med_since"]).format(drug=drug, month_year=f"{MONTHS[m - 1]} {y}", **slots)
        return s.pick(p["med_months"]).format(drug=drug, months=months, **slots)

    # ------------------------------------------------------------------ guideline lines
    def _citations(self, svc: SynthService) -> tuple[list[dict[str, Any]], list[str]]:
        item = svc.item
        family = self.t.families.get(svc.family, {})
        if svc.associated:
            return [{"chapter": "{mtus}", "sections": ["Surgical Considerations"]}], []
        mtus = item.get("mtus") or family.get("mtus") or []
        odg = item.get("odg") or family.get("odg") or []
        return mtus, odg

    def _cite(self, svc: SynthService, s: Stream, allow_outside: bool) -> str:
        reg = self.t.regions[svc.region]
        mtus, odg = self._citations(svc)
        parts: list[str] = []
        form = s.integer(0, 2)  # 0: MTUS only, 1: MTUS + ODG, 2: ODG only
        if not odg:
            form = 0
        if not mtus:
            form = 2
        if form in (0, 1):
            c = s.pick(mtus)
            text = "Decision based on MTUS " + c["chapter"].format(mtus=reg["mtus"])
            if c.get("pages") and s.bernoulli(0.35):
                text += f", Page(s): {c['pages']}"
            if c.get("sections") and s.bernoulli(0.75):
                text += ", Section(s): " + "; ".join(c["sections"])
            parts.append(text + ".")
        if form in (1, 2):
            if form == 2 and allow_outside:
                parts.append(self.p["outside_mtus"])
            odg_text = s.pick(odg).format(odg=reg["odg"])
            parts.append(f"Decision based on Non-MTUS Citation {ODG_NAME}, {odg_text}.")
        return " ".join(parts)

    def ur_guideline(self, case: SynthCase, svc: SynthService, s: Stream) -> str:
        if case.ur_no_evidence:
            return self.p["no_evidence_line"]
        return self._cite(svc, s, allow_outside=True)

    def reviewer_guideline(self, case: SynthCase, svc: SynthService, s: Stream) -> str:
        """The section the reviewer applied: the governing section of the criteria table (post-review
        text; the catalog's citations where no section governs)."""
        citation = svc.checklist.citation if svc.checklist is not None else None
        if citation is None or svc.associated:
            return self._cite(svc, s, allow_outside=False)
        return governing_line(citation)

    # ------------------------------------------------------------------ rationale (post-review)
    def rationale(self, case: SynthCase, svc: SynthService, s: Stream) -> str:
        p = self.p
        overturned = svc.decision == "Overturned"
        key = "overturned" if overturned else "upheld"
        sents: list[str] = []
        if svc.associated:
            sents.append(p["associated_overturned" if overturned else "associated_upheld"])
        else:
            principle = svc.item.get("principle") or self.t.families[svc.family].get("principle", "")
            if principle:
                sents.append(s.pick(p["principle_openers"]).format(principle=principle))
            checklist = svc.checklist
            if checklist is not None and checklist.citation is not None:
                sents.append(s.pick(p["section_openers"]).format(citation=checklist.citation.text()))
            sents.extend(self.reasons(svc, overturned)[:2] or [p["reasons"]["default"][key]])
        closing = p["closing_overturned" if overturned else "closing_upheld"]
        sents.append(s.pick(closing).format(service=svc.service))
        return " ".join(sents)

    def reasons(self, svc: SynthService, overturned: bool) -> list[str]:
        """Reason sentences for the terms that moved the outcome the way it went, strongest first:
        a criterion by its status and phrase, a context term by its own sentence."""
        p = self.p
        key = "overturned" if overturned else "upheld"
        checklist = svc.checklist
        criterion_of = {} if checklist is None else {f: c for c, f in checklist.families.items()}
        section = (criteria_table().sections[checklist.section_id]
                   if checklist is not None and checklist.section_id else None)
        ranked: list[tuple[float, str]] = []
        for term, contribution in svc.terms.items():
            if not (contribution > 0 if overturned else contribution < 0):
                continue
            if term in criterion_of and section is not None and checklist is not None:
                cid = criterion_of[term]
                phrase = section.phrase(criteria_table().criteria[cid])
                status = checklist.statuses[cid]
                ranked.append((abs(contribution), p["criterion_reasons"][status].format(criterion=phrase)))
            elif p["reasons"].get(term, {}).get(key):
                ranked.append((abs(contribution), p["reasons"][term][key]))
        ranked.sort(key=lambda r: -r[0])
        return [text for _, text in ranked]


def governing_line(citation: Citation) -> str:
    """A guideline line in the letters' form for a section of the criteria table."""
    if citation.guideline == "ODG":
        return f"Decision based on Non-MTUS Citation {ODG_NAME}, {citation.chapter}, {citation.section}."
    text = f"Decision based on {citation.guideline} {citation.chapter} {citation.edition}"
    if citation.pages:
        text += f", Page(s): {citation.pages}"
    return text + f", Section(s): {citation.section}."
