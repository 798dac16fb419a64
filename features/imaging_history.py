"""The imaging the summary reports (studies done, studies repeated) and the body regions it names, built once
per case, and whether a service's region (and side) was imaged before: the prior_imaging_same_region fact."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from features.analysis import AnalysedText, Mention
from features.assertion_sets import NOT_DONE as _DONE
from features.assertions import Category
from features.authors import UR_REVIEWER
from features.body_regions import SPINE_UNSPECIFIED, RegionMention, body_regions, heading_regions, same_side
from features.clauses import clause_start as _clause_start
from features.evidence import EvidenceSpan, Extraction
from features.imaging_modalities import imaging_kinds
from features.sentences import Sentence
from features.service_heading import ServiceHeading
from features.ur_relay import relayed
from features.value_patterns import ValuePatterns, value_patterns
from letters.pre_review import PreReviewCase


@dataclass(frozen=True, slots=True)
class ImagingStudy:
    """A study the summary reports as done, with the regions (and sides) it images; none = not said."""

    mention: Mention
    regions: tuple[RegionMention, ...]


class ImagingHistory:
    """The studies and body regions one case's summary names, and the regions its imaging requests name."""

    def __init__(self, summary: AnalysedText, case: PreReviewCase, families: Sequence[str]) -> None:
        """`families`: each service's family, in `case.services` order (what the letter requests)."""
        self.summary = summary
        self.case = case
        self.families = tuple(families)

    @cached_property
    def imaging_request_regions(self) -> list[RegionMention]:
        """The regions (with sides) the letter's imaging requests name."""
        return [r for s, f in zip(self.case.services, self.families, strict=False) if f == "imaging"
                for r in heading_regions(s.service or s.heading)]

    @cached_property
    def _imaging(self) -> list[ImagingStudy]:
        """Every imaging mention with the regions named with it: after it when a phrase follows it ("MRI
        of the knee dated ... revealed", up to the verb), else in its clause before it ("right shoulder
        x-rays", "lumbar x-ray, left shoulder x-ray"), else anywhere near it; never past a semicolon after it
        ("MRI C-spine 2015 (...); the lumbar spine has never been imaged" names no lumbar study); a region in
        an earlier study's "of" phrase is that study's ("never had an MRI of the mid back and had a lumbar
        MRI": session 38, round-77 kind K2c)."""
        text = self.summary.lower
        regions = body_regions()
        p = value_patterns()
        mentions = self.summary.mentions("imaging")
        out = []
        claimed_to = 0  # where the last study's "of <region>" phrase ends: its region is not the next one's
        for i, m in enumerate(mentions):
            s = m.sentence
            prev_end = max((p.end for p in mentions[:i] if p.sentence is s), default=s.start)
            next_start = min((n.start for n in mentions[i + 1:] if n.sentence is s), default=s.end)
            semicolon = text.find(";", m.end, s.end)  # the next clause's region is its own (round 69, K4)
            next_start = min(next_start, semicolon) if semicolon != -1 else next_start
            lo = max(prev_end, claimed_to, m.start - 40, _clause_start(text, s.start, m.start))
            verb = p["study_verb"].search(text, m.end, min(next_start, m.end + 60))
            hi = verb.start() if verb else min(next_start, m.end + 60)
            clause = p["study_region_end"].search(text, m.end, hi)  # "..., and the thoracic spine has not"
            hi = clause.start() if clause else hi
            before, after = regions.find(text, lo, m.start), regions.find(text, m.end, hi)
            nxt = mentions[i + 1] if i + 1 < len(mentions) and mentions[i + 1].sentence is s else None
            if nxt is not None:  # a region right before the next study is that study's ("and a lumbar MRI"),
                # with the region words after it ("a CT of the chest and cervical spine x-rays": round-78 K9)
                after = [r for r in after if not _names_next(text, r.end, nxt.start, after)]
            of_phrase = p["study_of"].match(text, m.end) is not None
            found = (after or before) if of_phrase else (before or after)
            claimed_to = max(r.end for r in after) if of_phrase and after else claimed_to
            found = _sided_once(found or regions.find(text, max(prev_end, m.start - 40),
                                                      min(next_start, m.end + 60)))
            specific = tuple(r for r in found if r.region != SPINE_UNSPECIFIED)
            out.append(ImagingStudy(m, specific or tuple(found)))
        return _named_by_copula(out, self.summary.text)

    @cached_property
    def imaging_studies(self) -> list[ImagingStudy]:
        """Studies reported as done (affirmed or historical), whose sentence says so (`study_done`: a
        result, a verb of doing, a date; or the study is the report fragment "MRI right elbow 1/16: ...",
        `study_fragment_after`); a study named with none of these is the request itself or a wish.
        The UR's sentences decide requests, so one of theirs counts only when it gives the study's result
        or says the patient had it (`study_result`), in the study's own part of the sentence: a result the
        writer sets against the UR's claim after a semicolon ("...; the record shows only ...") is not the
        UR's study's (round 39); or when it relays the record ("UR noted that a lumbar MRI from 2013 was
        normal": session 37, `ur_relay`), or names the record's dated study ("The UR noted a lumbar MRI from
        2011": session 38, `_noted_dated`), or reads it ("hip x-rays were reviewed by the UR physician":
        session 39, `study_reviewed_after`)."""
        p = value_patterns()
        out = []
        for st in self._imaging:
            text = st.mention.sentence.text
            cats = st.mention.assertion.categories
            m = st.mention  # its own result follows it, as its clause's subject ("x-rays were negative")
            read = cats == {Category.HYPOTHETICAL} and p["study_read_after"].match(
                self.summary.text, m.end, m.sentence.end) and not p["subordinate_before"].search(
                self.summary.text, m.sentence.start, m.start)
            if cats == {Category.HYPOTHETICAL} and not read:  # round 21: ordered, then its result reported
                read = self._reported_later(m, p)
            fragment = p["study_fragment_after"].match(self.summary.text, m.end, m.sentence.end) is not None
            if (cats & _DONE and not read) or not (read or fragment or p["study_done"].search(text)):
                continue
            if p["study_not_done_after"].search(self.summary.text, m.end, m.sentence.end) or p[
                    "study_awaited_after"].match(self.summary.text, m.end, m.sentence.end):
                continue  # "an MRI was authorised, but she cancelled it"; "MRI ordered, pending approval"
            if st.mention.author != UR_REVIEWER or relayed(m) \
                    or p["study_result"].search(self.summary.text, *_own_part(m)) or _noted_dated(m, p) \
                    or p["study_reviewed_after"].match(self.summary.text, m.end, _own_part(m)[1]):
                out.append(st)
        return out

    def _reported_later(self, m: Mention, p: ValuePatterns) -> bool:
        """Whether a study named as ordered is then reported with its result, by the study as subject, in its
        own sentence after it or as the next sentence's opening clause (`study_reported_later`)."""
        sentences = self.summary.sentences
        i = sentences.index(m.sentence)
        end = sentences[i + 1].end if i + 1 < len(sentences) else m.sentence.end
        found = p["study_reported_later"].search(self.summary.text, m.end, end)
        return found is not None and (found.start() < m.sentence.end or found.start() - m.sentence.end < 3)

    @cached_property
    def repeat_studies(self) -> list[ImagingStudy]:
        """Studies named as a repeat ("repeat MRI", "updated x-rays"), requested, denied or not, by
        anyone: a repeat presupposes an earlier study of the same region, and the presupposition holds
        under negation ("no repeat MRI is needed"), not in a requirement's words (`_repeat_only_required`).
        Another person's study says nothing."""
        text = self.summary.lower
        cue = value_patterns()["repeat_study"]
        return [st for st in self._imaging
                if Category.FAMILY not in st.mention.assertion.categories
                and cue.search(text, max(st.mention.sentence.start, st.mention.start - 30), st.mention.start)
                and not self._repeat_only_required(st.mention)]

    def _repeat_only_required(self, m: Mention) -> bool:
        """A repeat named only as the subject of a requirement or condition after it, in a sentence that
        reports no study (round 27: "repeat imaging would require red flags", "a repeat MRI is not indicated
        without new findings"): the guideline's words presuppose no study of the patient's. A repeat that is
        what a finding about this request would call for ("no red flags that would warrant repeat imaging")
        still presupposes one."""
        p, text = value_patterns(), self.summary.text
        return (p["repeat_only_required"].search(text, m.end, m.sentence.end) is not None
                and not p["study_result"].search(m.sentence.text))

    @cached_property
    def claimed_regions(self) -> frozenset[str]:
        """The specific regions the summary names (the claim's regions)."""
        return frozenset(k for k in self.summary_regions if k != SPINE_UNSPECIFIED)

    def sentence_regions(self, sentence: Sentence) -> frozenset[str]:
        """The specific regions one summary sentence names."""
        found = body_regions().find(self.summary.lower, sentence.start, sentence.end)
        return frozenset(r.region for r in found if r.region != SPINE_UNSPECIFIED)

    @cached_property
    def region_mentions(self) -> list[RegionMention]:
        """Every body-region mention of the summary, in text order (found once per letter)."""
        return body_regions().find(self.summary.lower)

    @cached_property
    def summary_regions(self) -> dict[str, RegionMention]:
        """The first mention of each body region the summary names, in text order."""
        found: dict[str, RegionMention] = {}
        for r in self.region_mentions:
            found.setdefault(r.region, r)
        return found

    def prior_imaging_same_region(self, service: ServiceHeading) -> Extraction:
        """A done study of a region this service names (same side where both name one); a service that
        names no region counts a done study of any region; a study naming no region counts for the
        service's region when that is the only region the summary names."""
        first = next(self.same_region_studies(service), None)
        return Extraction(True, first) if first is not None else Extraction(False, None)

    def same_region_studies(self, service: ServiceHeading) -> Iterator[EvidenceSpan]:
        """Every span that makes `prior_imaging_same_region` true, the deciding one first: the value needs
        the first; a checklist may quote a later one (the record's own rather than the UR's)."""
        regions = body_regions()
        mine = [] if service.region_less else service.regions
        yield from self._repeats_of_this_region(service, mine)
        whole_body = value_patterns()["whole_body_study"]
        own = [] if not service.region_less else service.regions  # a region-less item's own region and side
        repeats = {id(st.mention) for st in self.repeat_studies}
        for study in self.imaging_studies:
            m = study.mention
            repeated = self._repeated_study(study) if not study.regions and id(m) in repeats else None
            if repeated is not None:
                study = ImagingStudy(m, repeated.regions)  # a repeat images the region and side it repeats
            if whole_body.search(self.summary.text, max(m.sentence.start, m.start - 25), m.end + 25):
                yield m.span()  # round 20: a whole-body study images every region
                continue
            if not mine and not self._other_side_only(own, study) and not self._unclaimed_side(own, study) \
                    and not self._ur_study_the_record_denies(study):
                yield study.mention.span()
                continue
            if not mine:
                continue
            if not study.regions:  # a study of an unnamed region counts for the only region claimed,
                # or for the only region its sentence names ("a lumbar ESI for radiographically confirmed
                # radiculopathy"), unless its sentence gives that region the other side only
                if any(len(only) == 1 and any(regions.same(r.region, next(iter(only))) for r in mine)
                       for only in (self.claimed_regions, self.sentence_regions(study.mention.sentence))) \
                        and not self._other_side_in_sentence(study.mention.sentence, mine):
                    yield study.mention.span()
                continue
            if any(regions.same(r.region, s.region)
                   and same_side(r.side, s.side or self.only_side.get(s.region))
                   and not self._ur_claim_against_record(study, r)
                   and not (s.region != r.region and self._region_denied_by_record(r))
                   for r in mine for s in study.regions):
                yield study.mention.span()

    def _other_side_in_sentence(self, sentence: Sentence, mine: list[RegionMention]) -> bool:
        """Whether `sentence` gives a region of the service's a side, and only sides other than the service's
        ("Left shoulder: he underwent a rotator cuff repair after an MRI showed a tear" for a right-shoulder
        request; an unsided "rotator cuff" there is that shoulder): a study naming no region in it is of that
        side's region (session 40, round-87 kind K6b)."""
        regions = body_regions()
        found = body_regions().find(self.summary.lower, sentence.start, sentence.end)
        for r in mine:
            sides = {f.side for f in found if f.side is not None
                     and (regions.same(r.region, f.region) or regions.same(f.region, r.region))}
            if sides and not any(same_side(r.side, side) for side in sides):
                return True
        return False

    def _ur_claim_against_record(self, study: ImagingStudy, region: RegionMention) -> bool:
        """Whether `study` is told in a UR sentence and the record says the service's `region` (with its side)
        was not imaged ("The UR physician noted extensive imaging of both knees" against "The left knee has
        not been imaged"; "No imaging has been done" denies every region): the record wins (session 37,
        round-70 kind K3, ruling (3)); a region that has no side, when the record names it without one too
        ("a thoracic MRI had been done" against "never had an MRI of the mid back": session 38, round-77 kind
        K2c)."""
        if study.mention.author != UR_REVIEWER:
            return False
        regions = body_regions()
        return any(not denied or any(regions.same(region.region, d.region) and d.side == region.side
                                     for d in denied)
                   for denied in self._not_imaged_by_record)

    def _ur_study_the_record_denies(self, study: ImagingStudy) -> bool:
        """Whether `study`, for a region-less item, is the UR's of regions the record says were not imaged
        (`_ur_claim_against_record` for each): the record wins there as for an item of that region ("a lumbar
        MRI was ordered but never done" against the UR's "a lumbar MRI was already performed", for a drug:
        session 44, round-110 kind K7). A UR study naming no region is read as it stands."""
        return bool(study.regions) and all(self._ur_claim_against_record(study, s) for s in study.regions)

    def _region_denied_by_record(self, region: RegionMention) -> bool:
        """Whether the record names the service's own region (with its side) as not imaged ("No thoracic spine
        imaging was obtained"): a study of a neighbouring region ("chest x-rays showed rib fractures") then
        says nothing of it (session 43, round-105 kind K8); a study of the region itself is read as it
        stands."""
        return any(d.region == region.region and same_side(d.side, region.side)
                   for denied in self._not_imaged_by_record for d in denied)

    @cached_property
    def _not_imaged_by_record(self) -> list[tuple[RegionMention, ...]]:
        """The regions (and sides) of each study the record, not the UR, says was not done: negated ("The left
        knee has not been imaged", "No imaging has been done": no region) or ordered and not done ("An MRI of
        the right knee was recommended but has not been done", `study_said_not_done_after`, before any other
        study of its sentence)."""
        said_not_done = value_patterns()["study_said_not_done_after"]
        out = []
        for i, st in enumerate(self._imaging):
            m = st.mention
            if m.author == UR_REVIEWER:
                continue
            after = self._imaging[i + 1].mention if i + 1 < len(self._imaging) else None
            end = after.start if after is not None and after.sentence is m.sentence else m.sentence.end
            negated = Category.NEGATED in m.assertion.categories
            if negated or said_not_done.match(self.summary.text, m.end, end):
                out.append(st.regions)
        return out

    @cached_property
    def only_side(self) -> dict[str, str]:
        """region -> the one side (left or right) the summary ever gives it: a study naming that region
        without a side ("plain films of the shoulder", the complaint being "right shoulder pain") is of that
        side (session 19; a region named on both sides, or bilaterally, has none)."""
        sides: dict[str, set[str | None]] = {}
        for r in body_regions().find(self.summary.lower):
            if r.side is not None:
                sides.setdefault(r.region, set()).add(r.side)
        return {region: next(iter(found)) for region, found in sides.items()
                if len(found) == 1 and found <= {"left", "right"}}

    def _other_side_only(self, own: list[RegionMention], study: ImagingStudy) -> bool:
        """A region-less item that names a region and side ("left knee brace") and a study of that region on
        the other side only ("MRI of the right knee"): that side's study, not this item's (round 21)."""
        regions = body_regions()
        sided = [r for r in own if r.side in ("left", "right")]
        return bool(sided) and bool(study.regions) and all(
            any(regions.same(r.region, s.region) for r in sided) and not any(
                regions.same(r.region, s.region) and same_side(r.side, s.side) for r in sided)
            for s in study.regions)

    def _unclaimed_side(self, own: list[RegionMention], study: ImagingStudy) -> bool:
        """A study, for an item that names no region (a drug, orthotics), of a side of a region the rest of
        the summary gives only the other side (round 35: the other wrist's old films, when every other
        mention names the injured wrist; the study's own region words aside, not its sentence, which may name
        that side again: "x-rays of the left knee ..., and two injections into the left knee"): no claimed
        region (the protocol: region-less services count imaging of any claimed region). A region named
        bilaterally elsewhere, or with no side only (an unsided mention is of the one side the summary gives
        it, as `only_side`), or nowhere else, stays claimed."""
        if own or not study.regions:
            return False
        regions, own_words = body_regions(), {(s.start, s.end) for s in study.regions}
        elsewhere = [r for r in self.region_mentions if (r.start, r.end) not in own_words]
        for s in study.regions:
            if s.side not in ("left", "right"):
                return False
            sides = {r.side for r in elsewhere if r.side is not None
                     and (regions.same(r.region, s.region) or regions.same(s.region, r.region))}
            if not sides or not sides <= {"left", "right"} or s.side in sides:
                return False
        return True

    def _repeats_of_this_region(self, service: ServiceHeading,
                                mine: list[RegionMention]) -> Iterator[EvidenceSpan]:
        """Repeat studies of this service's region, in its own heading ("Repeat MRI of the knee") or in
        the summary (of a region this service names; a repeat naming no region is this imaging
        request's own)."""
        if service.family == "imaging":
            m = value_patterns()["repeat_heading"].search(service.text)
            if m:
                yield service.heading_span(*m.span())
        regions = body_regions()
        for study in self.repeat_studies:
            repeated = self._repeated_study(study)
            if not study.regions and repeated is not None:  # session 25 (round-28 kind 6): "x-rays of the
                # right ankle ...; repeat x-rays showed healing" repeats the right ankle's, not this request's
                if not mine or any(regions.same(r.region, s.region)
                                   and same_side(r.side, s.side or self.only_side.get(s.region))
                                   for r in mine for s in repeated.regions):
                    yield study.mention.span()
                continue
            if not study.regions:  # a repeat of this letter's imaging request: its region was imaged
                if service.family == "imaging" or any(
                        regions.same(r.region, q.region) and same_side(r.side, q.side)
                        for r in mine for q in self.imaging_request_regions):
                    yield study.mention.span()
                continue
            if not mine or any(regions.same(r.region, s.region) and same_side(r.side, s.side)
                               for r in mine for s in study.regions):
                yield study.mention.span()

    def _repeated_study(self, study: ImagingStudy) -> ImagingStudy | None:
        """The study a repeat naming no region repeats: the last study of its kind (x-ray, MRI, ...) naming a
        region before it, however far back ("X-rays of the right ankle showed a fracture. ... Repeat x-rays
        showed it healing"), else the last study naming a region in its sentence or the one before: the
        repeat images that region and side (session 25, round-28 kind 6); None when none."""
        m = study.mention
        earlier = [e for e in self._imaging if e.regions and e.mention.end <= m.start]
        kinds = imaging_kinds()
        kind = kinds.of_study(self.summary.text[m.start:m.end])
        same = [e for e in earlier if kind is not None
                and kinds.of_study(self.summary.text[e.mention.start:e.mention.end]) == kind]
        near = [e for e in earlier if 0 <= m.sentence.index - e.mention.sentence.index <= 1]
        return same[-1] if same else near[-1] if near else None


