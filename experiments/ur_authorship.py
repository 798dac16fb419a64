"""Does carrying the UR author lose record facts? Every tune service read three ways, graded against the
hand annotations.

    .venv/bin/python experiments/ur_authorship.py            # the tables of experiments/ur-authorship.md
    .venv/bin/python experiments/ur_authorship.py --changes  # also: each changed value (case, item, field)
    .venv/bin/python experiments/ur_authorship.py --probes   # the SYNTHETIC blind summary probes instead

Variants of `features/authors.yaml` (the Clinical Case Summary's sentence authors): `carry_always` (the
session-13 rule: every UR sentence carries, `recounts` empty), `as_is` (the rule: a UR sentence that
introduces the UR's account of the record carries nothing); `no_carry` (a cue-less sentence after a UR
sentence is the record's: `carries` empty); `no_ur` (no sentence is the UR's: the UR cues dropped, so a
sentence with another author's cue takes that author). Each is compared with `carry_always`. Facts are read
by the full feature table and graded as in experiments/extractor_accuracy.py (training/extraction_grading.py).
TUNE letters only (tests/real/letter_split.csv); counts and values only, never letter text.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the packages come from this checkout
sys.path.insert(0, str(REPO / "experiments"))

from extractor_accuracy import DEFAULT_DATA, load  # noqa: E402 - the path above comes first

import features.analysis as analysis  # noqa: E402
from features.authors import UR_REVIEWER, AuthorRules, load_author_rules  # noqa: E402
from training.extraction_grading import fields_of, norm, same  # noqa: E402

ID_COLUMNS = ("letter_id", "item_index", "case_number", "synthetic", "letter_format", "ur_denial_date",
              "heading", "service")


def variants() -> dict[str, AuthorRules]:
    """The rule and its two alternatives (the module docstring says what each is)."""
    rules = load_author_rules()
    return {
        "carry_always": dataclasses.replace(rules, recounts={}),
        "as_is": rules,
        "no_carry": dataclasses.replace(rules, carries=frozenset()),
        "no_ur": dataclasses.replace(rules, carries=frozenset(),
                                     cues=tuple(c for c in rules.cues if c[0] != UR_REVIEWER)),
    }


def features_with(rules: AuthorRules, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The feature table built with `rules` attributing the summary's sentence authors."""
    original = analysis.load_author_rules
    analysis.load_author_rules = lambda: rules
    try:
        return build()
    finally:
        analysis.load_author_rules = original


def sentence_counts(cases: list) -> dict[str, int]:
    """Summary sentences by how the rule gives them an author: the UR by a cue, the UR by carry, others."""
    from features.analysis import AnalysedText
    from letters.records import Section

    rules = load_author_rules()
    n: Counter[str] = Counter()
    ur_letters = all_ur = 0
    for case in cases:
        sentences = AnalysedText(case.clinical_summary or "", Section.CLINICAL_SUMMARY).sentences
        carried = [s for s in sentences if s.author == UR_REVIEWER and rules.author_of(s.text) is None]
        n["sentences"] += len(sentences)
        n["ur_by_cue"] += sum(s.author == UR_REVIEWER for s in sentences) - len(carried)
        n["ur_by_carry"] += len(carried)
        n["other_author"] += sum(s.author not in (None, UR_REVIEWER) for s in sentences)
        n["no_author"] += sum(s.author is None for s in sentences)
        n["letters_with_carry"] += bool(carried)
        recount = rules.recounts.get(UR_REVIEWER)
        n["ur_recount_headers"] += sum(s.author == UR_REVIEWER and recount is not None
                                       and recount.search(s.text) is not None for s in sentences)
        ur_letters += any(s.author == UR_REVIEWER for s in sentences)
        all_ur += bool(sentences) and all(s.author == UR_REVIEWER for s in sentences)
    n["letters"] = len(cases)
    n["letters_with_ur"] = ur_letters
    n["letters_all_ur"] = all_ur
    return dict(n)


