"""The synthetic corpus's generative model: pre-review latent variables, then the IMR outcome.

Order matters and mirrors reality: the case (worker, injury, history) and the disputed services
are drawn first from their own random stream; the outcome is drawn afterwards from a logistic
model of those variables plus noise, from a second stream. Letter text is rendered later
(`render.py`), with the post-review text written after, and consistent with, the decision.
Numbers come from `outcome_model.yaml`; see docs/synthetic-corpus.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from synthetic.latent_criteria import LatentChecklist, assess
from synthetic.outcome import decide
from synthetic.stream import Stream, StreamSource
from synthetic.tables import SynthTables, cumulative

NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
).split()

THERAPY_NAMES = {
    "pt": "physical therapy",
    "chiro": "chiropractic treatment",
    "acupuncture": "acupuncture",
    "massage": "massage therapy",
}
RED_FLAGS = ("fracture", "trauma", "infection", "cancer", "cauda_equina")
REGION_SLOTS = ("{region}", "{Region}", "{limb}", "{level}")  # heading slots that name a body region

# Streams per letter: (seed, letter index, purpose). STREAM_DISCLOSURE decides what the summary
# states (added later, so that its draws leave every other variable as it was).
STREAM_CASE, STREAM_OUTCOME, STREAM_PRE_TEXT, STREAM_POST_TEXT, STREAM_DISCLOSURE = 0, 1, 2, 3, 4
DISCLOSURE_DRAWS = 8  # uniforms per letter in the disclosure stream (one, then the listed care's 3-4)


@dataclass
class SynthService:
    """One disputed service: its latent pre-review variables, then its outcome."""

    item_index: int
    family: str
    item_key: str
    region: str
    side: str | None
    original_request: str  # what the provider asked for
    service: str  # the part IMR decided (differs from original_request when partially certified)
    heading: str  # decision-line text before ": <decision>"
    partial: bool = False
    partial_form: str | None = None  # "remaining" (UR certified part) or "original"
    authorized: str | None = None
    count_requested: int | None = None
    drug: str | None = None
    drug_months: int | None = None  # months of use before UR (0 = newly prescribed: `drug_start` dates it)
    drug_start: date | None = None  # the visit a new drug was started at, as the summary dates it
    duration_phrase: str | None = None  # how the summary states it: new / since / months / weeks
    prior_sessions: int | None = None
    prior_imaging: bool | None = None
    compound: bool = False
    associated: bool = False
    count_decided: int | None = None  # the count of the part IMR decides (sessions, tablets, ...)
    continuation: bool = False  # the request's wording asks to continue or refill
    levels: int | None = None  # spinal levels the request names
    counts_sessions: bool = False  # the heading's count is of sessions, visits or injections (catalog)
    names_region: bool = False  # the request's wording names its body region (or limb, or level)
    item: dict[str, Any] = field(default_factory=dict, repr=False)
    # --- governing section and criterion statuses (pre-review; synthetic/latent_criteria.py) ---
    checklist: LatentChecklist | None = None
    # --- outcome (post-review) ---
    terms: dict[str, float] = field(default_factory=dict)  # active term -> its share of the logit
    logit: float = 0.0
    p_overturn: float = 0.0
    decision: str = ""


@dataclass
class SynthCase:
    """One synthetic letter's latent variables."""

    index: int
    case_number: str
    date_of_injury: date
    ur_denial_date: date
    application_received: date
    date_assigned: date
    decision_date: date
    age: int
    sex: str
    chronic: bool
    days_injury_to_ur: int
    regions: list[tuple[str, str | None]]
    neuro_deficit: bool
    neuro_exam_normal: bool  # no deficit, and the summary states a normal neurological examination
    red_flag: str | None
    prior_surgery: bool
    failed_conservative: str  # yes / no / not_stated
    functional_improvement: str  # yes / no / not_stated
    pain: int  # latent: the outcome model uses it whether or not the summary states it
    pain_low: int | None
    priority: str
    ur_no_evidence: bool
    specialty: str
    licensure: list[str]
    shift: str
    services: list[SynthService] = field(default_factory=list)
    pain_stated: bool = True  # whether the Clinical Case Summary quotes the pain score
    treatments: tuple[str, ...] = ()  # the care the summary lists (`treatments` of phrases.yaml)
    # session 23: the examination of the primary region (`disclose`): "finding" (motion limited, a
    # positive test,
    # an effusion), "normal" (stated normal), "denied" (findings stated absent: normal too) or "none"
    # (tenderness only)
    exam_of_part: str = "none"
    exam_other_region: bool = False  # a finding of the second region, which is no finding of the primary's
    exam_ur_quoted: bool = False  # a finding in the UR's words only (no finding of the record's)