def _named_by_copula(studies: list[ImagingStudy], text: str) -> list[ImagingStudy]:
    """Each study that names no region and that a copula names as the next study of its sentence ("The only
    imaging in the file is an x-ray of the left wrist"), with that study's regions: it is the same study, so
    it images that region and side, not every claimed region as a study naming none would (session 36,
    round-63 kind K6). Read from the end, so a chain of such links takes the last study's regions."""
    link = value_patterns()["study_is_next"]
    out = list(studies)
    for i in range(len(out) - 2, -1, -1):
        st, nxt = out[i], out[i + 1]
        if not st.regions and nxt.mention.sentence is st.mention.sentence \
                and link.fullmatch(text, st.mention.end, nxt.mention.start):
            out[i] = ImagingStudy(st.mention, nxt.regions)
    return out


def _names_next(text: str, end: int, study: int, regions: list[RegionMention]) -> bool:
    """Whether only region words (and spaces or hyphens) stand between a region that ends at `end` and the
    next study at `study`: the region phrase names that study ("cervical spine x-rays", the spine word a
    region of its own), not the study before it (session 39, round-78 kind K9)."""
    at = end
    for r in regions:
        if r.start < at or r.end > study:
            continue
        if text[at:r.start].strip(" -"):
            return False
        at = r.end
    return not text[at:study].strip(" -")


