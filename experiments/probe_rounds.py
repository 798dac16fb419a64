"""Every blind summary probe round read by one checkout, and the values two checkouts disagree on.

    PYTHONPATH=$PWD .venv/bin/python experiments/probe_rounds.py run --out /tmp/probes/base
    PYTHONPATH=$PWD .venv/bin/python experiments/probe_rounds.py compare /tmp/probes/base /tmp/probes/branch

`run` reads every `experiments/summary_probe*.yaml` (SYNTHETIC letters, keyed blind) with the checkout it runs
from (PYTHONPATH) in one process, so the rules compile once, and writes each round's result as
`experiments/summary_probe.py --json` writes it (`<round>.json`, its printed report beside it as
`<round>.txt`).
`compare` prints, per round whose values moved, both accuracies and the values that moved to their keys, away
from them, or from one wrong value to another, and a total: the "all rounds against the session start" figure
of the write-ups. A round only one side has is named and skipped; so is a round whose keys differ (re-keyed).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

EXPERIMENTS = Path(__file__).resolve().parent
Cell = tuple[str, int, str]  # letter id, service item, field


def probe_files(folder: Path = EXPERIMENTS) -> list[Path]:
    """Round 3's file first, then the numbered rounds in numeric order."""
    rounds = sorted(folder.glob("summary_probe_r*.yaml"),
                    key=lambda p: int(p.stem.removeprefix("summary_probe_r")))
    return [folder / "summary_probe.yaml", *rounds]


def run(out: Path) -> int:
    """Every round's JSON and report into `out`; the number of rounds that could not be read."""
    sys.path.insert(0, str(EXPERIMENTS))
    import summary_probe

    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for path in probe_files():
        report = io.StringIO()
        with contextlib.redirect_stdout(report):
            code = summary_probe.main(["--probe", str(path), "--json", str(out / f"{path.stem}.json")])
        (out / f"{path.stem}.txt").write_text(report.getvalue())
        if code != 0:
            failed += 1
            print(f"{path.name}: could not be read (exit {code}); see {out / (path.stem + '.txt')}",
                  file=sys.stderr)
    return failed


@dataclass
class RoundMoves:
    """What moved in one round between two checkouts' results."""

    accuracy: tuple[float, float]
    to_key: list[Cell] = field(default_factory=list)
    away: list[dict] = field(default_factory=list)
    changed_wrong: list[dict] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return bool(self.to_key or self.away or self.changed_wrong)


def _misreads(result: dict) -> dict[Cell, dict]:
    return {(m["id"], m["item"], m["field"]): m for m in result["misreads"]}


def round_moves(before: dict, after: dict) -> RoundMoves:
    """Values right only after (to their keys), right only before (away), or wrong both times with another
    value."""
    a, b = _misreads(before), _misreads(after)
    return RoundMoves(
        accuracy=(before["accuracy"], after["accuracy"]),
        to_key=[cell for cell in a if cell not in b],
        away=[b[cell] for cell in b if cell not in a],
        changed_wrong=[{**b[cell], "before": a[cell]["got"]} for cell in a
                       if cell in b and str(a[cell]["got"]) != str(b[cell]["got"])])


def rekeyed(before: dict, after: dict) -> bool:
    """Whether the round's keys differ between the two results, as far as they show: their sizes, borderline
    counts, or the key of a value both misread."""
    if (before["cells"], before["borderline_cells"]) != (after["cells"], after["borderline_cells"]):
        return True
    a, b = _misreads(before), _misreads(after)
    return any(str(a[cell]["expected"]) != str(b[cell]["expected"]) for cell in a.keys() & b.keys())


def compare(before: Path, after: Path) -> tuple[int, int]:
    """Print what moved, round by round; (values to their keys, values away) over every round both have."""
    to_key = away = 0
    for path in sorted(before.glob("*.json"), key=lambda p: (len(p.stem), p.stem)):
        other = after / path.name
        if not other.exists():
            print(f"{path.stem}: only in {before}")
            continue
        a, b = json.loads(path.read_text()), json.loads(other.read_text())
        if rekeyed(a, b):
            print(f"{path.stem}: its keys differ between the two (re-keyed?): not compared")
            continue
        moves = round_moves(a, b)
        to_key += len(moves.to_key)
        away += len(moves.away)
        if not moves.moved:
            continue
        print(f"{path.stem:22} {moves.accuracy[0]:.4f} -> {moves.accuracy[1]:.4f}  "
              f"to key {len(moves.to_key)}  away {len(moves.away)}  "
              f"wrong to wrong {len(moves.changed_wrong)}")
        for m in moves.away:
            print(f"   away   {m['id']} {m['item']} {m['field']}: key {m['expected']}, now {m['got']}")
        for m in moves.changed_wrong:
            print(f"   wrong  {m['id']} {m['item']} {m['field']}: key {m['expected']}, "
                  f"{m['before']} -> {m['got']}")
    for path in sorted(after.glob("*.json")):
        if not (before / path.name).exists():
            print(f"{path.stem}: only in {after}")
    print(f"TOTAL to key {to_key}, away {away}")
    return to_key, away


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run_cmd = sub.add_parser("run", help="every round's result with this checkout")
    run_cmd.add_argument("--out", type=Path, required=True)
    cmp_cmd = sub.add_parser("compare", help="what moved between two `run` folders")
    cmp_cmd.add_argument("before", type=Path)
    cmp_cmd.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        return 1 if run(args.out) else 0
    for folder in (args.before, args.after):
        if not folder.is_dir():
            print(f"{folder}: no such folder of probe results", file=sys.stderr)
            return 2
    compare(args.before, args.after)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
