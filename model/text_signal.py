"""The learned text signal: what the case text knows that the extracted facts miss, in one score.

A small linear model (TF-IDF of word n-grams, L2-regularised logistic regression) over the clinical
words of the pre-review text of a disputed service: the Clinical Case Summary, the service as UR named
it and UR's guideline line (never the reviewer's text, specialty or licensure). Every text goes through
`features.style.normalise` first, so person words, pronouns, writer phrases, dates and numbers never
reach it, and the writer's person form is held fixed in training (`adjust_writer`): a rewrite of the
summary in another writer's style cannot move the score. The fitted state is plain JSON
(`to_dict` / `from_dict`), so it can live inside a model artifact without pickles.

Stacking contract (`cross_fitted_text_scores`): a model that takes the text score as an input must be
fitted on OUT-OF-FOLD scores, never on scores of a text model that saw the row's own label.
Inside each outer CV fold of a stacked model:

    oof = cross_fitted_text_scores(texts_train, y_train, letters_train, folds=5, params=p, seed=seed)
    test_scores = TextSignal.from_params(p).fit(texts_train, y_train).decision_function(texts_test)
    # fit the stack on (facts_train, oof); score it on (facts_test, test_scores)

`texts` are `ServiceText`s from `service_texts(case)`, one per row of `build_feature_table`.

In serving, the text model fitted on all training rows scores new cases; `TEXT_FEATURE` is the name
its score takes in a feature row, and `model/text_signal.yaml` holds how a checklist shows it: one
context item, "similar case descriptions", never a guideline criterion.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
import yaml
from pydantic import BaseModel, ConfigDict, Field
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from features.style import normalised_tokens, writer_style
from letters.pre_review import PreReviewCase
from letters.records import Case, Section
from model.folds import stratified_group_folds

TEXT_FEATURE = "case_text_score"  # the score's name in a feature row (log-odds, see TextSignal)
TEXT_SIGNAL_FILE = "text_signal.json"
STATE_FORMAT = 1
DISPLAY_FILE = "text_signal.yaml"

SectionName = Literal["summary", "service", "ur_guideline"]
# Which letter section each text part is read from: all pre-review, none the reviewer's.
SECTION_SOURCES: dict[str, Section] = {
    "summary": Section.CLINICAL_SUMMARY,
    "service": Section.SERVICE_HEADING,
    "ur_guideline": Section.UR_GUIDELINE,
}
# Term prefixes keep a word in the service heading apart from the same word in the summary.
_PREFIX = {"summary": "", "service": "service: ", "ur_guideline": "ur: "}


@dataclass(frozen=True, slots=True)
class ServiceText:
    """The pre-review text of one disputed service: the case summary (shared by the letter's services),
    the service as UR named it (the part IMR decides), and UR's guideline line."""

    summary: str
    service: str = ""
    ur_guideline: str = ""


TextInput = ServiceText | Mapping[str, str] | str


def service_texts(case: Case | PreReviewCase) -> list[ServiceText]:
    """One `ServiceText` per disputed service, in letter order (the order of `build_feature_table`'s
    rows for this case). Reads the pre-review view only, so no post-review text can get in."""
    view = case if isinstance(case, PreReviewCase) else PreReviewCase.from_case(case)
    return [
        ServiceText(view.clinical_summary, s.service or s.heading, s.ur_guideline_raw or "")
        for s in view.services
    ]


def _as_service_text(x: TextInput) -> ServiceText:
    if isinstance(x, ServiceText):
        return x
    if isinstance(x, str):
        return ServiceText(x)
    if isinstance(x, Mapping):
        return ServiceText(
            str(x.get("summary") or ""), str(x.get("service") or ""), str(x.get("ur_guideline") or "")
        )
    raise TypeError(f"a text signal input is a ServiceText, a mapping or a string, not {type(x).__name__}")


class TextSignalParams(BaseModel):
    """Settings of the text signal (params.yaml `text_cv.text`); the defaults were chosen by grouped CV
    on the tune letters only (experiments/text-signal.md)."""

    model_config = ConfigDict(extra="forbid")

    sections: tuple[SectionName, ...] = ("summary", "service", "ur_guideline")
    ngram_max: int = Field(default=2, ge=1, le=3)
    min_df: int = Field(default=2, ge=1, description="a term must occur in this many training services")
    max_terms: int = Field(default=20000, ge=10)
    C: float = Field(default=1.0, gt=0, description="inverse L2 strength of the logistic regression")
    balanced: bool = Field(default=True, description="weight the classes equally (few overturns)")
    normalise_style: bool = Field(
        default=True, description="take writer style out first (off only to measure what style adds)"
    )
    adjust_writer: bool = Field(
        default=True,
        description="fit with the writer's person form as a covariate, then score at its training mean: "
        "words need not stand in for who wrote the summary",
    )


class TextSignal(ClassifierMixin, BaseEstimator):
    """TF-IDF (sublinear term frequency, smoothed idf, unit length) of the style-normalised word n-grams
    of each section, then logistic regression. `decision_function` is the text score (log-odds; with
    balanced class weights it ranks, it is not a calibrated probability: a stack calibrates).

    With `adjust_writer` the regression also sees which person form the summary's writer uses
    (`features.style.writer_style`: writers differ in overturn rates and in wording); scoring puts that
    covariate at its training mean for every text, so the score never depends on it and the word
    coefficients are what the words say beyond the writer."""

    def __init__(
        self,
        *,
        sections: Sequence[str] = ("summary", "service", "ur_guideline"),
        ngram_max: int = 2,
        min_df: int = 2,
        max_terms: int = 20000,
        C: float = 1.0,
        balanced: bool = True,
        normalise_style: bool = True,
        adjust_writer: bool = True,
    ) -> None:
        self.sections = sections
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_terms = max_terms
        self.C = C
        self.balanced = balanced
        self.normalise_style = normalise_style
        self.adjust_writer = adjust_writer

    @classmethod
    def from_params(cls, params: TextSignalParams | Mapping[str, Any] | None = None) -> TextSignal:
        p = params if isinstance(params, TextSignalParams) else TextSignalParams.model_validate(params or {})
        return cls(**p.model_dump())

    # ---- terms --------------------------------------------------------------------------------
    def _check_sections(self) -> tuple[str, ...]:
        sections = tuple(self.sections)
        unknown = [s for s in sections if s not in SECTION_SOURCES]
        if unknown or not sections:
            raise ValueError(f"text signal sections must be among {sorted(SECTION_SOURCES)}, got {sections}")
        return sections

    def terms(self, x: TextInput) -> list[str]:
        """The terms (word n-grams, prefixed by section) the model counts in one service's text."""
        doc = _as_service_text(x)
        out: list[str] = []
        for section in self._check_sections():
            out += _section_terms(
                getattr(doc, section), _PREFIX[section], self.ngram_max, self.normalise_style
            )
        return out

    def _section_counts(self, doc: ServiceText) -> list[tuple[tuple[str, ...], np.ndarray]]:
        return [
            _section_counts(getattr(doc, s), _PREFIX[s], self.ngram_max, self.normalise_style)
            for s in self._check_sections()
        ]

    def _counts(self, X: Sequence[TextInput], vocabulary: Mapping[str, int]) -> sp.csr_matrix:
        """Term counts over `vocabulary`; a section text shared by several services (the summary) is
        looked up once."""
        memo: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        sections = self._check_sections()
        indptr, cols, vals = [0], [], []
        for x in X:
            doc = _as_service_text(x)
            n = 0
            for section in sections:
                text = getattr(doc, section)
                hit = memo.get((section, text))
                if hit is None:
                    terms, counts = _section_counts(
                        text, _PREFIX[section], self.ngram_max, self.normalise_style
                    )
                    idx = np.fromiter(
                        (vocabulary.get(t, -1) for t in terms), dtype=np.int64, count=len(terms)
                    )
                    known = idx >= 0
                    hit = memo[(section, text)] = (idx[known], counts[known])
                cols.append(hit[0])
                vals.append(hit[1])
                n += hit[0].size
            indptr.append(indptr[-1] + n)
        data = np.concatenate(vals) if vals else np.zeros(0)
        index = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        m = sp.csr_matrix(
            (data, index, np.asarray(indptr)), shape=(len(X), len(vocabulary)), dtype=np.float64
        )
        m.sum_duplicates()
        return m

    def _tfidf(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        m = counts.copy()
        m.data = 1.0 + np.log(m.data)
        m = m.multiply(self.idf_[np.newaxis, :]).tocsr()
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.diags(1.0 / norms) @ m

    def transform(self, X: Sequence[TextInput]) -> sp.csr_matrix:
        """The TF-IDF matrix of `X` over the fitted vocabulary."""
        self._check_fitted()
        return self._tfidf(self._counts(X, self._index()))

    # ---- fitting and scoring ------------------------------------------------------------------
    def fit(self, X: Sequence[TextInput], y: Any) -> TextSignal:
        self._check_sections()
        y = np.asarray(y, dtype=int)
        if len(X) != y.size:
            raise ValueError(f"text signal: {len(X)} texts but {y.size} labels")
        if len(set(y.tolist())) < 2:
            raise ValueError("text signal: the training labels hold one class only")
        df: Counter[str] = Counter()
        for x in X:
            doc_terms: set[str] = set()
            for terms, _ in self._section_counts(_as_service_text(x)):
                doc_terms.update(terms)
            df.update(doc_terms)
        kept = [(t, n) for t, n in df.items() if n >= self.min_df]
        kept.sort(key=lambda tn: (-tn[1], tn[0]))
        kept = sorted(kept[: self.max_terms])
        self.vocabulary_ = [t for t, _ in kept]
        n = len(X)
        self.idf_ = np.array([math.log((1 + n) / (1 + d)) + 1.0 for _, d in kept], dtype=np.float64)
        self.__dict__.pop("_index_", None)
        matrix = self._tfidf(self._counts(X, self._index()))
        lr = LogisticRegression(
            C=self.C, class_weight="balanced" if self.balanced else None, solver="liblinear", max_iter=1000
        )
        writers = [writer_style(_as_service_text(x).summary) for x in X] if self.adjust_writer else []
        levels = sorted(set(writers))
        if len(levels) > 1:
            onehot = np.array([[float(w == lvl) for lvl in levels] for w in writers])
            lr.fit(sp.hstack([matrix, sp.csr_matrix(onehot)]).tocsr(), y)
            coef = lr.coef_.ravel().astype(np.float64)
            k = matrix.shape[1]
            self.coef_, self.writer_coef_ = coef[:k], coef[k:]
            self.writer_levels_ = levels
            # scoring holds the writer covariate at its training mean: a constant, whatever the text
            self.intercept_ = float(lr.intercept_[0] + onehot.mean(axis=0) @ self.writer_coef_)
        else:
            lr.fit(matrix, y)
            self.coef_ = lr.coef_.ravel().astype(np.float64)
            self.writer_levels_, self.writer_coef_ = [], np.zeros(0)
            self.intercept_ = float(lr.intercept_[0])
        self.classes_ = np.array([0, 1])
        self.n_train_ = n
        return self

    def decision_function(self, X: Sequence[TextInput]) -> np.ndarray:
        """The text score of each service: log-odds of overturn by its words alone."""
        return np.asarray(self.transform(X) @ self.coef_ + self.intercept_, dtype=np.float64).ravel()

    def predict_proba(self, X: Sequence[TextInput]) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Sequence[TextInput]) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)

    def term_contributions(self, x: TextInput, top: int = 5) -> list[tuple[str, float]]:
        """The terms that moved one service's score most (term, log-odds contribution), largest first:
        what "similar case descriptions" rests on, for a reader who asks."""
        row = self.transform([x])
        contrib = [
            (self.vocabulary_[j], float(v * self.coef_[j]))
            for j, v in zip(row.indices, row.data, strict=True)
        ]
        contrib.sort(key=lambda tc: -abs(tc[1]))
        return contrib[:top]

    def top_terms(self, k: int = 20) -> list[tuple[str, float]]:
        """The `k` terms with the largest coefficients by size (term, coefficient)."""
        self._check_fitted()
        order = np.argsort(-np.abs(self.coef_), kind="mergesort")[:k]
        return [(self.vocabulary_[j], float(self.coef_[j])) for j in order]

    def _index(self) -> dict[str, int]:
        index = self.__dict__.get("_index_")
        if index is None:
            index = self.__dict__["_index_"] = {t: j for j, t in enumerate(self.vocabulary_)}
        return index

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise RuntimeError("TextSignal is not fitted; call fit() first")

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_index_", None)
        return state

    # ---- persistence --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The fitted state as plain JSON values (settings, vocabulary, idf, coefficients)."""
        self._check_fitted()
        return {
            "format": STATE_FORMAT,
            "params": self.get_params(),
            "sources": {s: SECTION_SOURCES[s].value for s in self._check_sections()},
            "n_train": self.n_train_,
            "vocabulary": list(self.vocabulary_),
            "idf": self.idf_.tolist(),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_,
            "writer_adjustment": dict(zip(self.writer_levels_, self.writer_coef_.tolist(), strict=True)),
        }

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> TextSignal:
        """A fitted text signal from `to_dict` output; a malformed state raises saying what is wrong."""
        if state.get("format") != STATE_FORMAT:
            raise ValueError(f"text signal state format {state.get('format')!r}, expected {STATE_FORMAT}")
        params = dict(state["params"])
        params["sections"] = tuple(params["sections"])
        model = cls(**params)
        model._check_sections()
        model.vocabulary_ = list(state["vocabulary"])
        model.idf_ = np.asarray(state["idf"], dtype=np.float64)
        model.coef_ = np.asarray(state["coef"], dtype=np.float64)
        model.intercept_ = float(state["intercept"])
        model.classes_ = np.array([0, 1])
        model.n_train_ = int(state["n_train"])
        writers = dict(state.get("writer_adjustment") or {})
        model.writer_levels_ = list(writers)
        model.writer_coef_ = np.asarray(list(writers.values()), dtype=np.float64)
        n = len(model.vocabulary_)
        if model.idf_.shape != (n,) or model.coef_.shape != (n,):
            raise ValueError(
                f"text signal state: {n} terms but {model.idf_.size} idf / {model.coef_.size} coef"
            )
        return model

    def save(self, directory: Path | str) -> Path:
        """Write `text_signal.json` into `directory` (beside a model artifact's files)."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        path = out / TEXT_SIGNAL_FILE
        path.write_text(json.dumps(self.to_dict(), indent=1, sort_keys=True), encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory: Path | str) -> TextSignal:
        path = Path(directory) / TEXT_SIGNAL_FILE
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no text signal saved here")
        try:
            return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a text signal state: {exc}") from exc


_RAW_TOKEN = re.compile(r"[a-z0-9]+")


def _raw_tokens(text: str) -> list[str]:
    """Lower-case words as written (the unnormalised comparison: it keeps writer style)."""
    return _RAW_TOKEN.findall((text or "").lower())


def _section_terms(text: str, prefix: str, ngram_max: int, normalise: bool) -> tuple[str, ...]:
    tokens = normalised_tokens(text) if normalise else _raw_tokens(text)
    out: list[str] = []
    for n in range(1, ngram_max + 1):
        out += [prefix + " ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return tuple(out)


@lru_cache(maxsize=1024)  # a training corpus's summaries; bounded, so a long-running server stays small
def _section_counts(
    text: str, prefix: str, ngram_max: int, normalise: bool
) -> tuple[tuple[str, ...], np.ndarray]:
    """The distinct terms of one section text and their counts (remembered: the same summary comes back
    for each of its services and each cross-fitting fold)."""
    counts = Counter(_section_terms(text, prefix, ngram_max, normalise))
    return tuple(counts), np.fromiter(counts.values(), dtype=np.float64, count=len(counts))


# ---- cross-fitting (the stacking contract) ------------------------------------------------------
Folds = int | Sequence[tuple[np.ndarray, np.ndarray]]


def text_folds(
    y: np.ndarray, groups: np.ndarray, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds by group (letter): one letter's services never straddle train and test."""
    groups = np.asarray(groups).astype(str)
    k = min(n_splits, len(set(groups.tolist())))
    if k < 2:
        raise ValueError("cross-fitting needs at least 2 letters")
    return stratified_group_folds(y, groups, k, seed)


