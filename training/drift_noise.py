"""Sampling noise of PSI for windows of whole letters: the PSI a window of as many letters as the current
side holds, drawn from the reference's own letters (all the services of each), shows with no drift.

A letter's own values (the patient's age, the pain score, its dates, how many items it has) repeat on
every service of the letter, so a window of 60 letters holds 60 draws of them, not its 110 services.
Drawing services one by one (`training.drift.noise_psi`) put the noise level of such a feature far too
low: windows of 60 letters drawn from the reference itself alerted every time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LETTER_COLUMN = "letter_id"
_DRAW_CHUNK = 20  # draws summed at once: bounds memory at chunk x letters x bins


@dataclass(frozen=True)
class LetterDraws:
    """The reference rows' letters and the letter resamples every feature is measured on (the same
    seeded draws for each, as the service-level check uses one seed)."""

    codes: np.ndarray  # per reference row: its letter, 0..n_letters-1
    n_letters: int
    draws: np.ndarray  # noise_draws x (current letters): indices of reference letters, with replacement
    n_current_letters: int

    @classmethod
    def of(
        cls, reference: pd.DataFrame, current: pd.DataFrame, n_draws: int, seed: int = 0
    ) -> LetterDraws | None:
        """None when a side does not name its letters (then services are drawn one by one)."""
        if n_draws == 0 or LETTER_COLUMN not in reference or LETTER_COLUMN not in current:
            return None
        codes, letters = pd.factorize(reference[LETTER_COLUMN].astype(str))
        n_current = int(current[LETTER_COLUMN].astype(str).nunique())
        if len(letters) == 0 or n_current == 0:
            return None
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, len(letters), size=(n_draws, n_current))
        return cls(codes.astype(np.int64), len(letters), draws, n_current)


def letter_noise_psi(
    reference_bins: np.ndarray, n_bins: int, letters: LetterDraws, quantile: float, epsilon: float
) -> float | None:
    """The `quantile` of the PSI between the reference's bin shares and each letter resample's.
    `reference_bins` gives each reference row's bin (0..n_bins-1)."""
    per_letter = np.bincount(
        letters.codes * n_bins + reference_bins, minlength=letters.n_letters * n_bins
    ).reshape(letters.n_letters, n_bins).astype(float)
    total = per_letter.sum(axis=0)
    if total.sum() == 0:
        return None
    r = np.clip(total / total.sum(), epsilon, None)
    r = r / r.sum()
    psis = []
    for start in range(0, len(letters.draws), _DRAW_CHUNK):
        counts = per_letter[letters.draws[start : start + _DRAW_CHUNK]].sum(axis=1)
        rows = counts.sum(axis=1, keepdims=True)
        c = np.clip(counts / np.where(rows == 0, 1, rows), epsilon, None)
        c = c / c.sum(axis=1, keepdims=True)
        psis.append(np.sum((c - r) * np.log(c / r), axis=1))
    return float(np.quantile(np.concatenate(psis), quantile))
