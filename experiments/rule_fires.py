"""On how many TUNE letters each rule of the weak fields fires: a rule that fires on one letter only was
probably fitted to it (generalise it or drop it); a rule that fires on none is written from general
clinical and UR writing and is checked by its SYNTHETIC rows in tests/unit/test_fact_phrasings.py.

    .venv/bin/python experiments/rule_fires.py            # concepts of the weak fields + value patterns
    .venv/bin/python experiments/rule_fires.py --concept failed_care --concept worsening

Counts only (how many tune letters' Clinical Case Summary the regex matches), never letter text. Tune
letters only (tests/real/letter_split.csv): validation letters are never read here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the packages come from this checkout

SPLIT = REPO / "tests" / "real" / "letter_split.csv"
LETTERS = REPO.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"
WEAK_CONCEPTS = ("functional_improvement", "functional_decline", "failed_care", "worsening", "treatment_done",
                 "care_not_tried", "conservative_care", "imaging", "trauma", "therapy")
VALUE_PATTERNS = ("duration_for", "duration_since_date", "duration_start", "duration_last_unit",
                  "duration_since_month", "duration_since_injury", "duration_new", "study_done",
                  "drug_object", "conservative_words", "sessions_count", "sessions_out_of", "completed_cue")
# (anchored patterns such as care_outcome_before or repeat_study are read at a mention, not over a text)


def tune_summaries() -> dict[str, str]:
    import pandas as pd

    from features.casefold import lower_text
    from letters.ingest import parse_file
    from letters.pre_review import PreReviewCase

    if not LETTERS.is_dir():
        raise SystemExit(f"{LETTERS}: real letters not found")
    split = pd.read_csv(SPLIT, comment="#", dtype=str)
    tune = sorted(split.loc[split["split"] == "tune", "case_number"])
    return {c: lower_text(PreReviewCase.from_case(parse_file(LETTERS / f"{c}.pdf")).clinical_summary)
            for c in tune}


def main() -> None:
    from features.analysis import concept_regexes
    from features.casefold import compile_folded
    from features.value_patterns import value_patterns

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--concept", action="append", help="a concepts.yaml concept (repeatable)")
    args = ap.parse_args()
    texts = tune_summaries()
    concepts = concept_regexes()  # word classes (`${vehicle}`) written out
    print(f"# tune letters: {len(texts)}")
    for name in args.concept or WEAK_CONCEPTS:
        print(f"\n## concept {name}")
        for i, pattern in enumerate(concepts[name]):
            rx = compile_folded(pattern)
            n = sum(1 for t in texts.values() if rx.search(t))
            print(f"  {i:2d}  letters {n:2d}  {pattern[:100]}")
    if args.concept:
        return
    print("\n## value patterns (features/value_patterns.yaml)")
    p = value_patterns()
    for name in VALUE_PATTERNS:
        n = sum(1 for t in texts.values() if p[name].search(t))
        print(f"      letters {n:2d}  {name}")


if __name__ == "__main__":
    main()
