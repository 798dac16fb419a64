"""Service-taxonomy coverage on the real letters' headings -> experiments/taxonomy-coverage.md.

Run: .venv/bin/python experiments/taxonomy_coverage.py [--data ../shared/data] [--out FILE.md]
Headings come from labels.csv (DWC letters) and the seed letter's labels.csv; no letter text is written,
only headings that fail to map (headings are the disputed items' names, already in labels.csv).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import pandas as pd

from features.service_families import load_taxonomy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "taxonomy-coverage.md")
    args = ap.parse_args()
    headings = list(pd.read_csv(args.data / "dwc-imr-letters" / "labels.csv")["service"])
    headings += list(pd.read_csv(args.data / "seed-letter" / "labels.csv")["service"])
    tax = load_taxonomy()
    classes = [tax.classify(h) for h in headings]
    fam = Counter(c.family for c in classes)
    types = Counter((c.family, c.type) for c in classes)
    specific = sum(c.specific for c in classes)
    unmapped = [h for h, c in zip(headings, classes, strict=True) if not c.specific]
    lines = [
        "# Service taxonomy coverage on real headings",
        "",
        "Reproduce: `.venv/bin/python experiments/taxonomy_coverage.py` (reads `../shared/data`).",
        "",
        f"Headings: {len(headings)} (292 DWC services + 10 seed-letter services). "
        f"Mapped to a specific family: **{specific} ({specific / len(headings):.1%})**; "
        f"family `other`: {len(unmapped)}; matched by no rule (`other/unknown`): "
        f"{sum(not c.known for c in classes)}.",
        "",
        "| family | services | share |",
        "|---|---:|---:|",
        *[f"| {f} | {n} | {n / len(headings):.1%} |" for f, n in fam.most_common()],
        "",
        "## By type",
        "",
        "| family | type | services |",
        "|---|---|---:|",
        *[f"| {f} | {t} | {n} |" for (f, t), n in sorted(types.items(), key=lambda x: (-x[1], x[0]))],
        "",
        "## Headings in family `other`",
        "",
        *([f"- {h} ({tax.classify(h).type})" for h in unmapped] or ["(none)"]),
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines[:8]))


if __name__ == "__main__":
    main()
