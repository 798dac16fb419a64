"""Evidence for two keying conventions (session 26): a length of use said at a dated visit; injection counts.

    .venv/bin/python experiments/keying_conventions.py tune               # TUNE letters only
    .venv/bin/python experiments/keying_conventions.py carry PROBE.yaml.. # cells carrying would move

`tune` grades the TUNE letters only (never a validation value): the services whose extracted duration of use
changes when a length of use said after a dated visit is carried to the UR denial date, the annotated
durations, and the injection services with their annotated and extracted `sessions_requested` and
`prior_sessions`.
`carry` runs `experiments/summary_probe.py` twice per probe file, as the product reads today and with that
carrying switched on (an experiment: the product does not carry), and prints the duration cells that differ.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the packages come from this checkout
sys.path.insert(0, str(REPO / "experiments"))

import features.drug_durations as drug_durations  # noqa: E402
import features.duration_statements as duration_statements  # noqa: E402

CARRIED_KEYS = frozenset({"duration_for", "duration_of", "duration_last_unit"})  # lengths of use, not starts


@contextlib.contextmanager
def carrying() -> Iterator[None]:
    """Carry a length of use said in a sentence whose visit is dated by an earlier sentence on to the UR date,
    as the product already does for a report dated in the sentence itself (round 29's reverted kind 10)."""
    original = drug_durations._durations

    def carried(text: str, p: Any, ref: Any, **kw: Any) -> list[duration_statements.Stated]:
        out = original(text, p, ref, **kw)
        visit = kw.get("visit")
        if ref is None or visit is None or visit[0] > ref or duration_statements._report_to_ur(text, p, ref):
            return out
        gap = round((ref - visit[0]).days / duration_statements.DAYS_PER_MONTH, 1)
        return [duration_statements.Stated(s.key, round(s.months + gap, 2), s.span, s.verb, s.borrowed)
                if s.key in CARRIED_KEYS else s for s in out]

    drug_durations._durations = carried
    try:
        yield
    finally:
        drug_durations._durations = original


def tune_report(data: Path) -> None:
    """Print the TUNE services bearing on either convention (case numbers, item indexes and values only)."""
    from extractor_accuracy import load

    from features.table import build_feature_table
    from letters.ingest import parse_paths

    ann, pred = load(data, ("tune",))
    cases = parse_paths([data / "dwc-imr-letters" / "pdf" / f"{c}.pdf"
                         for c in sorted(ann["case_number"].unique())]).cases
    with carrying():
        carried = build_feature_table(cases, with_target=False).astype(object)
    carried["case_number"] = carried["case_number"].astype(str)
    carried["item_index"] = carried["item_index"].astype(str)
    keys = ["case_number", "item_index"]
    carried = carried[[*keys, "duration_of_use_months"]].rename(columns={"duration_of_use_months": "carried"})
    merged = ann.merge(pred, on=keys, suffixes=("_ann", "_pred")).merge(carried, on=keys)
    now, moved = merged["duration_of_use_months_pred"], merged["carried"]
    differs = merged[now.fillna(-1).astype(float) != moved.fillna(-1).astype(float)]
    print(f"# duration of use ({len(merged)} tune services)")
    print(f"annotated (stated) {int((merged['duration_of_use_months_ann'] != '').sum())}, "
          f"extracted {int(now.notna().sum())}, changed by carrying from a dated visit: {len(differs)}")
    for r in merged[(merged["duration_of_use_months_ann"] != "") | now.notna()].itertuples(index=False):
        print(f"  {r.case_number} item {r.item_index}: annotated {r.duration_of_use_months_ann or '-'} "
              f"extracted {_shown(r.duration_of_use_months_pred)} carried {_shown(r.carried)}")
    inj = merged[merged["service_family_ann"] == "injection"]
    print(f"\n# injection services ({len(inj)} tune services)")
    for field in ("sessions_requested", "prior_sessions"):
        agree = sum(_same(a, p) for a, p in zip(inj[f"{field}_ann"], inj[f"{field}_pred"], strict=True))
        print(f"{field}: annotated (stated) {int((inj[f'{field}_ann'] != '').sum())}, "
              f"extracted {int(inj[f'{field}_pred'].notna().sum())}, agree {agree} / {len(inj)}")
    for r in inj.itertuples(index=False):
        print(f"  {r.case_number} item {r.item_index} {r.service_type_ann}: sessions_requested "
              f"{r.sessions_requested_ann or '-'} / {_shown(r.sessions_requested_pred)}, prior_sessions "
              f"{r.prior_sessions_ann or '-'} / {_shown(r.prior_sessions_pred)}")


def _same(annotated: str, extracted: object) -> bool:
    """Blank and missing agree; numbers agree within 0.5, as the graders score them."""
    missing = extracted is None or extracted != extracted  # NaN
    if annotated == "" or missing:
        return annotated == "" and missing
    return abs(float(annotated) - float(extracted)) <= 0.5  # type: ignore[arg-type]


def _shown(value: object) -> str:
    return "-" if value is None or value != value else f"{float(value):g}"  # type: ignore[arg-type]


def _probe_cells(probe: Path) -> dict[str, str]:
    """The duration cells a probe run prints as misread: {'sNNN i': line}."""
    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["summary_probe.py", "--probe", str(probe)]
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):  # it exits with its status
            runpy.run_path(str(REPO / "experiments" / "summary_probe.py"), run_name="__main__")
    finally:
        sys.argv = argv
    rows = [line.strip() for line in out.getvalue().splitlines() if " duration_of_use_months " in line]
    return {" ".join(r.split()[:2]): r for r in rows if r.split()[0].startswith("s")}


def carry_report(probes: list[Path]) -> None:
    """Print, per probe file, the duration cells whose misread changes when lengths of use are carried."""
    for probe in probes:
        base = _probe_cells(probe)
        with carrying():
            moved = _probe_cells(probe)
        for cell in sorted(set(base) | set(moved)):
            if base.get(cell) != moved.get(cell):
                print(f"{probe.stem}: now   {base.get(cell, cell + ' right')}")
                print(f"{probe.stem}: carry {moved.get(cell, cell + ' right')}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    tune = sub.add_parser("tune")
    tune.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    carry = sub.add_parser("carry")
    carry.add_argument("probes", type=Path, nargs="+")
    args = ap.parse_args()
    if args.cmd == "tune":
        tune_report(args.data)
    else:
        carry_report(args.probes)


if __name__ == "__main__":
    main()
