"""Instructions per cold feature build, counted by valgrind: a speed measure that does not drift.

Wall and CPU times on this shared 2-core machine move by up to 40% within an hour, which hides changes
of a few percent. This counts the machine instructions of `build_feature_table` on the same letters
(valgrind's cachegrind; the count of a run with zero builds is subtracted, so imports, parsing and
start-up are left out), with every text-keyed cache cleared before each build as in a new process
(heading classifications included: older commits are cleared the same way). Same code, same count.

    .venv/bin/python benchmarks/featurize_instructions.py [--corpus real|synthetic] [--builds 2]
    .venv/bin/python benchmarks/featurize_instructions.py --at 4c09b63   # the feature code of a commit
    .venv/bin/python benchmarks/featurize_instructions.py --pure-python  # without the C word index

`--at` checks the commit out in a git worktree beside this checkout and counts its feature code on the
letters parsed by this checkout (pickled records; their model must not have changed in between).

Needs `valgrind` (Debian package). Prints a table and writes benchmarks/results/featurize_instructions.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from worktree import checked_out

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "featurize_instructions.json"
REAL = ROOT.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"

# What the child process runs under valgrind: load the pickled cases, then BUILDS cold builds.
_CHILD = """
import pickle, sys
cases = pickle.loads(open(sys.argv[1], "rb").read())
import features.text_patterns as text_patterns
if sys.argv[3] == "pure":
    text_patterns.WordIndex = None
print("word search:", "C index" if getattr(text_patterns, "WordIndex", None) else "pure Python")
from features.table import build_feature_table
from features.text_patterns import load_patterns
from features.service_families import load_taxonomy
from features.spec import load_spec
from features.extractors.service_level import clear_text_caches
try:
    from features.service_families import clear_classification_cache
except ImportError:  # commits before classification had its own clear: same effect
    from features.service_families import _classify_cached
    clear_classification_cache = _classify_cached.cache_clear
load_patterns(); load_taxonomy(); load_spec()
build_feature_table(cases[:3])  # first-use costs of pandas and the spec, not part of a build
for _ in range(int(sys.argv[2])):
    clear_text_caches()
    clear_classification_cache()
    build_feature_table(cases)
"""


def _cases(corpus: str) -> list:
    if corpus == "real":
        from letters.ingest import parse_paths

        if not REAL.is_dir():
            sys.exit(f"real letters not found at {REAL} (../shared is absent); use --corpus synthetic")
        return parse_paths([REAL]).cases
    from letters.parser import parse_text
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    return [parse_text(t, f"bench{i}.synthetic.txt")
            for i, (_, t) in enumerate(iter_letters(500, GeneratorSettings(seed=1)))]


def _instructions(tree: Path, cases_file: Path, builds: int, pure: bool) -> tuple[int, str]:
    env = {**os.environ, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": str(tree)}  # one thread, one hash seed: otherwise counts vary run to run
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", _CHILD, str(cases_file), str(builds), "pure" if pure else "any"],
        env=env, capture_output=True, text=True, check=True, cwd=tree)
    m = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if m is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    search = re.search(r"word search: (.+)", out.stdout)
    return int(m.group(1).replace(",", "")), search.group(1) if search else "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", choices=("real", "synthetic"), default="real")
    ap.add_argument("--builds", type=int, default=2, help="cold builds counted (the mean is reported)")
    ap.add_argument("--at", metavar="COMMIT", help="count the feature code of this commit instead")
    ap.add_argument("--pure-python", action="store_true", help="without the C word index")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind not found: apt-get install valgrind")
    cases = _cases(args.corpus)
    services = sum(len(c.services) for c in cases)
    with tempfile.TemporaryDirectory() as tmp:
        cases_file = Path(tmp) / "cases.pkl"
        cases_file.write_bytes(pickle.dumps(cases))
        with checked_out(args.at) as tree:
            base, _ = _instructions(tree, cases_file, 0, args.pure_python)
            total, search = _instructions(tree, cases_file, args.builds, args.pure_python)
    per_build = (total - base) / args.builds
    row = {"commit": args.at or "checkout", "corpus": args.corpus, "letters": len(cases),
           "services": services, "word_search": search, "instructions_per_cold_build": int(per_build),
           "instructions_per_service": int(per_build / services)}
    cols = ("code", "corpus", "letters", "services", "M instr/build", "instr/service")
    print(" ".join(f"{c:>14s}" for c in cols))
    values = (row["commit"], args.corpus, len(cases), services,
              f"{per_build / 1e6:.1f}", f"{per_build / services:.0f}")
    print(" ".join(f"{v!s:>14s}" for v in values))
    print(f"word search: {search}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"python": sys.version.split()[0], "builds": args.builds, **row}, indent=2))


if __name__ == "__main__":
    main()
