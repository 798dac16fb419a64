"""Blind heading probe: how the service taxonomy reads SYNTHETIC disputed-service headings written without
seeing its synonyms.

    .venv/bin/python experiments/heading_probe.py                  # tables per family and kind, misses
    .venv/bin/python experiments/heading_probe.py --json OUT.json  # the same, as JSON

Rows: experiments/heading_probe.yaml (SYNTHETIC; `family`/`type` are what a reader gives the heading under
the annotation protocol). Each heading is classified alone by `ServiceTaxonomy.classify`, the entry point
the feature table's `service_family`/`service_type` use, so letter-level rules (`classify_letter`) do not
run: every row is a letter with one disputed service. A row's family is right when the families match; its
type is right only when family and type both match. `specific` = mapped to a family other than `other`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere: the packages come from this checkout
sys.path.insert(0, str(REPO / "experiments"))

from probe_files import ProbeError, load_or_report, load_rows, probe_parser  # noqa: E402

from features.service_families import OTHER_FAMILY, UNKNOWN_TYPE, ServiceTaxonomy, load_taxonomy  # noqa: E402

PROBE = REPO / "experiments" / "heading_probe.yaml"


class HeadingRow(BaseModel):
    """One SYNTHETIC heading and the family and type a reader gives it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[hjkmn][0-9]{3}$")  # `h` rounds 1-5, `j` 6, `k` 7, `m` 8, `n` 9: 3 digits each
    heading: str = Field(min_length=2)
    family: str
    type: str
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    borderline: bool = False
    note: str = ""


def known_types(taxonomy: ServiceTaxonomy) -> set[tuple[str, str]]:
    """(family, type) pairs a row may expect: the taxonomy's labels and `other`/`unknown` for no fit."""
    return set(taxonomy.types) | {(OTHER_FAMILY, UNKNOWN_TYPE)}


def load_probe(path: Path = PROBE, taxonomy: ServiceTaxonomy | None = None) -> list[HeadingRow]:
    """Rows of the probe file, checked: ids unique, every (family, type) one the taxonomy can answer."""
    allowed = known_types(taxonomy or load_taxonomy())
    rows = load_rows(path, HeadingRow)
    for row in rows:
        if (row.family, row.type) not in allowed:
            raise ProbeError(f"{path}: row {row.id}: ({row.family}, {row.type}) is not a family and type "
                             "of the service taxonomy")
    return rows


def evaluate(rows: Iterable[HeadingRow], taxonomy: ServiceTaxonomy | None = None) -> list[dict]:
    taxonomy = taxonomy or load_taxonomy()
    results = []
    for row in rows:
        got = taxonomy.classify(row.heading)
        family_ok = got.family == row.family
        results.append({"id": row.id, "heading": row.heading, "kind": row.kind, "borderline": row.borderline,
                        "expected_family": row.family, "expected_type": row.type,
                        "family": got.family, "type": got.type, "via": got.via,
                        "family_correct": family_ok, "type_correct": family_ok and got.type == row.type,
                        "specific": got.family != OTHER_FAMILY})
    return results


def case_changes(rows: Iterable[HeadingRow], taxonomy: ServiceTaxonomy | None = None) -> list[dict]:
    """Headings whose family or type changes when only their letter case changes (some letters capitalise)."""
    taxonomy = taxonomy or load_taxonomy()
    changes = []
    for row in rows:
        base = taxonomy.classify(row.heading)
        for variant in (row.heading.upper(), row.heading.lower()):
            got = taxonomy.classify(variant)
            if (got.family, got.type) != (base.family, base.type):
                changes.append({"id": row.id, "variant": variant, "original": f"{base.family}/{base.type}",
                                "variant_class": f"{got.family}/{got.type}"})
    return changes


def _share(rs: list[dict], key: str) -> float:
    return round(sum(r[key] for r in rs) / len(rs), 3) if rs else float("nan")


def table(results: list[dict], key: str) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for r in results:
        groups.setdefault(r[key], []).append(r)
    return [{key: name, "rows": len(rs), "family_accuracy": _share(rs, "family_correct"),
             "type_accuracy": _share(rs, "type_correct"), "specific": _share(rs, "specific")}
            for name, rs in sorted(groups.items())]


def report(results: list[dict]) -> dict:
    clear = [r for r in results if not r["borderline"]]
    border = [r for r in results if r["borderline"]]
    wanted_specific = [r for r in results if r["expected_family"] != OTHER_FAMILY]
    return {
        "rows": len(results),
        "family_accuracy": _share(results, "family_correct"),
        "type_accuracy": _share(results, "type_correct"),
        "specific": _share(results, "specific"),
        "specific_where_a_family_fits": _share(wanted_specific, "specific"),
        "clear_rows": len(clear),
        "family_accuracy_clear": _share(clear, "family_correct"),
        "type_accuracy_clear": _share(clear, "type_correct"),
        "borderline_rows": len(border),
        "family_accuracy_borderline": _share(border, "family_correct"),
        "type_accuracy_borderline": _share(border, "type_correct"),
        "by_family": table([{**r, "family_expected": r["expected_family"]} for r in results],
                           "family_expected"),
        "by_kind": table(results, "kind"),
        "misses": [{k: r[k] for k in ("id", "heading", "kind", "expected_family", "expected_type", "family",
                                      "type", "via", "borderline")}
                   for r in results if not r["type_correct"]],
    }


def _format(rows: list[dict], key: str) -> str:
    cols = [key, "rows", "family_accuracy", "type_accuracy", "specific"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c])
                                       for c in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = probe_parser(__doc__, PROBE).parse_args(argv)

    def load() -> tuple[ServiceTaxonomy, list[HeadingRow]]:
        taxonomy = load_taxonomy()
        return taxonomy, load_probe(args.probe, taxonomy)

    loaded = load_or_report(load)
    if loaded is None:
        return 2
    taxonomy, rows = loaded
    out = report(evaluate(rows, taxonomy))
    out["case_changes"] = case_changes(rows, taxonomy)
    print(f"SYNTHETIC blind heading probe: {out['rows']} headings; "
          f"family accuracy {out['family_accuracy']:.3f}, "
          f"type accuracy {out['type_accuracy']:.3f}, mapped to a specific family {out['specific']:.3f} "
          f"({out['specific_where_a_family_fits']:.3f} of the headings a family fits)")
    print(f"  clear rows ({out['clear_rows']}): family {out['family_accuracy_clear']:.3f}, "
          f"type {out['type_accuracy_clear']:.3f}; borderline rows ({out['borderline_rows']}): "
          f"family {out['family_accuracy_borderline']:.3f}, type {out['type_accuracy_borderline']:.3f}\n")
    print(_format(out["by_family"], "family_expected"), "\n")
    print(_format(out["by_kind"], "kind"), "\n")
    print(f"Misses ({len(out['misses'])}; a family miss or a type miss):")
    for m in out["misses"]:
        flag = " borderline" if m["borderline"] else ""
        print(f"  {m['id']} {m['kind']:18} {m['expected_family']}/{m['expected_type']} -> "
              f"{m['family']}/{m['type']} [{m['via']}]{flag}  {m['heading']!r}")
    print(f"\nLetter-case changes ({len(out['case_changes'])} upper- or lower-cased headings change class):")
    for c in out["case_changes"]:
        print(f"  {c['id']} {c['original']} -> {c['variant_class']}  {c['variant']!r}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
