"""Extracted facts graded against hand annotations (issue #17): per-field precision and recall with
letter-level bootstrap intervals, and every error as values.

One definition for `experiments/extractor_accuracy.py` and `imr check-letters --annotations`.
A value is *stated* when it is not blank / `not_stated` / 0 / false (0/1 fields; for counts 0 is a
value). A true positive is a stated extraction equal to a stated annotation (numbers within 0.5).
precision = TP / stated extractions, recall = TP / stated annotations. Case-level values repeat on
every service of a letter, so letters, not services, are resampled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from training.letter_bootstrap import ratio_interval

NOT_STATED = {"", "not_stated", "none", "missing", "false", "nan", "<na>"}
FALSE_FLAGS = {"0", "0.0", "false"}  # 0/1 fields: 0 is "not stated"; for counts 0 is a value (no sessions)
FLAG_FIELDS = ("red_flag_", "prior_surgery", "partial_ur_certification", "prior_imaging_same_region")
TRI_STATE = ("functional_improvement", "failed_conservative_care")
KEY_COLUMNS = ("case_number", "item_index")
SMALL = 10  # fewer positives than this: counts and every error instead of intervals
TARGET = 0.90  # the precision and recall target: every error of a field below it is listed
BOOTSTRAP = 2000
OTHER_FAMILY = "other"


def stated(v: object, flag: bool = False) -> bool:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return False
    if isinstance(v, bool | np.bool_):
        return bool(v)
    s = str(v).strip().lower()
    return s not in NOT_STATED and not (flag and s in FALSE_FLAGS)


def norm(v: object, flag: bool = False) -> str:
    """A comparable form of a value: '' when not stated, numbers as floats, the rest lower-case."""
    if not stated(v, flag):
        return ""
    s = str(v).strip().lower()
    if s == "true":
        return "1"
    try:
        return repr(float(s))
    except ValueError:
        return s


def same(a: str, b: str) -> bool:
    if not a or not b:
        return a == b
    try:
        return abs(float(a) - float(b)) <= 0.5
    except ValueError:
        return a == b


@dataclass(frozen=True)
class Counts:
    tp: int
    predicted: int
    annotated: int

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / self.annotated if self.annotated else float("nan")


def pairs(merged: pd.DataFrame, field: str, level: str | None = None) -> pd.DataFrame:
    """Per service: letter, annotated and extracted value (as `norm`), restricted to `level` if given."""
    flag = field.startswith(FLAG_FIELDS)
    a = merged[f"{field}_ann"].map(lambda v: norm(v, flag))
    p = merged[f"{field}_pred"].map(lambda v: norm(v, flag))
    if level is not None:  # one level of a tri-state field: the other levels count as not stated
        a = a.where(a == level, "")
        p = p.where(p == level, "")
    return pd.DataFrame({"case_number": merged["case_number"], "item_index": merged["item_index"],
                         "ann": a, "pred": p})


def count(df: pd.DataFrame) -> Counts:
    ann, pred = df["ann"].to_numpy(), df["pred"].to_numpy()
    tp = sum(bool(x) and bool(y) and same(x, y) for x, y in zip(ann, pred, strict=True))
    return Counts(tp, int(sum(bool(y) for y in pred)), int(sum(bool(x) for x in ann)))


def bootstrap(
    df: pd.DataFrame, n: int = BOOTSTRAP, seed: int = 0
) -> tuple[tuple[float, float], tuple[float, float]]:
    """95% percentile intervals of precision and recall, resampling letters (NaN when n is 0)."""
    if n <= 0:
        return (math.nan, math.nan), (math.nan, math.nan)
    per_letter = [count(g) for _, g in df.groupby("case_number", sort=True)]
    tp = [c.tp for c in per_letter]
    # the same seed draws the same letter resamples for precision and recall
    _, *precision = ratio_interval(tp, [c.predicted for c in per_letter], n=n, seed=seed)
    _, *recall = ratio_interval(tp, [c.annotated for c in per_letter], n=n, seed=seed)
    return (precision[0], precision[1]), (recall[0], recall[1])


def fields_of(ann: pd.DataFrame) -> list[str]:
    return [c for c in ann.columns if c not in ("case_number", "item_index", "split")]


def score_table(
    merged: pd.DataFrame, fields: list[str], *, n_bootstrap: int = BOOTSTRAP, seed: int = 0
) -> list[dict[str, object]]:
    """One row per field (and per level of a tri-state field): counts, precision, recall, intervals."""
    rows = []
    for field in fields:
        levels: list[str | None] = [None]
        if field in TRI_STATE:
            levels += ["yes", "no"]
        for level in levels:
            df = pairs(merged, field, level)
            c = count(df)
            (plo, phi), (rlo, rhi) = bootstrap(df, n_bootstrap, seed)
            rows.append({"field": field if level is None else f"{field} = {level}", "services": len(df),
                         "annotated": c.annotated, "extracted": c.predicted, "TP": c.tp,
                         "precision": c.precision, "p_lo": plo, "p_hi": phi,
                         "recall": c.recall, "r_lo": rlo, "r_hi": rhi})
    return rows


def errors(merged: pd.DataFrame, field: str) -> pd.DataFrame:
    df = pairs(merged, field)
    wrong = [not same(a, p) for a, p in zip(df["ann"], df["pred"], strict=True)]
    return df[wrong]


def small_field_errors(
    merged: pd.DataFrame, rows: list[dict[str, object]]
) -> dict[str, list[dict[str, str]]]:
    """Every error (as values) of each field with fewer than SMALL annotated positives."""
    small = [str(r["field"]) for r in rows if int(r["annotated"]) < SMALL and " = " not in str(r["field"])]
    return {field: [{"case_number": str(r.case_number), "item_index": str(r.item_index),
                     "annotated": r.ann or "not stated", "extracted": r.pred or "not stated"}
                    for r in errors(merged, field).itertuples(index=False)] for field in small}


def fmt(v: float) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2f}"


def markdown_table(rows: list[dict[str, object]]) -> list[str]:
    out = ["| field | services | annotated | extracted | TP | precision (95% CI) | recall (95% CI) |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        small = int(r["annotated"]) < SMALL  # type: ignore[call-overload]
        p = fmt(r["precision"]) + ("" if small else f" ({fmt(r['p_lo'])}-{fmt(r['p_hi'])})")  # type: ignore[arg-type]
        rc = fmt(r["recall"]) + ("" if small else f" ({fmt(r['r_lo'])}-{fmt(r['r_hi'])})")  # type: ignore[arg-type]
        out.append(f"| {r['field']} | {r['services']} | {r['annotated']} | {r['extracted']} | {r['TP']} "
                   f"| {p} | {rc} |")
    return out


def read_annotations(path: Path) -> pd.DataFrame:
    """An annotations CSV (the format of tests/real/annotations.csv) as strings; one clear line if not."""
    try:
        ann = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - missing file, not a CSV: one line naming the file
        raise ValueError(f"{path}: cannot read annotations ({type(exc).__name__}: {exc})") from exc
    missing = [c for c in KEY_COLUMNS if c not in ann.columns]
    if missing:
        raise ValueError(f"{path}: missing column {', '.join(missing)}")
    return ann


def check_annotation_columns(path: Path, ann: pd.DataFrame, extracted: pd.DataFrame) -> list[str]:
    """The annotated fields; a column that is no extracted feature is an error naming file and column."""
    fields = fields_of(ann)
    unknown = [f for f in fields if f not in extracted.columns]
    if unknown:
        raise ValueError(f"{path}: column {unknown[0]!r} is no extracted field (a typo? fields are the "
                         "feature names of features/feature_spec.yaml)")
    if not fields:
        raise ValueError(f"{path}: no field columns besides case_number and item_index")
    return fields


def match_annotations(path: Path, ann: pd.DataFrame, extracted: pd.DataFrame) -> pd.DataFrame:
    """Annotation rows of the letters in this batch, merged with the extracted values (`_ann`/`_pred`).

    Rows of letters outside the batch are left out (one annotations file serves many batches); a row
    whose case number is in the batch but whose item was not parsed, or a file that names none of the
    batch's letters, is an error naming the file and the column."""
    fields = check_annotation_columns(path, ann, extracted)
    ex = extracted.astype(object).copy()
    ex["case_number"] = ex["case_number"].astype(str)
    ex["item_index"] = ex["item_index"].astype(str)
    ann = ann[[*KEY_COLUMNS, *fields]].copy()
    cases = set(ex["case_number"])
    mine = ann[ann["case_number"].isin(cases)]
    if mine.empty:
        raise ValueError(f"{path}: column case_number names none of the {len(cases)} letters checked "
                         f"(e.g. {sorted(set(ann['case_number']))[:1]})")
    keys = set(zip(ex["case_number"], ex["item_index"], strict=True))
    unknown = [f"{c} item {i}" for c, i in zip(mine["case_number"], mine["item_index"], strict=True)
               if (c, i) not in keys]
    if unknown:
        raise ValueError(f"{path}: column item_index: {unknown[0]} is not a parsed service"
                         + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""))
    return mine.merge(ex[[*KEY_COLUMNS, *fields]], on=list(KEY_COLUMNS), suffixes=("_ann", "_pred"),
                      how="left")


def specific_family_share(families: pd.Series) -> float:
    """Share of service headings the taxonomy maps to a specific family (not `other`)."""
    fam = families.astype(object).map(lambda v: str(v).strip().lower() if stated(v) else OTHER_FAMILY)
    return float((fam != OTHER_FAMILY).mean()) if len(fam) else math.nan