@dataclass(frozen=True)
class GeneratorSettings:
    """What a corpus is drawn from: seed, UR-denial period, outcome shift, first case number."""

    seed: int = 0
    period_start: date = date(2016, 10, 1)
    period_end: date = date(2017, 1, 31)
    shift: str = "none"
    first_id: int = 1


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _tri(s: Stream, spec: dict[str, float]) -> str:
    u = s.uniform()
    acc = 0.0
    for k, p in spec.items():
        acc += p
        if u < acc:
            return k
    return list(spec)[-1]


def _region_phrase(tables: SynthTables, key: str, side: str | None, s: Stream) -> str:
    name = s.pick(tables.regions[key]["names"])
    return f"{side} {name}" if side else name


def _limb(tables: SynthTables, key: str, side: str | None, s: Stream) -> str:
    limb = tables.regions[key]["limb"]
    if side is None or s.bernoulli(0.5):
        return f"bilateral {limb}"
    return f"{side} {limb[:-1]}" if limb.endswith("s") else f"{side} {limb}"


def _count(s: Stream, spec: list[int]) -> int:
    low, high, step = spec
    return low + step * s.integer(0, (high - low) // step)


def _fill(template: str, slots: dict[str, str]) -> str:
    return " ".join(template.format_map(slots).split())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _allowed_regions(item: dict[str, Any], tables: SynthTables) -> list[str] | None:
    spec = item.get("regions", "any")
    if spec == "any":
        return None
    if spec == "limb":
        return [k for k, r in tables.regions.items() if r["sided"]]
    if spec == "spine":
        return [k for k, r in tables.regions.items() if r.get("spine")]
    return list(spec)


def draw_case(index: int, s: Stream, settings: GeneratorSettings, tables: SynthTables) -> SynthCase:
    """Draw letter `index`'s pre-review latent variables and services from its case stream."""
    mix = tables.mix
    chronic = s.bernoulli(mix["chronic_share"])
    age_spec = mix["age"]
    age = int(round(_clip(s.normal(age_spec["mean"] + (age_spec["chronic_extra"] if chronic else 0.0),
                                   age_spec["sd"]), age_spec["min"], age_spec["max"])))
    sex = "male" if s.bernoulli(mix["male_share"]) else "female"
    span = (settings.period_end - settings.period_start).days
    ur = settings.period_start + timedelta(days=s.integer(0, max(span, 0)))
    if chronic:
        c = mix["chronic_years_injury_to_ur"]
        years = _clip(c["median"] * math.exp(s.normal(0.0, c["log_sd"])), c["min"], c["max"])
        days_injury = int(years * 365.25)
    else:
        a = mix["acute_days_injury_to_ur"]
        days_injury = int(round(_clip(s.normal(a["mean"], a["sd"]), a["min"], a["max"])))
    doi = ur - timedelta(days=days_injury)
    app = ur + timedelta(days=s.integer(mix["days_ur_to_application"]["min"],
                                        mix["days_ur_to_application"]["max"]))
    assigned = app + timedelta(days=s.integer(mix["days_application_to_assigned"]["min"],
                                              mix["days_application_to_assigned"]["max"]))
    decided = assigned + timedelta(days=s.integer(mix["days_assigned_to_decision"]["min"],
                                                  mix["days_assigned_to_decision"]["max"]))
    rc = tables.region_choice
    primary = s.weighted(rc.options, rc.cum)
    regions = [(primary, s.pick(("right", "left")) if tables.regions[primary]["sided"] else None)]
    if s.bernoulli(mix["second_region_share"]):
        second = s.weighted(rc.options, rc.cum)
        if second != primary:
            regions.append((second, s.pick(("right", "left")) if tables.regions[second]["sided"] else None))
    nd = mix["neuro_deficit"]
    neuro = s.bernoulli(nd["spine"] if tables.regions[primary].get("spine") else nd["other"])
    neuro_normal = not neuro and s.bernoulli(mix["neuro_exam_normal_stated"])
    u = s.uniform()
    red_flag, acc = None, 0.0
    for flag in RED_FLAGS:
        acc += mix["red_flags"][flag]
        if u < acc:
            red_flag = flag
            break
    phase = "chronic" if chronic else "acute"
    pain = int(round(_clip(s.normal(mix["pain"]["mean"], mix["pain"]["sd"]), mix["pain"]["min"],
                           mix["pain"]["max"])))
    pain_low = max(0, pain - s.integer(1, 3)) if s.bernoulli(mix["pain"]["range_share"]) else None
    case = SynthCase(
        index=index,
        case_number=f"SYN{assigned.year % 100:02d}-{settings.first_id + index:07d}",
        date_of_injury=doi,
        ur_denial_date=ur,
        application_received=app,
        date_assigned=assigned,
        decision_date=decided,
        age=age,
        sex=sex,
        chronic=chronic,
        days_injury_to_ur=days_injury,
        regions=regions,
        neuro_deficit=neuro,
        neuro_exam_normal=neuro_normal,
        red_flag=red_flag,
        prior_surgery=s.bernoulli(mix["prior_surgery"][phase]),
        failed_conservative=_tri(s, mix["failed_conservative"][phase]),
        functional_improvement=_tri(s, mix["functional_improvement"][phase]),
        pain=pain,
        pain_low=pain_low,
        priority="Expedited" if s.bernoulli(mix["expedited_share"]) else "Standard",
        ur_no_evidence=s.bernoulli(mix["ur_no_evidence_letter"]),
        specialty=s.weighted(tables.specialty_choice.options, tables.specialty_choice.cum),
        licensure=list(s.weighted(tables.licensure_choice.options, tables.licensure_choice.cum)),
        shift=settings.shift,
    )
    case.services = _draw_services(case, s, tables)
    _date_new_drugs(case, s, tables)
    return case


def _date_new_drugs(case: SynthCase, s: Stream, tables: SynthTables) -> None:
    """The visit each newly prescribed drug was started at, one per drug of the letter: latent, so the
    criteria count its duration of use from the date the summary writes (session 24: drawn at render time
    before, the latent read 0 months where the letter said three weeks). Drawn after every other case draw,
    which stay as they were."""
    days = tables.mix["medication_new_start_days"]
    started: dict[str, date] = {}
    for svc in case.services:
        if svc.duration_phrase == "new" and svc.drug is not None:
            if svc.drug not in started:
                started[svc.drug] = case.ur_denial_date - timedelta(days=s.integer(days["min"], days["max"]))
            svc.drug_start = started[svc.drug]


def _draw_services(case: SynthCase, s: Stream, tables: SynthTables) -> list[SynthService]:
    mix = tables.mix
    sizes = mix["items_per_letter"]
    n_items = int(s.weighted(list(sizes), cumulative(list(sizes.values()))))
    fc = tables.family_choice
    families = [s.weighted(fc.options, fc.cum) for _ in range(n_items)]
    bundle = False
    if "surgery" in families and n_items > 1 and s.bernoulli(mix["bundle_share"]):
        bundle = True
        families = ["surgery"] + ["associated"] * (n_items - 1)
    services: list[SynthService] = []
    seen: set[str] = set()
    for i, fam in enumerate(families):
        if fam == "associated":
            svc = _draw_associated(i, case, services[0], s, tables)
        else:
            svc = _draw_service(i, fam, case, s, tables)
        # Two identical headings in one letter would be ambiguous to any reader; redraw the text.
        tries = 0
        while svc.service.lower() in seen and tries < 5:
            svc = _draw_service(i, fam if fam != "associated" else "other", case, s, tables)
            tries += 1
        if svc.service.lower() in seen:
            svc.original_request = svc.service = svc.heading = f"{svc.service} (item {i + 1})"
        seen.add(svc.service.lower())
        _share_history(svc, services)
        services.append(svc)
    if bundle:
        services[0].associated = False
    return services


def _share_history(svc: SynthService, earlier: list[SynthService]) -> None:
    """One worker has one history: the same region's prior imaging, the same therapy's prior
    sessions and the same drug's duration of use are shared by all items of a letter."""
    for e in earlier:
        if svc.prior_imaging is not None and e.prior_imaging is not None and \
                (e.region, e.side) == (svc.region, svc.side):
            svc.prior_imaging = e.prior_imaging
        if svc.prior_sessions is not None and e.prior_sessions is not None and e.item_key == svc.item_key:
            svc.prior_sessions = e.prior_sessions
        if svc.drug is not None and e.drug == svc.drug and e.drug_months is not None:
            svc.drug_months, svc.duration_phrase = e.drug_months, e.duration_phrase


def _pick_region(item: dict[str, Any], case: SynthCase, s: Stream, tables: SynthTables
                 ) -> tuple[str, str | None]:
    allowed = _allowed_regions(item, tables)
    candidates = [r for r in case.regions if allowed is None or r[0] in allowed]
    if candidates:
        return candidates[0] if len(candidates) == 1 or s.bernoulli(0.75) else candidates[1]
    key = s.pick(allowed) if allowed else case.regions[0][0]
    return key, (s.pick(("right", "left")) if tables.regions[key]["sided"] else None)


def _draw_service(i: int, fam: str, case: SynthCase, s: Stream, tables: SynthTables) -> SynthService:
    family = tables.families[fam]
    ic = tables.item_choice[fam]
    item = s.weighted(ic.options, ic.cum)
    phase = "chronic" if case.chronic else "acute"
    mix = tables.mix
    if family.get("medication"):
        return _draw_medication(i, fam, family, item, case, s, tables)
    region, side = _pick_region(item, case, s, tables)
    reg = tables.regions[region]
    fits = item.get("heading_regions", {})  # a heading that names its anatomy fits its regions only
    template = s.pick([h for h in item["headings"] if region in fits.get(h, (region,))])
    has_count = "{n}" in template or "{N_word}" in template
    names_region = template in fits or any(slot in template for slot in REGION_SLOTS)  # its anatomy names it
    n = _count(s, item["count"]) if has_count and "count" in item else None
    slots = {
        "region": _region_phrase(tables, region, side, s),
        "limb": _limb(tables, region, side, s),
        "level": s.pick(reg["levels"]),
        "side_lc": side or "",
        "Side": _cap(side) if side else s.pick(("Right", "Left", "Bilateral")),
    }
    slots["Region"] = _cap(slots["region"])

    def render(k: int | None) -> str:
        if k is not None:
            slots["n"] = str(k)
            slots["N_word"] = _cap(NUMBER_WORDS[k]) if k < len(NUMBER_WORDS) else str(k)
        return _fill(template, slots)

    original = render(n)
    svc = SynthService(item_index=i, family=fam, item_key=item["key"], region=region, side=side,
                       original_request=original, service=original, heading=original, item=item,
                       count_requested=n, count_decided=n, names_region=names_region,
                       continuation=template in tables.continuation_templates,
                       levels=1 if "{level}" in template and reg.get("spine") else None,
                       counts_sessions=n is not None and (bool(family.get("sessions"))
                                                          or template in item.get("session_headings", ())))
    if fam == "imaging":
        svc.prior_imaging = s.bernoulli(mix["prior_imaging_same_region"][phase])
    if fam == "physical_medicine":
        band = _tri(s, mix["prior_sessions"][phase])
        svc.prior_sessions = 0 if band == "none" else s.integer(2, 10) if band == "low" else s.integer(12, 36)
    if n is not None and n >= 2 and s.bernoulli(mix["partial_share"]):
        _make_partial(svc, n, render, s)
    return svc


def _draw_medication(i: int, fam: str, family: dict[str, Any], item: dict[str, Any], case: SynthCase,
                     s: Stream, tables: SynthTables) -> SynthService:
    mix = tables.mix
    k = s.integer(0, len(item["drugs"]) - 1)
    drug = item["drugs"][k]
    strengths = item["strengths"]
    strength = strengths[k] if len(strengths) == len(item["drugs"]) else s.pick(strengths)
    qty = _count(s, item["count"])
    mh = tables.medication_headings
    template = s.weighted(mh.options, mh.cum)
    slots = {"drug": drug, "strength": strength, "refills": str(s.integer(1, 2))}

    def render(q: int | None) -> str:
        slots["qty"] = str(q)
        return _fill(template, slots)

    original = render(qty)
    region, side = case.regions[0]
    svc = SynthService(item_index=i, family=fam, item_key=item["key"], region=region, side=side,
                       original_request=original, service=original, heading=original, item=item,
                       count_requested=qty, count_decided=qty, drug=drug, compound=bool(item.get("compound")),
                       continuation=template in tables.continuation_templates)
    phase = "chronic" if case.chronic else "acute"
    months_since_injury = case.days_injury_to_ur // 30
    if months_since_injury < 1 or s.bernoulli(mix["medication_new"][phase]):
        svc.drug_months, svc.duration_phrase = 0, "new"
    else:
        mm = mix["medication_months"]
        if case.chronic:
            months = int(round(mm["chronic_median"] * math.exp(s.normal(0.0, mm["chronic_log_sd"]))))
            months = int(_clip(months, 1, min(mm["chronic_max"], months_since_injury)))
        else:
            months = s.integer(1, min(mm["acute_max"], months_since_injury))
        svc.drug_months = months
        svc.duration_phrase = "weeks" if months < 2 else s.pick(("since", "months"))
    if qty >= 2 and s.bernoulli(mix["partial_share"]):
        _make_partial(svc, qty, render, s)
    return svc


def _make_partial(svc: SynthService, n: int, render: Any, s: Stream) -> None:
    """UR certified part of the request; IMR decides the rest (or the original, form 'original')."""
    authorized_n = max(1, min(n - 1, int(round(n * (0.3 + 0.5 * s.uniform())))))
    svc.partial = True
    svc.authorized = render(authorized_n)
    svc.original_request = render(n)
    if s.bernoulli(0.8):
        svc.partial_form = "remaining"
        svc.count_decided = n - authorized_n
        svc.service = render(n - authorized_n)
        svc.heading = (
            f"{svc.original_request} was the original request. {svc.authorized} was authorized by the "
            f"Claims Administrator. The remaining IMR eligible portion of the original request, "
            f"{svc.service} is"
        )
    else:
        svc.partial_form = "original"
        svc.service = svc.original_request
        svc.heading = (
            f"{svc.original_request} was the original request. The Claims Administrator authorized "
            f"{svc.authorized}, leaving the original request IMR eligible. The original request, "
            f"{svc.service} is"
        )
    render(n)  # leave the slots as requested


def _draw_associated(i: int, case: SynthCase, surgery: SynthService, s: Stream, tables: SynthTables
                     ) -> SynthService:
    assoc = tables.associated
    spec = s.pick(assoc["items"])
    region, side = surgery.region, surgery.side
    phrase = _region_phrase(tables, region, side, s)
    n = _count(s, spec["count"]) if "count" in spec else None
    text = _fill(spec["heading"], {"region": phrase, "Region": _cap(phrase), "n": str(n)})
    if s.bernoulli(assoc["prefix_share"]):
        text = assoc["prefix"] + text
    sessions = n is not None and bool(tables.families[spec["family"]].get("sessions"))
    svc = SynthService(item_index=i, family=spec["family"], item_key="associated", region=region, side=side,
                       original_request=text, service=text, heading=text, associated=True,
                       count_requested=n, count_decided=n, item={"key": "associated", "principle": ""},
                       counts_sessions=sessions,
                       names_region=any(slot in spec["heading"] for slot in REGION_SLOTS))
    return svc


class CaseGenerator:
    """Draws letters of one corpus by index; letter i depends only on (settings, i)."""

    def __init__(self, settings: GeneratorSettings, tables: SynthTables | None = None) -> None:
        self.settings = settings
        self.tables = tables or SynthTables.load(settings.shift)
        seed = settings.seed
        self._sources = {p: StreamSource(seed, p) for p in
                         (STREAM_CASE, STREAM_OUTCOME, STREAM_PRE_TEXT, STREAM_POST_TEXT)}
        self._sources[STREAM_DISCLOSURE] = StreamSource(seed, STREAM_DISCLOSURE, per_letter=DISCLOSURE_DRAWS)

    def stream(self, index: int, purpose: int) -> Stream:
        return self._sources[purpose].for_letter(index)

    def case(self, index: int) -> SynthCase:
        case = draw_case(index, self.stream(index, STREAM_CASE), self.settings, self.tables)
        disclose(case, self.stream(index, STREAM_DISCLOSURE), self.tables)
        assess(case, self.tables)
        decide(case, self.stream(index, STREAM_OUTCOME), self.tables)
        return case


def disclose(case: SynthCase, s: Stream, tables: SynthTables) -> None:
    """Which latent findings the summary states. Real summaries quote a pain score only about half
    the time; drawn from its own stream so the case and outcome draws stay as they were."""
    case.pain_stated = s.bernoulli(tables.mix["pain"]["stated_share"])
    # session 23: the care the summary lists is latent (a criterion reads failed care by kind of care), drawn
    # here after the one draw above, so the case and outcome draws stay as they were
    care = tables.phrases["treatments"]
    case.treatments = tuple(dict.fromkeys(s.pick(care) for _ in range(s.integer(2, 3))))
    exam = tables.mix["exam_of_part"]
    u = s.uniform()
    kinds = ("finding", "normal", "denied")
    cut = [sum(exam[k] for k in kinds[:i + 1]) for i in range(len(kinds))]
    case.exam_of_part = (*kinds, "none")[sum(u >= c for c in cut)]
    case.exam_other_region = len(case.regions) > 1 and s.bernoulli(exam["other_region"])
    case.exam_ur_quoted = s.bernoulli(exam["ur_quoted"])