def cross_fitted_text_scores(
    texts: Sequence[TextInput],
    y: Any,
    groups: Any,
    folds: Folds = 5,
    *,
    params: TextSignalParams | Mapping[str, Any] | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Out-of-fold text scores (log-odds, `TextSignal.decision_function`) for every row of `texts`.

    Each row's score comes from a text model fitted on the other folds only, so a stacked model fitted
    on these scores never sees a text score that was fitted on its own label. `folds` is a number of
    folds (stratified, grouped by `groups`, e.g. letter ids, shuffled by `seed`) or explicit
    (train, test) index pairs that cover every row exactly once. A fold whose training part holds one
    class only gives its rows the training log-odds of that class (no text information).
    """
    texts = list(texts)
    y = np.asarray(y, dtype=int)
    groups = np.asarray(groups)
    if not (len(texts) == y.size == groups.size):
        raise ValueError(f"cross-fitting: {len(texts)} texts, {y.size} labels, {groups.size} groups")
    splits = text_folds(y, groups, folds, seed) if isinstance(folds, int) else list(folds)
    seen = np.zeros(y.size, dtype=int)
    out = np.full(y.size, np.nan)
    for train, test in splits:
        train, test = np.asarray(train, dtype=int), np.asarray(test, dtype=int)
        overlap = set(groups[train].tolist()) & set(groups[test].tolist())
        if overlap:
            raise ValueError(f"cross-fitting: groups on both sides of a fold: {sorted(overlap)[:3]}")
        seen[test] += 1
        y_train = y[train]
        if len(set(y_train.tolist())) < 2:
            rate = float(np.clip(y_train.mean(), 1e-3, 1 - 1e-3))
            out[test] = math.log(rate / (1 - rate))
            continue
        model = TextSignal.from_params(params).fit([texts[i] for i in train], y_train)
        out[test] = model.decision_function([texts[i] for i in test])
    if not (seen == 1).all():
        raise ValueError("cross-fitting: the folds must put every row in exactly one test part")
    return out


# ---- display (data) -----------------------------------------------------------------------------
class TextSignalDisplay(BaseModel):
    """How a checklist shows the text score: one context item, never a guideline criterion."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feature: str
    kind: Literal["context"]
    phrase: str
    raises: str
    lowers: str
    note: str


@lru_cache(maxsize=1)
def load_display() -> TextSignalDisplay:
    text = resources.files("model").joinpath(DISPLAY_FILE).read_text(encoding="utf-8")
    display = TextSignalDisplay.model_validate(yaml.safe_load(text))
    if display.feature != TEXT_FEATURE:
        raise ValueError(f"model/{DISPLAY_FILE}: feature {display.feature!r}, expected {TEXT_FEATURE!r}")
    return display
