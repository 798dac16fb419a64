"""Synthetic corpus vs. the real letters: the statistics the generator is calibrated to.

    .venv/bin/python experiments/synth_calibration.py [--n 5000 --seed 0]

Generates N synthetic letters into a temporary folder with `write_corpus` (the code behind
`imr synth`), and reads the real letters from ../shared/data/dwc-imr-letters (labels.csv, plus
the parsed PDFs for age, sex, partial certification and "no evidence cited"); prints a markdown
table for docs/synthetic-corpus.md. Service families are mapped with the project's taxonomy
(features/service_taxonomy.yaml) on both sides so the comparison uses one yardstick.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

from features.service_families import load_taxonomy
from synthetic.corpus import GROUND_TRUTH, write_corpus
from synthetic.generative_model import GeneratorSettings

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dwc-imr-letters"


def _q(s: pd.Series) -> str:
    return f"{s.median():.0f} [{s.quantile(0.1):.0f}-{s.quantile(0.9):.0f}]"


def describe(services: pd.DataFrame, cases: pd.DataFrame) -> dict[str, str]:
    """One column of the table: services need decision, service, partial, no_evidence;
    cases need n_items, age, sex, days_injury_to_ur, pain_score (missing where not stated)."""
    n_items = cases["n_items"]
    out = {
        "letters": f"{len(cases)}",
        "services": f"{len(services)}",
        "overturned (share of services)": f"{(services.decision == 'Overturned').mean():.1%}",
        "letters with any overturned item": f"{cases['any_overturned'].mean():.1%}",
        "items per letter: mean": f"{n_items.mean():.2f}",
        "items per letter: 1 / 2 / 3-5 / 6+": " / ".join(
            f"{x:.0%}" for x in ((n_items == 1).mean(), (n_items == 2).mean(),
                                  n_items.between(3, 5).mean(), (n_items >= 6).mean())),
        "partial UR certification (services)": f"{services.partial.mean():.1%}",
        "UR cited no evidence (services)": f"{services.no_evidence.mean():.1%}",
        "age: median [p10-p90]": _q(cases.age.dropna()),
        "male": f"{(cases.sex == 'male').mean():.0%}",
        "days injury -> UR denial: median [p10-p90]": _q(cases.days_injury_to_ur),
        "share of letters injured > 1 year before UR": f"{(cases.days_injury_to_ur > 365).mean():.0%}",
        "pain score stated in the summary (letters)": f"{cases.pain_score.notna().mean():.1%}",
        "pain score where stated: median [p10-p90]": _q(cases.pain_score.dropna()),
    }
    tax = load_taxonomy()
    fam = services.service.map(lambda h: tax.classify(h).family)
    shares = fam.value_counts(normalize=True)
    rates = services.assign(f=fam).groupby("f").decision.apply(lambda d: (d == "Overturned").mean())
    for f in sorted(shares.index, key=lambda k: -shares[k]):
        out[f"family {f}: share / overturned"] = f"{shares[f]:.0%} / {rates[f]:.0%}"
    return out


def real_tables() -> tuple[pd.DataFrame, pd.DataFrame] | None:
    if not (REAL / "labels.csv").exists():
        return None
    from features.table import build_feature_table
    from letters.ingest import parse_file

    labels = pd.read_csv(REAL / "labels.csv")
    rows, svc_extra = [], []
    for case_number, g in labels.groupby("case_number", sort=False):
        case = parse_file(REAL / "pdf" / f"{case_number}.pdf")
        pain = build_feature_table([case]).pain_score.iloc[0] if case.services else None
        doi = pd.to_datetime(g.date_of_injury.iloc[0])
        ur = pd.to_datetime(g.ur_denial_date.iloc[0])
        rows.append({"n_items": len(g), "age": case.patient_age, "sex": case.patient_sex,
                     "days_injury_to_ur": (ur - doi).days, "pain_score": pain,
                     "any_overturned": (g.decision == "Overturned").any()})
        for s in case.services:
            svc_extra.append({"partial": s.partial_ur_certification,
                              "no_evidence": bool(s.ur_guideline and s.ur_guideline.no_evidence_cited)})
    services = labels.assign(
        partial=[x["partial"] for x in svc_extra] if len(svc_extra) == len(labels) else False,
        no_evidence=[x["no_evidence"] for x in svc_extra] if len(svc_extra) == len(labels) else False,
    )
    return services, pd.DataFrame(rows)


def synthetic_tables(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as tmp:
        write_corpus(n, Path(tmp), GeneratorSettings(seed=seed), workers=2)
        gt = pd.read_parquet(Path(tmp) / GROUND_TRUTH)
    services = gt.rename(columns={"partial_ur_certification": "partial"})
    services["no_evidence"] = services.ur_no_evidence
    cases = gt.groupby("letter_id", sort=False).agg(
        n_items=("n_items", "first"), age=("patient_age", "first"), sex=("patient_sex", "first"),
        days_injury_to_ur=("days_injury_to_ur", "first"),
        # the stated score; equal to what the feature extractor finds (tests/unit/test_synth_corpus.py)
        pain_score=("pain_score", "first"),
        any_overturned=("decision", lambda d: (d == "Overturned").any()))
    return services, cases


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    syn = describe(*synthetic_tables(args.n, args.seed))
    real = real_tables()
    rd = describe(*real) if real is not None else {}
    print(f"| statistic | real 2016-17 letters | synthetic (n={args.n}, seed={args.seed}) |")
    print("|---|---|---|")
    for k in dict.fromkeys([*rd, *syn]):
        print(f"| {k} | {rd.get(k, '-')} | {syn.get(k, '-')} |")
    if real is None:
        print(f"\n(real letters not found at {REAL}; only the synthetic column is shown)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