def _sided_once(found: list[RegionMention]) -> list[RegionMention]:
    """A study's regions less a region it names again with no side beside a sided naming of it (session 32,
    round-50 s5025: "X-rays R knee 2010, pre-TKA": the operation's knee is the study's right knee, no
    unsided knee that would match the other knee's request)."""
    sided = {r.region for r in found if r.side is not None}
    return [r for r in found if r.side is not None or r.region not in sided]


def _noted_dated(m: Mention, p: ValuePatterns) -> bool:
    """Whether the UR names the study, with its past date, as the object of a verb that reports ("The UR noted
    a lumbar MRI from 2011"; `study_noted_before`, `study_dated_after`): the record's study as the UR tells it
    (ruling (3)); not where the writer answers it after a semicolon (round 39: the UR's claim, disputed)."""
    text, (lo, hi) = m.sentence.text, _own_part(m)
    return (hi == m.sentence.end and p["study_noted_before"].search(
        m.sentence.text, max(0, lo - m.sentence.start), m.start - m.sentence.start) is not None
        and p["study_dated_after"].match(text, m.end - m.sentence.start, hi - m.sentence.start) is not None)


def _own_part(m: Mention) -> tuple[int, int]:
    """Where the semicolon-bounded part of its sentence that holds `m` starts and ends (summary offsets): the
    UR's words and the writer's reply to them are often one sentence joined by a semicolon."""
    s, text = m.sentence, m.sentence.text
    lo = text.rfind(";", 0, m.start - s.start) + 1
    hi = text.find(";", m.end - s.start)
    return s.start + lo, s.start + (hi if hi >= 0 else len(text))
