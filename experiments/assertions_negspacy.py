"""Negation by negspacy's clinical termset vs this project's ConText negation rules, on TUNE letters.

    .venv/bin/pip install negspacy==1.1.0        # not a dependency of the package
    .venv/bin/python experiments/assertions_negspacy.py

Both variants keep every non-negation ConText rule of features/context_rules.yaml (possible,
hypothetical, historical, family, pseudo-triggers, terminators). The negspacy variant replaces the
project's negation triggers by negspacy 1.1.0's `en_clinical` termset read as NegEx reads it: preceding
negations look forward and following ones backward to the sentence end or a termination term (no token
limit), its pseudo-negations cancel what they overlap and its termination terms end every scope. Prints
precision / recall per field on the tune letters (rules were written from them, so this compares the two
engines on the same ground, not a held-out figure) and on 300 SYNTHETIC letters' latent facts.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "experiments"))

FIELDS = ("functional_improvement", "failed_conservative_care", "red_flag_neuro_deficit", "red_flag_trauma",
          "red_flag_fracture", "red_flag_infection", "prior_surgery", "prior_imaging_same_region",
          "prior_sessions", "duration_of_use_months")


def negspacy_rules():
    """The project's rules without its negation triggers, plus negspacy's en_clinical termset."""
    from negspacy.termsets import termset

    from features.assertions import Category, ContextRule, load_rules

    terms = termset("en_clinical").get_patterns()
    kept = [r for r in load_rules() if r.category != Category.NEGATED]
    ex = "SYNTHETIC: negspacy term [x]"
    added = (
        [ContextRule(category="negated", literal=t, direction="forward", example=ex)
         for t in terms["preceding_negations"]]
        + [ContextRule(category="negated", literal=t, direction="backward", example=ex)
           for t in terms["following_negations"]]
        + [ContextRule(category="pseudo", literal=t, direction="pseudo", example=ex)
           for t in terms["pseudo_negations"]]
        + [ContextRule(category="terminate", literal=t, direction="terminate", example=ex)
           for t in terms["termination"]]
    )
    return kept + added


def scores(label: str) -> list[str]:
    from extractor_accuracy import count, load, pairs

    ann, pred = load(REPO.parent / "shared" / "data")
    merged = ann.merge(pred, on=["case_number", "item_index"], suffixes=("_ann", "_pred"), how="left")
    tune = merged[merged["split"] == "tune"]
    out = []
    for f in FIELDS:
        c = count(pairs(tune, f))
        out.append(f"| {label} | {f} | {c.annotated} | {c.predicted} | {c.tp} | "
                   f"{c.precision:.2f} | {c.recall:.2f} |".replace("nan", "n/a"))
    return out


def synthetic_errors() -> int:
    """Services of 300 SYNTHETIC letters where a latent fact is not recovered (all fields together)."""
    from features.table import build_feature_table
    from letters.parser import parse_text
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    letters = list(iter_letters(300, GeneratorSettings(seed=5)))
    cases = [parse_text(t, f"s{i}.synthetic.txt") for i, (_, t) in enumerate(letters)]
    table = build_feature_table(cases, with_target=False)
    rows = {(r.letter_id, r.item_index): r for r in table.itertuples()}
    errors = 0
    for (latent, _), case in zip(letters, cases, strict=True):
        for s in latent.services:
            r = rows[(case.letter_id, s.item_index)]
            errors += latent.functional_improvement != r.functional_improvement
            errors += latent.failed_conservative != r.failed_conservative_care
            errors += bool(latent.neuro_deficit) != bool(r.red_flag_neuro_deficit)
            errors += bool(latent.prior_surgery) != bool(r.prior_surgery)
            errors += sum((latent.red_flag == k) != bool(getattr(r, f"red_flag_{k}"))
                          for k in ("trauma", "fracture", "infection", "cancer", "cauda_equina"))
            if s.prior_imaging is not None:
                errors += bool(s.prior_imaging) != bool(r.prior_imaging_same_region)
    return errors


def main() -> None:
    import features.analysis as analysis
    from features.assertions import ContextEngine, context_engine

    lines = ["| negation | field | annotated | extracted | TP | precision | recall |",
             "|---|---|---|---|---|---|---|"]
    lines += scores("ConText rules (project)")
    base_synth = synthetic_errors()
    alternative = ContextEngine(negspacy_rules())
    analysis.context_engine = lambda: alternative  # every AnalysedText built from here on uses it
    lines += scores("negspacy en_clinical")
    alt_synth = synthetic_errors()
    analysis.context_engine = context_engine
    print("\n".join(lines))
    print(f"\nSYNTHETIC latent facts not recovered (300 letters): project rules {base_synth}, "
          f"negspacy termset {alt_synth}")


if __name__ == "__main__":
    main()