def graded(ann: pd.DataFrame, pred: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """Per service and annotated field: the annotated and extracted value and whether they agree."""
    merged = ann.merge(pred, on=["case_number", "item_index"], suffixes=("_ann", "_pred"), how="left")
    rows = []
    for field in fields:
        flag = field.startswith(("red_flag_", "prior_surgery", "partial_ur_certification",
                                 "prior_imaging_same_region"))
        for r in merged.itertuples(index=False):
            a, p = norm(getattr(r, f"{field}_ann"), flag), norm(getattr(r, f"{field}_pred"), flag)
            rows.append({"case_number": r.case_number, "item_index": r.item_index, "field": field,
                         "ann": a, "pred": p, "right": same(a, p)})
    return pd.DataFrame(rows)


PROBES = ("summary_probe.yaml", *(f"summary_probe_r{n}.yaml" for n in range(8, 14)))


def print_probes() -> None:
    """Cells right of each SYNTHETIC blind summary probe (round 3 and rounds 8-13) under each variant, and
    the cells a variant changes (letter, item, field, expected, as_is, variant)."""
    import summary_probe

    names = list(variants())
    print("| probe | cells | " + " | ".join(f"{n} right" for n in names) + " |")
    print("|---|---|" + "---|" * len(names))
    moved = []
    for probe in PROBES:
        letters = summary_probe.load_probe(REPO / "experiments" / probe)
        cells = {n: features_with(r, partial(summary_probe.evaluate, letters)) for n, r in variants().items()}
        base = cells[names[0]]
        right = [str(sum(c["correct"] for c in cells[n])) for n in names]
        print(f"| {probe} | {len(base)} | " + " | ".join(right) + " |")
        for n in names[1:]:
            moved += [(n, probe, b["id"], b["item"], b["field"], b["expected"], b["got"], v["got"])
                      for b, v in zip(base, cells[n], strict=True) if b["got"] != v["got"]]
    print("\n# Probe values that change (variant, probe, letter, item, field, expected, "
          f"{names[0]}, variant)\n")
    for row in moved:
        print("  " + "  ".join(map(str, row)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--changes", action="store_true", help="list each changed value (no text)")
    ap.add_argument("--probes", action="store_true", help="score the SYNTHETIC blind summary probes instead")
    args = ap.parse_args()
    if args.probes:
        print_probes()
        return

    from features.table import build_feature_table
    from letters.ingest import parse_paths

    ann, _ = load(args.data, ("tune",))
    pdf_dir = args.data / "dwc-imr-letters" / "pdf"
    cases = parse_paths([pdf_dir / f"{c}.pdf" for c in sorted(ann["case_number"].unique())]).cases
    fields = fields_of(ann)

    def build() -> pd.DataFrame:
        pred = build_feature_table(cases, with_target=False).astype(object)
        pred["case_number"] = pred["case_number"].astype(str)
        pred["item_index"] = pred["item_index"].astype(str)
        return pred

    counts = sentence_counts(cases)
    print(f"# Summary sentences of {counts['letters']} tune letters ({len(ann)} services)\n")
    for key in ("sentences", "ur_by_cue", "ur_by_carry", "other_author", "no_author", "letters_with_ur",
                "letters_with_carry", "letters_all_ur", "ur_recount_headers"):
        print(f"- {key}: {counts[key]}")

    preds = {name: features_with(rules, build) for name, rules in variants().items()}
    grades = {name: graded(ann, pred, fields) for name, pred in preds.items()}
    names = list(preds)
    base = grades[names[0]]

    print(f"\n# Annotated fields: services right (agreeing with the annotation, not stated included) per "
          f"variant; fixed / broken against {names[0]}\n")
    print(f"| field | annotated | {names[0]} right | "
          + " | ".join(f"{n} right | fixed | broken" for n in names[1:]) + " |")
    print("|---|---|---|" + "---|---|---|" * len(names[1:]))
    changed_rows = []
    for field in fields:
        b = base[base["field"] == field].reset_index(drop=True)
        cells = [field, str(int((b["ann"] != "").sum())), str(int(b["right"].sum()))]
        for name in names[1:]:
            v = grades[name][grades[name]["field"] == field].reset_index(drop=True)
            fixed, broken = (~b["right"] & v["right"]), (b["right"] & ~v["right"])
            cells += [str(int(v["right"].sum())), str(int(fixed.sum())), str(int(broken.sum()))]
            moved = b["pred"] != v["pred"]
            for i in moved[moved].index:
                changed_rows.append((name, b.at[i, "case_number"], b.at[i, "item_index"], field,
                                     b.at[i, "ann"] or "-", b.at[i, "pred"] or "-", v.at[i, "pred"] or "-"))
        print("| " + " | ".join(cells) + " |")

    extra = [c for c in preds[names[0]].columns if c not in ID_COLUMNS and c not in fields]
    print(f"\n# Other extracted columns (not annotated): services whose value changes against {names[0]}\n")
    print("| column | " + " | ".join(names[1:]) + " |")
    print("|---|" + "---|" * len(names[1:]))
    for col in extra:
        a = preds[names[0]][col].map(norm)
        diffs = [int((a != preds[name][col].map(norm)).sum()) for name in names[1:]]
        if any(diffs):
            print(f"| {col} | " + " | ".join(map(str, diffs)) + " |")
    unchanged = sum(not any((preds[names[0]][c].map(norm) != preds[n][c].map(norm)).any()
                            for n in names[1:]) for c in extra)
    print(f"\n({unchanged} of {len(extra)} other columns change on no service under any variant)")

    if args.changes:
        print("\n# Annotated values that change (variant, case, item, field, annotated, "
              f"{names[0]}, variant)\n")
        for row in changed_rows:
            print("  " + "  ".join(map(str, row)))


if __name__ == "__main__":
    main()
