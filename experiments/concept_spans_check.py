"""Do two checkouts' concept patterns find the same spans? Prints counts only, never text.
Also (session 32) the body regions `BodyRegions.find` reads in each text (whole, and its middle third as a
window) and the ConText triggers `ContextEngine.modifiers` finds in each text's doc.

    .venv/bin/python experiments/concept_spans_check.py BASE_ROOT NEW_ROOT

Texts: every string of the blind-probe YAML files, 400 SYNTHETIC letters (seed 1) and the pre-review fields
of the real letters (summary, headings, partial certifications, UR guideline lines: validation letters
included, as counts). Each root's `features.analysis.concept_patterns()` runs in its own process (session 30).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "dwc-imr-letters" / "pdf"
SPANS = """
import pickle, sys
from features.analysis import concept_patterns
from features.assertions import context_engine
from features.body_regions import body_regions
from features.casefold import lower_text
from features.sentences import pipeline
texts = pickle.load(open(sys.argv[1], "rb"))
out = {name: [[m.span() for m in p.finditer(lower_text(t))] for t in texts]
       for name, p in concept_patterns().items()}
regions = body_regions()
def found(lower, start=0, end=None):
    return [(r.region, r.side, r.start, r.end) for r in regions.find(lower, start, end)]
out["(body regions)"] = [found(lower_text(t)) + found(lower_text(t), len(t) // 3, 2 * len(t) // 3)
                         for t in texts]
engine = context_engine()
out["(ConText triggers)"] = [[(m.rule.literal, m.rule.category.value, m.start, m.end)
                              for m in engine.modifiers(doc)] for doc in pipeline().pipe(texts)]
pickle.dump(out, open(sys.argv[2], "wb"))
"""


def _strings(node: object, out: list[str]) -> None:
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, dict):
        for v in node.values():
            _strings(v, out)
    elif isinstance(node, list):
        for v in node:
            _strings(v, out)


def texts() -> tuple[list[str], dict[str, int]]:
    """The texts, and how many came from each source."""
    from letters.ingest import parse_paths
    from letters.parser import parse_text
    from synthetic.corpus import iter_letters
    from synthetic.generative_model import GeneratorSettings

    out: list[str] = []
    for f in sorted((ROOT / "experiments").glob("*probe*.yaml")):
        _strings(yaml.safe_load(f.read_text()), out)
    counts = {"probe strings": len(out)}

    def pre_review(case) -> None:
        out.append(case.clinical_summary)
        for s in case.services:
            out.append(s.heading)
            out.extend(t for t in (s.partial_certification_text, s.ur_guideline and s.ur_guideline.raw) if t)

    for i, (_, t) in enumerate(iter_letters(400, GeneratorSettings(seed=1))):
        pre_review(parse_text(t, f"check{i}.synthetic.txt"))
    counts["synthetic"] = len(out) - sum(counts.values())
    if REAL.is_dir():
        for case in parse_paths([REAL]).cases:
            pre_review(case)
    counts["real pre-review"] = len(out) - sum(counts.values())
    return out, counts


def main() -> None:
    old, new = sys.argv[1], sys.argv[2]
    found, counts = texts()
    print("texts:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    with tempfile.TemporaryDirectory() as tmp:
        src, script = Path(tmp) / "texts.pkl", Path(tmp) / "spans.py"
        src.write_bytes(pickle.dumps(found))
        script.write_text(SPANS)
        spans = {}
        for tag, root in (("old", old), ("new", new)):
            dst = Path(tmp) / f"{tag}.pkl"
            subprocess.run([sys.executable, str(script), str(src), str(dst)], check=True, cwd=root,
                           env={**os.environ, "PYTHONPATH": root})
            spans[tag] = pickle.loads(dst.read_bytes())
    if spans["old"].keys() != spans["new"].keys():
        sys.exit("the two checkouts name different concepts")
    differ = 0
    for name, old_spans in spans["old"].items():
        d = sum(a != b for a, b in zip(old_spans, spans["new"][name], strict=True))
        differ += d
        if d:
            print(f"{name}: {d} texts differ")
    total = sum(len(a) for v in spans["old"].values() for a in v)
    print(f"concepts {len(spans['old']) - 2} (and body regions, ConText triggers), texts {len(found)}, "
          f"matches {total}, texts whose spans differ {differ}")


if __name__ == "__main__":
    main()
