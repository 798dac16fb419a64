"""A buffered stream of uniform draws: numpy's Generator is the source, Python floats are cheap.

One numpy call per 256 draws keeps generation fast (thousands of letters per second) while every
draw still comes from a seeded `numpy.random.Generator`, so a seed fixes the output exactly.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")

_BLOCK = 256


class Stream:
    """Uniform, normal, integer and weighted choices from one seeded generator."""

    __slots__ = ("_rng", "_key", "_it")

    def __init__(self, rng: np.random.Generator | None = None, buffer: list[float] | None = None,
                 key: tuple[int, ...] = ()) -> None:
        self._rng = rng
        self._key = key
        self._it = iter(buffer or ())

    @classmethod
    def for_key(cls, *key: int) -> Stream:
        """A stream that depends only on `key` (e.g. seed, letter index, purpose)."""
        return cls(np.random.default_rng(list(key)))

    def uniform(self) -> float:
        try:
            return next(self._it)
        except StopIteration:
            if self._rng is None:  # prefilled buffer used up: continue from a generator of the key
                self._rng = np.random.default_rng([*self._key, 1])
            self._it = iter(self._rng.random(_BLOCK).tolist())
            return next(self._it)

    def bernoulli(self, p: float) -> bool:
        return self.uniform() < p

    def normal(self, mean: float = 0.0, sd: float = 1.0) -> float:
        """Box-Muller; one normal per two uniforms keeps the stream simple to reason about."""
        u1 = max(self.uniform(), 1e-300)
        u2 = self.uniform()
        return mean + sd * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def integer(self, low: int, high: int) -> int:
        """Uniform integer in [low, high] (both inclusive)."""
        return low + int(self.uniform() * (high - low + 1))  # uniform() < 1, so <= high

    def pick(self, options: Sequence[T]) -> T:
        return options[int(self.uniform() * len(options))]

    def weighted(self, options: Sequence[T], cumulative: Sequence[float]) -> T:
        """Choose with precomputed cumulative weights (last element = total)."""
        i = bisect_right(cumulative, self.uniform() * cumulative[-1])
        return options[min(i, len(options) - 1)]


class StreamSource:
    """Per-letter streams for one purpose, drawn in blocks of letters for speed.

    Letter i's draws depend only on (seed, purpose, i): block b = i // block_size comes from
    Generator(seed, purpose, b), and each letter owns one row of `per_letter` uniforms (plus a
    private continuation generator if a long letter needs more). So letter i is the same whether
    a corpus has 10 letters or 10,000.
    """

    def __init__(self, seed: int, purpose: int, block_size: int = 512, per_letter: int = 128) -> None:
        self.seed, self.purpose = seed, purpose
        self.block_size, self.per_letter = block_size, per_letter
        self._block = -1
        self._rows: np.ndarray | None = None

    def for_letter(self, index: int) -> Stream:
        block = index // self.block_size
        if block != self._block:
            rng = np.random.default_rng([self.seed, self.purpose, block])
            self._rows = rng.random((self.block_size, self.per_letter))
            self._block = block
        assert self._rows is not None
        row = self._rows[index - block * self.block_size].tolist()
        return Stream(buffer=row, key=(self.seed, self.purpose, index))
