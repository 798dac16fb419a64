"""What a rule change moved: feature tables of one checkout, and the services two of them disagree on.

    PYTHONPATH=$PWD .venv/bin/python experiments/feature_diff.py dump --out /tmp/fd/base
    PYTHONPATH=$PWD .venv/bin/python experiments/feature_diff.py compare /tmp/fd/base /tmp/fd/branch

`dump` parses the shared real letters and a seeded SYNTHETIC corpus with the checkout it runs from
(PYTHONPATH), builds every service's feature row (extracted facts and criterion statuses) and writes
`real.parquet` (with each letter's split) and `synthetic.parquet`. `compare` prints, per column, how many
services changed in each split, and for TUNE services only the case, item, column and both values:
validation services are counted, never listed, so a reader who must not see them learns nothing of them.
Values only, never letter text. Lives in the repository (not /tmp) so each session's "what moved" tables
can be made again.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
LETTERS = REPO.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"
SPLIT = REPO / "tests" / "real" / "letter_split.csv"
KEY = ["case_number", "item_index"]
SKIP = {"decision", "target", "source_file"}  # labels and where the file lay: not what a rule moves


def feature_rows(paths: list[str]) -> pd.DataFrame:
    from features.table import build_feature_table
    from letters.ingest import parse_paths

    parsed = parse_paths(paths, progress=False)
    for failure in parsed.failures:
        print(f"{failure.source_file}: {failure.reason}", file=sys.stderr)
    return build_feature_table(parsed.cases)


def dump(out: Path, n_synthetic: int, seed: int) -> int:
    from training.text_cv import read_split

    out.mkdir(parents=True, exist_ok=True)
    if LETTERS.is_dir():
        real = feature_rows([str(LETTERS)])
        split = read_split(SPLIT)
        real.insert(2, "split", real["case_number"].astype(str).map(split).fillna("unsplit"))
        real.to_parquet(out / "real.parquet")
        print(f"real: {len(real)} services -> {out / 'real.parquet'}")
    else:
        print(f"skipped the real letters: {LETTERS} not found")
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-c", "from imr_triage.cli import app; app()", "synth",
                   "--n", str(n_synthetic), "--seed", str(seed), "--out", tmp, "--no-progress"]
        subprocess.run(command, check=True, cwd=REPO)
        synthetic = feature_rows([tmp])
    synthetic.insert(2, "split", "synthetic")
    synthetic.to_parquet(out / "synthetic.parquet")
    print(f"SYNTHETIC: {len(synthetic)} services -> {out / 'synthetic.parquet'}")
    return 0


def _same(a: object, b: object) -> bool:
    if pd.isna(a) and pd.isna(b):  # type: ignore[arg-type]
        return True
    try:
        return bool(abs(float(a) - float(b)) < 1e-9)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(a) == str(b)


def changes(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """One row per (service, column) whose value differs; services present in one table only are rows too."""
    a = a.set_index(KEY)
    b = b.set_index(KEY)
    rows = []
    for key in a.index.union(b.index):
        if key not in a.index or key not in b.index:
            side = a if key in a.index else b
            rows.append((*key, side.loc[key, "split"], "(service)", "present" if key in a.index else "absent",
                         "present" if key in b.index else "absent"))
            continue
        for column in sorted((set(a.columns) | set(b.columns)) - SKIP - {"split"}):
            old = a.loc[key, column] if column in a.columns else None
            new = b.loc[key, column] if column in b.columns else None
            if not _same(old, new):
                rows.append((*key, a.loc[key, "split"], column, old, new))
    return pd.DataFrame(rows, columns=[*KEY, "split", "column", "before", "after"])


def compare(before: Path, after: Path) -> int:
    for name in ("real", "synthetic"):
        if not (before / f"{name}.parquet").exists() or not (after / f"{name}.parquet").exists():
            print(f"{name}: not in both dumps")
            continue
        old, new = (pd.read_parquet(d / f"{name}.parquet") for d in (before, after))
        moved = changes(old, new)
        services = moved.groupby("split")[KEY].apply(lambda d: len(d.drop_duplicates()))
        print(f"\n## {name}: services changed by split")
        print(services.to_string() if len(moved) else "none")
        if len(moved):
            print(f"\n{name}: services changed per column and split")
            print(moved.groupby(["column", "split"]).size().unstack(fill_value=0).to_string())
        tune = moved[moved["split"].isin(["tune", "synthetic"])]
        if len(tune) and name == "real":
            print("\nreal TUNE services (values only):")
            for r in tune.itertuples(index=False):
                print(f"  {r.case_number}#{r.item_index} {r.column}: {r.before} -> {r.after}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    d = commands.add_parser("dump", help="write real.parquet and synthetic.parquet of this checkout")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--n-synthetic", type=int, default=600)
    d.add_argument("--seed", type=int, default=11)
    c = commands.add_parser("compare", help="services whose values differ between two dumps")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        return dump(args.out, args.n_synthetic, args.seed)
    return compare(args.before, args.after)


if __name__ == "__main__":
    raise SystemExit(main())
