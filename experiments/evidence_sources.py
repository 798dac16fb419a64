"""Count checklist evidence that is the UR's account or about another body region, on one split of the
shared real letters (session 19; counts only, no letter text).

    PYTHONPATH=. .venv/bin/python experiments/evidence_sources.py --split tune [--code /work/main]

`--code` imports the product from another checkout (the "before" figures), so the measure is the same
code for both. Counted over the quoted evidence of met / unmet criteria:
- `ur_account`: a summary sentence whose author is the UR reviewer, or that a UR cue of authors.yaml names
  (a sentence that reports the UR's decision);
- for criteria reading a regional finding (a neurological deficit, an earlier study), where the request's
  region is known: `other_region` (the sentence names only regions that are not the request's nor speak
  for it, or only the other side) and `other_region_passage` (it names none and the nearest of the two
  sentences before it that names one names only others: "... right shoulder pain. Moderate weakness was
  noted.").
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LETTERS = REPO.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"
SPLIT = REPO / "tests" / "real" / "letter_split.csv"
REGIONAL = ("red_flag_neuro_deficit", "prior_imaging_same_region")
# the spine and the limbs its roots supply (as body_regions.yaml finding_regions; fixed here so both
# checkouts are measured alike)
SPINE_LIMBS = {"cervical": {"upper_extremity", "shoulder", "elbow", "hand_wrist"},
               "lumbar": {"lower_extremity", "hip", "knee", "ankle_foot"}}
SPINE_LIMBS["spine_unspecified"] = SPINE_LIMBS["cervical"] | SPINE_LIMBS["lumbar"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["validation", "tune"], default="tune")
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose product code to measure")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve()))
    from features.authors import UR_REVIEWER, load_author_rules
    from features.body_regions import body_regions
    from features.casefold import lower_text
    from features.checklist import _sentence_stops
    from features.extractors.criteria_level import case_checklists
    from letters.ingest import parse_file
    from training.text_cv import read_split

    regions, rules = body_regions(), load_author_rules()

    def named(text: str) -> list:  # RegionMention of the checkout measured
        return [r for r in regions.find(lower_text(text)) if r.region != "spine_unspecified"]

    def speaks(found: list, request: set[str], side: str | None) -> bool:
        """A region named is the request's (or speaks for it) on a side that can be the request's."""
        return any((regions.same(m.region, b) or regions.same(b, m.region)
                    or b in SPINE_LIMBS.get(m.region, ()) or m.region in SPINE_LIMBS.get(b, ()))
                   and (m.side is None or side is None or m.side == side or "bilateral" in (m.side, side))
                   for m in found for b in request)

    cases = sorted(c for c, s in read_split(SPLIT).items() if s == args.split)
    counts: Counter[str] = Counter()
    for case_number in cases:
        case = parse_file(LETTERS / f"{case_number}.pdf")
        for checklist in case_checklists(case):
            request = {checklist.region} - {None, "none", "multiple"}
            sides = {r.side for r in regions.named(checklist.service)}
            side = sides.pop() if len(sides) == 1 else None
            for item in checklist.checklist:
                regional = bool(set(REGIONAL) & set(_facts(item)))
                for ev in item.evidence:
                    counts["items"] += 1
                    if ev.section != "clinical_summary":
                        continue
                    counts["summary_items"] += 1
                    if ev.author == UR_REVIEWER or rules.author_of(ev.text) == UR_REVIEWER:
                        counts["ur_account"] += 1
                    if not (regional and request):
                        continue
                    counts["regional_items"] += 1
                    found = named(ev.text)
                    if found:
                        counts["other_region"] += not speaks(found, request, side)
                        continue
                    starts, stops = _sentence_stops(case.clinical_summary)
                    i = next(k for k, stop in enumerate(stops) if stop > ev.start)
                    for j in range(i - 1, max(i - 3, -1), -1):
                        before = named(case.clinical_summary[starts[j]:stops[j]])
                        if before:
                            counts["other_region_passage"] += not speaks(before, request, side)
                            break
    print(f"{args.split}: {len(cases)} letters, code {args.code}: {dict(sorted(counts.items()))}")
    return 0


def _facts(item: object) -> list[str]:
    from features.criteria import load_criteria

    return load_criteria().criteria[item.criterion_id].facts  # type: ignore[attr-defined]


if __name__ == "__main__":
    raise SystemExit(main())
