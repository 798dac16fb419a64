"""Grade the normal-examination fact (and the neurological deficit) on a blind SYNTHETIC probe: passages
written and keyed by a writer who never saw the rules (experiments/neuro_exam_probe.yaml).

    PYTHONPATH=. .venv/bin/python experiments/neuro_exam_probe.py [--probe experiments/neuro_exam_probe.yaml]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from features.analysis import AnalysedText
from features.neuro_exam import neuro_exam_normal_in
from features.red_flags import red_flag_in
from letters.records import Section

READERS = {
    "normal_exam": lambda a: bool(neuro_exam_normal_in(a).value),
    "deficit": lambda a: bool(red_flag_in(a, "neuro_deficit").value),
}


def _scores(rows: list[tuple[bool, bool]]) -> str:
    tp = sum(k and r for k, r in rows)
    fp = sum(r and not k for k, r in rows)
    fn = sum(k and not r for k, r in rows)
    right = sum(k == r for k, r in rows)
    p = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
    r = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
    return f"right {right}/{len(rows)}, precision {p} ({tp}/{tp + fp}), recall {r} ({tp}/{tp + fn})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--probe", type=Path, default=Path("experiments/neuro_exam_probe.yaml"))
    args = ap.parse_args()
    passages = yaml.safe_load(args.probe.read_text(encoding="utf-8"))["passages"]
    for key, read in READERS.items():
        rows, clear, misses = [], [], []
        for p in passages:
            got = read(AnalysedText(p["text"], Section.CLINICAL_SUMMARY))
            rows.append((bool(p[key]), got))
            if not p.get("borderline"):
                clear.append((bool(p[key]), got))
            if got != bool(p[key]):
                mark = " (borderline)" if p.get("borderline") else ""
                misses.append(f"  {p['id']}{mark}: key {p[key]}, read {got}")
        print(f"{key}: all {_scores(rows)}; without borderline {_scores(clear)}")
        print("\n".join(misses) if misses else "  no miss")


if __name__ == "__main__":
    main()
