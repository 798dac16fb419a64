"""A fixed feature-building workload whose instructions valgrind counts (deterministic where seconds are not).

Run it as a module from the repository root, twice, and subtract:

    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python -m benchmarks.feature_workload --tables 100
    (the same with --tables 300)

Both runs do the same setup (import, 300 SYNTHETIC letters generated and parsed, a 5-letter warm-up), then
build the feature table of the first N letters: the difference of their counts is the work of 200 letters'
feature tables alone, what `benchmarks.features`' services/s measures (experiments/feature-speed.md).
"""

from __future__ import annotations

import sys

if not __package__:  # run by path: `import features` would find benchmarks/features.py, not the package
    sys.exit("run as a module from the repository root: python -m benchmarks.feature_workload")

import argparse  # noqa: E402
import os  # noqa: E402

from features.table import build_feature_table  # noqa: E402
from letters.parser import parse_text  # noqa: E402
from synthetic.corpus import iter_letters  # noqa: E402
from synthetic.generative_model import GeneratorSettings  # noqa: E402

LETTERS = 300


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=100,
                    help=f"letters (of {LETTERS}) whose feature table is built")
    args = ap.parse_args()
    if not 0 < args.tables <= LETTERS:
        sys.exit(f"error: --tables: {args.tables} is not between 1 and {LETTERS}")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    cases = [parse_text(text, f"bench{i}.synthetic.txt")
             for i, (_, text) in enumerate(iter_letters(LETTERS, GeneratorSettings(seed=1)))]
    build_feature_table(cases[:5])  # load the spaCy pipeline, rules and tables once
    table = build_feature_table(cases[: args.tables])
    print(f"{len(table)} services of {args.tables} SYNTHETIC letters")


if __name__ == "__main__":
    main()
