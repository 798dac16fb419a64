"""Feature tables of SYNTHETIC letters for test fixtures, built in letter ranges, by default in the calling
process.

Generating and reading a letter costs ~17 ms; a fresh process pays ~5 s of CPU before its first letter
(imports, the rules' compile). Under `make test` both cores already run an xdist worker, so the two spawned
processes these helpers used to start only added that start-up twice (700 letters: 22.7 CPU-s on two
processes, 17.0-18.7 in the caller; more where the caller has compiled the rules already). `workers=2` still
splits the ranges over two processes (an idle machine, one table). The table is row-wise (a range's rows do
not depend on the other letters), so the joined table equals the one built in one go.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

RANGE_SIZE = 250


def letter_range_table(start: int, stop: int, seed: int, name: str, with_target: bool = True) -> pd.DataFrame:
    """The feature table of generator letters start..stop-1 (file names from `name`, formatted with i)."""
    from features.spec import load_spec
    from features.table import build_feature_table
    from letters.parser import parse_text
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    letters = iter_letters(stop, GeneratorSettings(seed=seed), start=start)
    cases = [parse_text(t, name.format(i=i)) for i, (_c, t) in enumerate(letters, start)]
    return build_feature_table(cases, with_target=with_target, spec=load_spec())


def synthetic_feature_table(
    n: int, seed: int, *, name: str = "synthetic-{i:05d}.txt", with_target: bool = True, workers: int = 1
) -> pd.DataFrame:
    """The feature table of generator letters 0..n-1, as `build_feature_table` gives it in one go."""
    ranges = [(a, min(a + RANGE_SIZE, n)) for a in range(0, n, RANGE_SIZE)]
    if workers <= 1 or len(ranges) <= 1:
        parts = [letter_range_table(a, b, seed, name, with_target) for a, b in ranges]
    else:
        # spawn: a clean interpreter per worker (forking a test process with live threads can hang)
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = [pool.submit(letter_range_table, a, b, seed, name, with_target) for a, b in ranges]
            parts = [f.result() for f in futures]
    return pd.concat(parts, ignore_index=True)


def _cases_table(cases: list, with_target: bool) -> pd.DataFrame:
    from features.spec import load_spec
    from features.table import build_feature_table

    return build_feature_table(cases, with_target=with_target, spec=load_spec())


def feature_table_of(cases: list, *, with_target: bool = True, workers: int = 1) -> pd.DataFrame:
    """`build_feature_table(cases)` with the cases split in ranges over `workers` processes."""
    ranges = [cases[a : a + RANGE_SIZE * 2] for a in range(0, len(cases), RANGE_SIZE * 2)]
    if workers <= 1 or len(ranges) <= 1:
        return _cases_table(cases, with_target)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        parts = list(pool.map(_cases_table, ranges, [with_target] * len(ranges)))
    return pd.concat(parts, ignore_index=True)
