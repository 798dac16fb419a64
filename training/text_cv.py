"""What the case text adds to the extracted facts on real letters, and whether it reads writer style.

    PYTHONPATH=$PWD .venv/bin/python -m training.text_cv --out reports/text-signal

Repeated grouped cross-validation by letter on the shared real letters (labels: the parsed decisions,
used only as targets) for: the facts-only logistic regression (today's extracted facts), the text
signal (`model.text_signal.TextSignal`, style-normalised) and its raw twin (no normalisation: what a
model that reads writer style scores), and a stack (the same logistic regression on the facts plus the
cross-fitted text score). Every text model is fitted inside each outer fold; the stack's training rows
get inner out-of-fold text scores. Intervals: bootstrap over letters. Then the same models trained on
the tune letters and scored on the validation letters of `tests/real/letter_split.csv`, the style
checks (score shift under a style rewrite, how well the score tells the writer) and the terms that
carry the signal, from the tune letters only (they may guide criteria; validation letters may not).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field
from sklearn.linear_model import LogisticRegression

from features.spec import FeatureSpec, load_spec
from features.style import rewrite_style, writer_style
from features.table import build_feature_table
from letters.ingest import parse_paths
from model.encoder import FeatureEncoder
from model.text_signal import (
    ServiceText,
    TextSignal,
    TextSignalParams,
    cross_fitted_text_scores,
    service_texts,
    text_folds,
)
from training import metrics as M
from training.baselines import FamilyRate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_LETTERS = REPO.parent / "shared" / "data" / "dwc-imr-letters"
DEFAULT_SPLIT = REPO / "tests" / "real" / "letter_split.csv"
DEFAULT_CONCEPTS = REPO / "experiments" / "text-signal-concepts.yaml"
RAW_TEXT = {"normalise_style": False, "adjust_writer": False}
MODELS = {
    "family_rate": "Service-family rate",
    "facts": "Facts-only logistic regression",
    "text": "Text signal (style-normalised)",
    "text_raw": "Text, raw (writer style kept)",
    "person_words": "Person-word counts only (style)",
    "summary_length": "Shorter summary ranks higher (nothing fitted)",
    "stack": "Stack: facts + text score (one LR)",
    "stack_meta": "Stack: LR on facts score + text score",
    "stack_mean": "Mean of facts and text z-scores (nothing fitted)",
    "stack_raw": "Stack: facts + raw text score (one LR)",
}
RANK_METRICS = ("roc_auc", "pr_auc")


class TextCvParams(BaseModel):
    """Settings of the comparison (params.yaml `text_cv:`)."""

    model_config = ConfigDict(extra="forbid")

    repeats: int = Field(default=20, ge=1)
    folds: int = Field(default=5, ge=2)
    inner_folds: int = Field(default=5, ge=2)
    seed: int = 0
    n_bootstrap: int = Field(default=1000, ge=0)
    lr_C: float = Field(default=1.0, gt=0, description="facts-only LR and the stack")
    min_frequency: int = Field(default=2, ge=1, description="encoder: rarer categorical levels are pooled")
    family_prior_strength: float = 5.0
    top_k: int = Field(default=100, ge=1, description="term report: a fold selects its top_k terms by |coef|")
    stable_share: float = Field(default=0.8, gt=0, le=1)
    min_letters: int = Field(
        default=3, ge=1, description="term report: a term of fewer tune letters is one case"
    )
    named_terms: list[str] = Field(
        default_factory=lambda: ["contusion", "strain", "preoperative", "hernia", "apprehension", "knee",
                                 "chronic", "lumbar", "tramadol", "lack", "prior"],
        description="terms the issue named: how stable each is here",
    )  # fmt: skip
    text: TextSignalParams = Field(default_factory=TextSignalParams)


@dataclass
class RealTexts:
    """One row per disputed service: its facts (feature table), its pre-review text, label, letter, split."""

    table: pd.DataFrame
    texts: list[ServiceText]
    y: np.ndarray
    groups: np.ndarray
    split: np.ndarray  # "tune", "validation" or "" (a letter the split file does not list)

    def subset(self, mask: np.ndarray) -> RealTexts:
        idx = np.flatnonzero(mask)
        return RealTexts(
            self.table.iloc[idx].reset_index(drop=True),
            [self.texts[i] for i in idx],
            self.y[idx],
            self.groups[idx],
            self.split[idx],
        )


def read_split(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {r["case_number"]: r["split"] for r in rows}


def load_real_texts(letters_dir: Path, split_file: Path, spec: FeatureSpec) -> RealTexts:
    """Parse every letter under `letters_dir/pdf`, build facts and texts; rows without a decision go."""
    result = parse_paths([letters_dir / "pdf"])
    if result.failures:
        raise SystemExit("; ".join(f"{f.source_file}: {f.reason}" for f in result.failures))
    cases = sorted(result.cases, key=lambda c: c.letter_id)
    table = build_feature_table(cases, spec=spec)
    texts = [t for c in cases for t in service_texts(c)]
    if len(texts) != len(table):
        raise RuntimeError(f"{len(texts)} service texts for {len(table)} feature rows")
    split = read_split(split_file)
    keep = table[spec.target].notna().to_numpy()
    return RealTexts(
        table, texts, table[spec.target].fillna(0).to_numpy(dtype=int),
        table["letter_id"].astype(str).to_numpy(),
        np.array([split.get(str(c), "") for c in table["case_number"]], dtype=object),
    ).subset(keep)  # fmt: skip


def labels_agreement(letters_dir: Path, data: RealTexts) -> dict[str, int]:
    """Parsed decisions vs `labels.csv` (the independent parse), by (case number, item index)."""
    path = letters_dir / "labels.csv"
    if not path.is_file():
        return {}
    labels = pd.read_csv(path)
    truth = {(r.case_number, int(r.item_index)): int(r.decision == "Overturned") for r in labels.itertuples()}
    ours = dict(zip(zip(data.table["case_number"], data.table["item_index"].astype(int), strict=True),
                    data.y.tolist(), strict=True))  # fmt: skip
    both = truth.keys() & ours.keys()
    return {
        "labels_csv_rows": len(truth),
        "parsed_rows": len(ours),
        "matched": len(both),
        "disagree": sum(truth[k] != ours[k] for k in both),
    }


# ---- the models --------------------------------------------------------------------------------
class FactsLR:
    """L2 logistic regression on the encoded spec facts, optionally with extra score columns (the stack).

    Balanced class weights, like the text signal: these are rankers; the report shows ranking metrics."""

    def __init__(self, spec: FeatureSpec, p: TextCvParams) -> None:
        self.spec, self.p = spec, p

    def fit(self, df: pd.DataFrame, y: np.ndarray, extra: np.ndarray | None = None) -> FactsLR:
        self.enc = FeatureEncoder(self.spec, linear=True, min_frequency=self.p.min_frequency).fit(df)
        X = self.enc.matrix(df)
        if extra is not None:
            self.mu, self.sd = float(extra.mean()), float(extra.std() or 1.0)
            X = np.column_stack([X, (extra - self.mu) / self.sd])
        self.lr = LogisticRegression(C=self.p.lr_C, class_weight="balanced", max_iter=5000).fit(X, y)
        return self

    def score(self, df: pd.DataFrame, extra: np.ndarray | None = None) -> np.ndarray:
        X = self.enc.matrix(df)
        if extra is not None:
            X = np.column_stack([X, (extra - self.mu) / self.sd])
        return self.lr.decision_function(X)


def person_word_counts(texts: list[ServiceText]) -> np.ndarray:
    """Writer style alone: one-hot of the summary's person form (the issue's style-only model)."""
    levels = ["injured worker", "patient", "applicant", "claimant", "none"]
    return np.array([[float(writer_style(t.summary) == lvl) for lvl in levels] for t in texts])


class MetaStack:
    """The stack: logistic regression on two cross-fitted scores, the facts-only LR's and the text
    signal's. Both inputs of its training rows are out-of-fold (inner folds by letter), so neither is
    favoured for having seen its own label; test rows get the scores of models fitted on all training rows.
    """

    def fit(self, facts_oof: np.ndarray, text_oof: np.ndarray, y: np.ndarray) -> MetaStack:
        X = np.column_stack([facts_oof, text_oof])
        self.mu, self.sd = X.mean(axis=0), np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        self.lr = LogisticRegression(C=1.0, class_weight="balanced").fit((X - self.mu) / self.sd, y)
        return self

    def score(self, facts: np.ndarray, text: np.ndarray) -> np.ndarray:
        return self.lr.decision_function((np.column_stack([facts, text]) - self.mu) / self.sd)


def fit_and_score(
    train: RealTexts, test: RealTexts, spec: FeatureSpec, p: TextCvParams, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Every model of the comparison fitted on `train` and scored on `test` (text models nested), and
    the weight each fitted stack gave the (standardised) text score."""
    out: dict[str, np.ndarray] = {}
    weights: dict[str, float] = {}
    fam = FamilyRate(prior_strength=p.family_prior_strength).fit(train.table, train.y)
    out["family_rate"] = fam.predict_proba(test.table)
    facts = FactsLR(spec, p).fit(train.table, train.y)
    out["facts"] = facts.score(test.table)
    pw = LogisticRegression(C=p.lr_C, class_weight="balanced").fit(person_word_counts(train.texts), train.y)
    out["person_words"] = pw.decision_function(person_word_counts(test.texts))
    out["summary_length"] = -np.array([len(t.summary.split()) for t in test.texts], dtype=float)
    inner_folds = text_folds(train.y, train.groups, p.inner_folds, seed)
    facts_oof = np.zeros(train.y.size)
    for tr, te in inner_folds:
        part = FactsLR(spec, p).fit(train.table.iloc[tr], train.y[tr])
        facts_oof[te] = part.score(train.table.iloc[te])
    for key, overrides in (("text", {}), ("text_raw", RAW_TEXT)):
        params = p.text.model_copy(update=overrides)
        text_model = TextSignal.from_params(params).fit(train.texts, train.y)
        test_text = text_model.decision_function(test.texts)
        text_oof = cross_fitted_text_scores(train.texts, train.y, train.groups, inner_folds, params=params)
        out[key] = test_text
        # the stack: the facts' columns and the out-of-fold text score in one logistic regression
        stack = FactsLR(spec, p).fit(train.table, train.y, extra=text_oof)
        out["stack" if key == "text" else "stack_raw"] = stack.score(test.table, extra=test_text)
        weights["stack" if key == "text" else "stack_raw"] = float(stack.lr.coef_[0][-1])
        if key == "text":
            meta = MetaStack().fit(facts_oof, text_oof, train.y)
            out["stack_meta"] = meta.score(out["facts"], test_text)
            weights["stack_meta"] = float(meta.lr.coef_[0][1])
            out["stack_mean"] = _z(out["facts"], facts.score(train.table)) + _z(
                test_text, text_model.decision_function(train.texts)
            )
    return out, weights


