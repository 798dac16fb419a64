"""Grade the per-criterion explanations of a model on the shared real letters of one split (validation by
default): sign agreement, repeated criteria, and how much of each service's explanation the guideline
criteria carry rather than context.

    .venv/bin/python experiments/explain_eval.py --model /tmp/real/model [--split validation|tune]

Every service goes through `imr explain`'s own path (`model.explanations.explain_case`). Prints figures
only (no letter text). The grading is `training/explanation_grading.py` (shared with `imr check-letters`);
definitions (experiments/criteria.md, "Explanations per criterion"):
- sign contradiction: a met criterion whose log-odds lowers the likelihood, or an unmet one that raises it;
- repeated criterion: a criterion id listed twice for one service;
- top-three share: per service, the three items with the largest |log-odds| among its criteria and its
  context factors (items with a zero contribution are not candidates), pooled over services: the share
  that are criteria.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LETTERS = REPO.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"
SPLIT = REPO / "tests" / "real" / "letter_split.csv"
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the project's packages come from this checkout

def split_cases(split: str) -> list[str]:
    from training.text_cv import read_split

    return sorted(case for case, s in read_split(SPLIT).items() if s == split)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="TriageModel directory")
    parser.add_argument("--split", choices=["validation", "tune"], default="validation")
    args = parser.parse_args(argv)
    if not LETTERS.is_dir():
        print(f"{LETTERS}: the shared real letters are absent", file=sys.stderr)
        return 2

    from letters.ingest import parse_file
    from model.explanations import explain_case
    from model.predictor import Predictor
    from training.explanation_grading import grade

    predictor = Predictor.load(args.model)
    services: list[dict] = []
    for case_number in split_cases(args.split):
        letter = explain_case(predictor, parse_file(LETTERS / f"{case_number}.pdf"))
        services += [s.model_dump(mode="json") for s in letter.services]
    figures = grade(services)
    print(f"model {predictor.metadata.model_version}, {args.split} letters: {len(split_cases(args.split))}")
    for key, value in figures.items():
        print(f"{key}: {round(value, 4) if isinstance(value, float) else value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
