"""Extractor precision/recall against hand annotations of real letters -> experiments/extractor-accuracy.md.

Run: .venv/bin/python experiments/extractor_accuracy.py [--data ../shared/data]
Annotations: tests/real/annotations.csv (case number + item_index; values read by a person from the
pre-review text). A value is "stated" unless blank, `not_stated`, or false; a true positive is a
stated prediction equal to a stated annotation (numbers within 0.5). Precision = TP / stated
predictions, recall = TP / stated annotations; accuracy counts agreement on every service.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

from features.table import build_feature_table
from letters.ingest import parse_paths

REPO = Path(__file__).resolve().parents[1]
ANNOTATIONS = REPO / "tests" / "real" / "annotations.csv"
NOT_STATED = {"", "not_stated", "none", "missing", "false", "0", "nan", "<na>"}


def _stated(v: object) -> bool:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return False
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() not in NOT_STATED


def _equal(a: object, b: object) -> bool:
    if not _stated(a) and not _stated(b):
        return True
    if not (_stated(a) and _stated(b)):
        return False
    try:
        return abs(float(a) - float(b)) <= 0.5  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(a).strip().lower() == str(b).strip().lower()


def score(annotations: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    merged = annotations.merge(predicted, on=["case_number", "item_index"], suffixes=("_ann", "_pred"))
    rows = []
    for feat in [c for c in annotations.columns if c not in ("case_number", "item_index")]:
        a, p = merged[f"{feat}_ann"], merged[f"{feat}_pred"]
        ann_pos = sum(_stated(x) for x in a)
        pred_pos = sum(_stated(x) for x in p)
        tp = sum(_stated(x) and _stated(y) and _equal(x, y) for x, y in zip(a, p, strict=True))
        acc = sum(_equal(x, y) for x, y in zip(a, p, strict=True)) / len(merged)
        rows.append({
            "feature": feat, "services": len(merged), "stated (annotated)": ann_pos,
            "stated (extracted)": pred_pos, "TP": tp,
            "precision": tp / pred_pos if pred_pos else float("nan"),
            "recall": tp / ann_pos if ann_pos else float("nan"), "accuracy": acc,
        })
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "experiments" / "extractor-accuracy.md")
    args = ap.parse_args()
    ann = pd.read_csv(ANNOTATIONS, comment="#", dtype={"case_number": str})
    pdfs = [args.data / "dwc-imr-letters" / "pdf" / f"{cn}.pdf" for cn in sorted(ann["case_number"].unique())]
    cases = parse_paths(pdfs).cases
    pred = build_feature_table(cases).astype(object)
    pred["case_number"] = pred["case_number"].astype(str)
    table = score(ann, pred)
    fmt = table.copy()
    for c in ("precision", "recall", "accuracy"):
        fmt[c] = fmt[c].map(lambda v: "n/a" if pd.isna(v) else f"{v:.2f}")
    header = "| " + " | ".join(fmt.columns) + " |"
    lines = [
        "# Extractor accuracy on hand-annotated real letters",
        "",
        f"Reproduce: `.venv/bin/python experiments/extractor_accuracy.py` ({len(ann)} services from "
        f"{ann['case_number'].nunique()} letters in `../shared/data/dwc-imr-letters`, annotations in "
        "`tests/real/annotations.csv`, read from pre-review text only).",
        "",
        "A value is *stated* unless blank, `not_stated` or false; TP = stated extraction equal to a stated",
        "annotation (numbers within 0.5). precision = TP / stated extractions, recall = TP / stated",
        "annotations; accuracy = agreement on all services (both unstated counts as agreement).",
        "Case-level features repeat on every service of a letter, so letters with many services weigh more.",
        "",
        header,
        "|" + "---|" * len(fmt.columns),
        *["| " + " | ".join(str(v) for v in r) + " |" for r in fmt.itertuples(index=False)],
        "",
        "## Read with care",
        "",
        "The phrase patterns were tuned AFTER a first run on these same 45 services, so the table above",
        "is a training-set figure, not a held-out estimate. The first run (patterns tuned on synthetic",
        "letters and unlabelled real summaries only) gave precision / recall: functional_improvement",
        "0.36 / 0.36, failed_conservative_care 0.33 / 0.08, red_flag_neuro_deficit 1.00 / 0.64,",
        "red_flag_trauma 1.00 / 0.33; every other feature was already at 1.00 / 1.00. The misses were",
        "work-status phrases read as improvement, UR's own wording ('failed to approve', 'has not",
        "attempted conservative treatment'), 'grip strength was decreased' and crush mechanisms.",
        "Counts are small (a feature stated in 1-16 services, 21 letters; case-level values repeat per",
        "service): a new annotated sample from the held-aside letters is the honest next check.",
        "Synthetic letters (ground-truth latents from `imr synth`, 400 letters): age, sex, pain, red",
        "flags, UR source, partial certification 100%; neuro deficit 99.5%; prior surgery 99.5%;",
        "functional improvement and failed conservative care 100%; prior sessions 90%; prior imaging",
        "of the same region 90%; duration of use within a month 98%.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