def _z(scores: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """`scores` on the scale of `reference` (the training rows' scores): mean 0, unit spread."""
    return (scores - reference.mean()) / (reference.std() or 1.0)


@dataclass
class CvResult:
    pooled: dict[str, np.ndarray]  # out-of-fold scores averaged over repeats
    per_repeat: dict[str, list[float]]  # ROC-AUC per repeat
    text_weights: dict[str, list[float]]  # per outer fold: the stack's coefficient of the text score


def repeated_cv(data: RealTexts, spec: FeatureSpec, p: TextCvParams, *, log: bool = True) -> CvResult:
    pooled = {k: np.zeros(data.y.size) for k in MODELS}
    per_repeat: dict[str, list[float]] = defaultdict(list)
    text_weights: dict[str, list[float]] = defaultdict(list)
    for r in range(p.repeats):
        oof = {k: np.full(data.y.size, np.nan) for k in MODELS}
        for tr, te in text_folds(data.y, data.groups, p.folds, p.seed + r):
            scores, weights = fit_and_score(data.subset(_mask(tr, data)), data.subset(_mask(te, data)), spec,
                                            p, p.seed + r)  # fmt: skip
            for k, v in scores.items():
                oof[k][te] = v
            for k, w in weights.items():
                text_weights[k].append(w)
        for k in MODELS:
            pooled[k] += _rank01(oof[k]) / p.repeats
            per_repeat[k].append(M.roc_auc(data.y, oof[k]))
        if log:
            print(f"repeat {r + 1}/{p.repeats}: " + ", ".join(f"{k} {per_repeat[k][-1]:.3f}" for k in MODELS),
                  file=sys.stderr, flush=True)  # fmt: skip
    return CvResult(pooled, dict(per_repeat), dict(text_weights))


def _mask(idx: np.ndarray, data: RealTexts) -> np.ndarray:
    m = np.zeros(data.y.size, dtype=bool)
    m[idx] = True
    return m


def _rank01(s: np.ndarray) -> np.ndarray:
    """Scores as ranks in [0, 1]: repeats are averaged on one scale whatever each model's units."""
    return (pd.Series(s).rank(method="average").to_numpy() - 1) / max(1, s.size - 1)


# ---- style checks ------------------------------------------------------------------------------
STYLE_REWRITES: tuple[tuple[str, bool], ...] = tuple(
    (person, swap)
    for person in ("injured worker", "patient", "claimant", "applicant")
    for swap in (False, True)
)


def rewritten(t: ServiceText, person: str, swap: bool) -> ServiceText:
    return ServiceText(rewrite_style(t.summary, person=person, swap_pronouns=swap), t.service, t.ur_guideline)


def rewrite_shift(model: TextSignal, texts: list[ServiceText]) -> np.ndarray:
    """Per service, the largest change of the text score over the style rewrites of its summary."""
    base = model.decision_function(texts)
    shift = np.zeros(len(texts))
    for person, swap in STYLE_REWRITES:
        shift = np.maximum(
            shift, np.abs(model.decision_function([rewritten(t, person, swap) for t in texts]) - base)
        )
    return shift


def within_writer_auc(y: np.ndarray, s: np.ndarray, writers: np.ndarray) -> float:
    """ROC-AUC inside each writer group (by the summary's person form), averaged weighted by overturns:
    what a score ranks when the writer is held fixed."""
    aucs, weights = [], []
    for w in sorted(set(writers.tolist())):
        m = writers == w
        if y[m].sum() >= 2 and (1 - y[m]).sum() >= 2:
            aucs.append(M.roc_auc(y[m], s[m]))
            weights.append(y[m].sum())
    return float(np.average(aucs, weights=weights)) if aucs else float("nan")


# ---- term report (tune letters only) -----------------------------------------------------------
@dataclass
class TermReport:
    stable: list[dict[str, Any]]  # the terms that carry the signal
    named: list[dict[str, Any]]  # the terms the issue named, however they fare
    n_models: int


def term_report(tune: RealTexts, p: TextCvParams) -> TermReport:
    """Terms among each fold model's top_k by |coefficient| with the same sign in >= stable_share of the
    repeats x folds models fitted on tune letters (and in >= min_letters letters), with how often the
    services holding them were overturned; and the same figures for `named_terms`."""
    picks: Counter[tuple[str, int]] = Counter()
    coefs: dict[str, list[float]] = defaultdict(list)  # every model's coefficient (0 when not a term)
    n_models = 0
    for r in range(p.repeats):
        for tr, _ in text_folds(tune.y, tune.groups, p.folds, p.seed + r):
            model = TextSignal.from_params(p.text).fit([tune.texts[i] for i in tr], tune.y[tr])
            n_models += 1
            for term, c in model.top_terms(p.top_k):
                picks[(term, int(np.sign(c)))] += 1
            index = model._index()
            for term in {t for t, _ in picks} | set(p.named_terms):
                j = index.get(term)
                coefs[term].append(float(model.coef_[j]) if j is not None else 0.0)
    has = [set(TextSignal.from_params(p.text).terms(t)) for t in tune.texts]

    def row(term: str, sign: int, n: int) -> dict[str, Any]:
        holds = np.array([term in h for h in has])
        c = coefs[term] + [0.0] * (n_models - len(coefs[term]))  # models before the term was first picked
        return {
            "term": term, "direction": "overturn" if sign > 0 else "uphold", "share": n / n_models,
            "mean_coef": float(np.mean(c)), "services": int(holds.sum()),
            "letters": int(len(set(tune.groups[holds].tolist()))),
            "overturned_with": float(tune.y[holds].mean()) if holds.any() else float("nan"),
            "overturned_without": float(tune.y[~holds].mean()) if (~holds).any() else float("nan"),
        }  # fmt: skip

    stable = [row(t, s, n) for (t, s), n in picks.items() if n >= p.stable_share * n_models]
    stable = [r for r in stable if r["letters"] >= p.min_letters]
    stable.sort(key=lambda d: (d["direction"], -abs(d["mean_coef"])))
    named = []
    for term in p.named_terms:
        sign = int(np.sign(np.mean(coefs[term]))) or 1
        named.append(row(term, sign, picks[(term, sign)]))
    return TermReport(stable, named, n_models)


def load_concepts(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return list((data or {}).get("concepts", []))


def concept_of(term: str, concepts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first concept one of whose words is a word of `term` (section prefix ignored)."""
    words = set(term.split(": ", 1)[-1].split())
    for c in concepts:
        if words & set(c.get("words", [])):
            return c
    return None


# ---- the report --------------------------------------------------------------------------------
def _metric_table(reports: dict[str, M.MetricReport], per_repeat: dict[str, list[float]] | None) -> list[str]:
    head = "| Model | ROC-AUC [95% CI] | PR-AUC [95% CI] |" + (" ROC-AUC per repeat: mean (min-max) |"
                                                           if per_repeat else "")  # fmt: skip
    lines = [head, "|---|---|---|" + ("---|" if per_repeat else "")]
    for k, label in MODELS.items():
        if k not in reports:
            continue
        row = f"| {label} | {reports[k].metrics['roc_auc'].text()} | {reports[k].metrics['pr_auc'].text()} |"
        if per_repeat:
            v = per_repeat[k]
            row += f" {np.mean(v):.3f} ({min(v):.3f}-{max(v):.3f}) |"
        lines.append(row)
    return lines


def _diff_table(diffs: dict[str, dict[str, M.Estimate]], pairs: list[tuple[str, str]]) -> list[str]:
    lines = ["| Difference | ROC-AUC diff [95% CI] | PR-AUC diff [95% CI] |", "|---|---|---|"]
    for a, b in pairs:
        d = diffs.get(f"{a}_vs_{b}")
        if d:
            lines.append(f"| {MODELS[a]} minus {MODELS[b]} | {d['roc_auc'].text()} | {d['pr_auc'].text()} |")
    return lines


def evaluate(y: np.ndarray, preds: dict[str, np.ndarray], groups: np.ndarray, p: TextCvParams):
    cfg = M.MetricConfig(n_bootstrap=p.n_bootstrap, seed=p.seed)
    reports, diffs = M.evaluate_predictions(y, preds, groups, cfg, reference="stack")
    _, d_meta = M.evaluate_predictions(y, {k: preds[k] for k in ("stack_meta", "facts")}, groups, cfg,
                                       reference="stack_meta")  # fmt: skip
    _, d_mean = M.evaluate_predictions(y, {k: preds[k] for k in ("stack_mean", "facts")}, groups, cfg,
                                       reference="stack_mean")  # fmt: skip
    _, d_text = M.evaluate_predictions(y, {k: preds[k] for k in ("text", "text_raw")}, groups, cfg,
                                       reference="text")  # fmt: skip
    _, d_raw = M.evaluate_predictions(y, {k: preds[k] for k in ("stack_raw", "facts")}, groups, cfg,
                                      reference="stack_raw")  # fmt: skip
    return reports, {**diffs, **d_meta, **d_mean, **d_text, **d_raw}


def run(letters_dir: Path, split_file: Path, concepts_file: Path, p: TextCvParams) -> tuple[str, dict]:
    spec = load_spec()
    data = load_real_texts(letters_dir, split_file, spec)
    agreement = labels_agreement(letters_dir, data)
    writers = np.array([writer_style(t.summary) for t in data.texts])
    header = {
        "letters": int(len(set(data.groups.tolist()))), "services": int(data.y.size),
        "overturned": int(data.y.sum()), "labels_agreement": agreement,
        "writers": dict(Counter(writers.tolist())), "params": p.model_dump(),
    }  # fmt: skip
    # (1) repeated grouped CV on all letters
    cv = repeated_cv(data, spec, p)
    reports, diffs = evaluate(data.y, cv.pooled, data.groups, p)
    style_cv = {
        k: {
            "within_writer_auc": within_writer_auc(data.y, cv.pooled[k], writers),
            "writer_auc": M.roc_auc((writers == "injured worker").astype(int), cv.pooled[k]),
        }
        for k in (
            "text",
            "text_raw",
            "person_words",
            "stack",
            "stack_meta",
            "stack_mean",
            "stack_raw",
            "facts",
        )
    }
    # (2) tune -> validation
    tune, val = data.subset(data.split == "tune"), data.subset(data.split == "validation")
    hold_scores, hold_weights = fit_and_score(tune, val, spec, p, p.seed)
    hold = {k: _rank01(v) for k, v in hold_scores.items()}
    h_reports, h_diffs = evaluate(val.y, hold, val.groups, p)
    # (3) style rewrites: text models fitted on all letters, every summary rewritten
    shifts = {}
    for key, overrides in (("text", {}), ("text_raw", RAW_TEXT)):
        model = TextSignal.from_params(p.text.model_copy(update=overrides)).fit(data.texts, data.y)
        s = rewrite_shift(model, data.texts)
        shifts[key] = {"max": float(s.max()), "median": float(np.median(s)),
                       "services_over_0.01": int((s > 0.01).sum())}  # fmt: skip
    # (4) terms, tune letters only
    terms = term_report(tune, p)
    concepts = load_concepts(concepts_file)
    for t in terms.stable + terms.named:
        c = concept_of(t["term"], concepts)
        t["concept"] = c["name"] if c else None
    result = {
        "header": header,
        "cv": {k: r.as_dict() for k, r in reports.items()},
        "cv_diffs": {
            k: {m: e.as_dict() for m, e in d.items() if m in RANK_METRICS} for k, d in diffs.items()
        },
        "cv_per_repeat_roc_auc": cv.per_repeat,
        "cv_style": style_cv,
        "cv_text_weights": cv.text_weights,
        "holdout_text_weights": hold_weights,
        "holdout": {k: r.as_dict() for k, r in h_reports.items()},
        "holdout_diffs": {
            k: {m: e.as_dict() for m, e in d.items() if m in RANK_METRICS} for k, d in h_diffs.items()
        },  # fmt: skip
        "rewrite_shift": shifts,
        "terms": terms.stable,
        "named_terms": terms.named,
        "term_models": terms.n_models,
    }
    return markdown(result, reports, diffs, h_reports, h_diffs, concepts, p, tune, val), result


def markdown(result: dict, reports, diffs, h_reports, h_diffs, concepts, p: TextCvParams,
             tune: RealTexts, val: RealTexts) -> str:  # fmt: skip
    h = result["header"]
    pairs = [
        ("stack", "facts"), ("stack_meta", "facts"), ("stack_mean", "facts"), ("stack", "text"),
        ("stack", "family_rate"), ("text", "text_raw"), ("stack", "stack_raw"), ("stack_raw", "facts"),
    ]  # fmt: skip
    lines = [
        "# Text signal on real letters: facts, text, stack",
        "",
        f"{h['letters']} letters, {h['services']} services, {h['overturned']} overturned. Labels: parsed "
        f"decisions (agreement with labels.csv: {h['labels_agreement']}). Summary writers by person form: "
        f"{h['writers']}. Scores are rankers (balanced class weights): ranking metrics only.",
        "",
        f"## Repeated grouped CV ({p.repeats} x {p.folds} folds by letter, all letters)",
        "",
        "Out-of-fold ranks averaged over repeats; intervals: bootstrap over letters "
        f"({p.n_bootstrap} resamples).",
        "",
        *_metric_table(reports, result["cv_per_repeat_roc_auc"]),
        "",
        *_diff_table(diffs, pairs),
        "",
        "Weight of the standardised text score in each fitted stack, over the outer folds (a negative "
        "weight uses the text backwards):",
        "",
        *[
            f"- {MODELS[k]}: median {np.median(w):+.3f}, range {min(w):+.3f} to {max(w):+.3f}, negative in "
            f"{sum(x < 0 for x in w)} of {len(w)} folds; tune -> validation "
            f"{result['holdout_text_weights'][k]:+.3f}"
            for k, w in result["cv_text_weights"].items()
        ],
        "",
        "Style checks on the CV scores: ROC-AUC within writer groups (held-fixed writer) and how well the "
        "score tells an 'injured worker' writer from the others (0.5 = not at all).",
        "",
        "| Model | within-writer ROC-AUC | writer ROC-AUC |",
        "|---|---|---|",
        *[
            f"| {MODELS[k]} | {v['within_writer_auc']:.3f} | {v['writer_auc']:.3f} |"
            for k, v in result["cv_style"].items()
        ],
        "",
        f"## Tune -> validation ({len(set(tune.groups.tolist()))} tune letters, "
        f"{len(set(val.groups.tolist()))} validation letters, {int(val.y.sum())} of {val.y.size} validation "
        "services overturned)",
        "",
        *_metric_table(h_reports, None),
        "",
        *_diff_table(h_diffs, pairs),
        "",
        "## Style rewrites (text models fitted on all letters; every summary rewritten to each person form, "
        "with and without he <-> she)",
        "",
        "| Text model | largest score change | median | services changed > 0.01 |",
        "|---|---|---|---|",
        *[
            f"| {MODELS[k]} | {v['max']:.4f} | {v['median']:.4f} | {v['services_over_0.01']} |"
            for k, v in result["rewrite_shift"].items()
        ],
        "",
        f"## Terms carrying the signal (tune letters only; {result['term_models']} fold models; in a "
        f"model's top {p.top_k} by |coefficient| with the same sign in >= {p.stable_share:.0%} of them, "
        f"in at least {p.min_letters} tune letters)",
        "",
        *_term_table(result["terms"]),
        "",
        "The terms the issue named, measured the same way (share: models that selected the term with the "
        "direction shown; mean coefficient over all models, 0 where a fold lacked the term):",
        "",
        *_term_table(result["named_terms"]),
    ]
    used = {t["concept"] for t in result["terms"] + result["named_terms"] if t["concept"]}
    lines += ["", "Concepts (experiments/text-signal-concepts.yaml) and the facts or criteria that should "
              "carry them:", ""]  # fmt: skip
    for c in concepts:
        if c["name"] in used:
            lines.append(f"- **{c['name']}** -> {c['target']}")
    return "\n".join(lines) + "\n"


def _term_table(terms: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| Term | Direction | Share of models | Mean coef | Tune services (letters) "
        "| Overturned with / without | Concept |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in terms:
        lines.append(
            f"| {t['term']} | {t['direction']} | {t['share']:.2f} | {t['mean_coef']:+.2f} | {t['services']} "
            f"({t['letters']}) | {t['overturned_with']:.2f} / {t['overturned_without']:.2f} | "
            f"{t['concept'] or '-'} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--letters", type=Path, default=DEFAULT_LETTERS, help="folder with pdf/ (and labels.csv)")
    ap.add_argument("--split", type=Path, default=DEFAULT_SPLIT, help="tune/validation split CSV")
    ap.add_argument("--concepts", type=Path, default=DEFAULT_CONCEPTS, help="term -> concept table (YAML)")
    ap.add_argument("--params", type=Path, default=REPO / "params.yaml", help="params.yaml [text_cv:]")
    ap.add_argument("--repeats", type=int, default=None, help="override text_cv.repeats")
    ap.add_argument(
        "--out", type=Path, default=Path("reports/text-signal"), help="writes OUT.md and OUT.json"
    )
    args = ap.parse_args(argv)
    if not (args.letters / "pdf").is_dir():
        print(f"error: {args.letters / 'pdf'}: no such folder of letters", file=sys.stderr)
        return 2
    if not args.split.is_file():
        print(f"error: {args.split}: split file not found", file=sys.stderr)
        return 2
    raw = yaml.safe_load(args.params.read_text(encoding="utf-8")) if args.params.is_file() else {}
    p = TextCvParams.model_validate((raw or {}).get("text_cv") or {})
    if args.repeats is not None:
        p = p.model_copy(update={"repeats": args.repeats})
    md, result = run(args.letters, args.split, args.concepts, p)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".md").write_text(md, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1, default=float), encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
