"""The text signal's score as a training input: fitted on real rows, cross-fitted for the rows it
scores in training, so no row's score was fitted on its own label (or on its letter's labels).

Fits are remembered by content (texts, labels, rows, settings): in a comparison of recipes every
recipe with the text score sees the same folds, and refitting the same signal would only cost time.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import pandas as pd

from model.derived_columns import TextScoreFeature
from model.row_columns import FrameColumns
from model.text_signal import ServiceText, TextSignal, TextSignalParams

Folds = Sequence[tuple[np.ndarray, np.ndarray]]


def row_texts(rows: pd.DataFrame) -> list[ServiceText]:
    """Each row's pre-review text parts from its text features (spec dtype `text`)."""
    inputs = TextScoreFeature(TextSignal()).input_features
    absent = [c for c in inputs if c not in rows.columns]
    if absent:
        raise KeyError(f"the text signal reads {inputs}: the table lacks {absent} (rebuild it: imr features)")
    return TextScoreFeature(TextSignal()).texts(FrameColumns(rows))


_FITS: OrderedDict[str, TextSignal | float] = OrderedDict()
_FITS_KEPT = 256  # fitted signals remembered per process (a few MB)


def _key(texts: list[ServiceText], y: np.ndarray, rows: np.ndarray, params: TextSignalParams) -> str:
    h = hashlib.sha256(params.model_dump_json().encode())
    for i in rows:
        t = texts[i]
        h.update(f"{t.summary}\x1f{t.service}\x1f{t.ur_guideline}\x1e{int(y[i])}\x1d".encode())
    return h.hexdigest()


def _fit(
    texts: list[ServiceText], y: np.ndarray, rows: np.ndarray, params: TextSignalParams
) -> TextSignal | float:
    """A text signal on `rows`, or the rows' log-odds when they hold one class only (no text information)."""
    key = _key(texts, y, rows, params)
    hit = _FITS.get(key)
    if hit is None:
        hit = _FITS[key] = _fit_new(texts, y, rows, params)
        if len(_FITS) > _FITS_KEPT:
            _FITS.popitem(last=False)
    return hit


def _fit_new(
    texts: list[ServiceText], y: np.ndarray, rows: np.ndarray, params: TextSignalParams
) -> TextSignal | float:
    labels = y[rows]
    if len(set(labels.tolist())) < 2:
        rate = float(np.clip(labels.mean() if len(labels) else 0.5, 1e-3, 1 - 1e-3))
        return float(np.log(rate / (1 - rate)))
    return TextSignal.from_params(params).fit([texts[i] for i in rows], labels)


def _score(model: TextSignal | float, texts: list[ServiceText], rows: np.ndarray) -> np.ndarray:
    if isinstance(model, float):
        return np.full(len(rows), model)
    return model.decision_function([texts[i] for i in rows])


def cross_fitted_text_score(
    texts: list[ServiceText],
    y: np.ndarray,
    folds: Folds,
    params: TextSignalParams,
    fit_rows: np.ndarray | None = None,
) -> np.ndarray:
    """Each row's text score from a signal fitted on the other folds (only `fit_rows` among them: the
    real rows when synthetic ones are mixed in). The folds are grouped by letter (training's folds)."""
    y = np.asarray(y, dtype=int)
    allowed = np.ones(len(y), bool) if fit_rows is None else np.asarray(fit_rows, bool)
    out = np.full(len(y), np.nan)
    for tr, te in folds:
        out[te] = _score(_fit(texts, y, tr[allowed[tr]], params), texts, te)
    if np.isnan(out).any():
        raise ValueError("cross-fitting the text score: the folds leave rows unscored")
    return out


def fit_text_score(
    texts: list[ServiceText], y: np.ndarray, params: TextSignalParams, rows: np.ndarray | None = None
) -> TextScoreFeature:
    """The served text score: the signal fitted on `rows` (all rows when None)."""
    use = np.arange(len(y)) if rows is None else np.asarray(rows)
    model = _fit(texts, np.asarray(y, dtype=int), use, params)
    if isinstance(model, float):
        raise ValueError("the text signal needs overturned and upheld services to fit")
    return TextScoreFeature(model)
