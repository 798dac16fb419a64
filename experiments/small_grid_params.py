"""A copy of params.yaml whose `evaluate_real.grid` keeps only the named recipes (nested-estimate ablation).

    .venv/bin/python experiments/small_grid_params.py \
        --keep gam_criteria_text,gam_criteria,lr_criteria,lr_criteria_text --out /tmp/params_small.yaml
    .venv/bin/imr evaluate-real --params /tmp/params_small.yaml --out /tmp/small

The nested estimate then redoes the choice among those recipes only. The recipes kept were picked by
someone who had read earlier all-letter figures, so its nested figure is no clean estimate either.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", required=True, help="comma-separated recipe names of evaluate_real.grid")
    ap.add_argument("--params", type=Path, default=Path("params.yaml"))
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    params = yaml.safe_load(args.params.read_text(encoding="utf-8"))
    grid = params["evaluate_real"]["grid"]
    keep = [n.strip() for n in args.keep.split(",") if n.strip()]
    unknown = sorted(set(keep) - {r["name"] for r in grid["recipes"]})
    if unknown:
        print(f"error: {args.params}: no recipes {unknown} in evaluate_real.grid", file=sys.stderr)
        return 2
    grid["recipes"] = [r for r in grid["recipes"] if r["name"] in keep]
    grid["compare_with"] = [n for n in grid.get("compare_with", []) if n in keep]
    args.out.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    print(f"wrote {args.out}: {len(grid['recipes'])} recipes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
