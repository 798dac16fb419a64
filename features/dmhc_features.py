"""DMHC features: the DMHC spec, its category -> family taxonomy and the one-row-per-service table.

The rows and cases come from `letters.dmhc`; the determination is only ever the label.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from features.dmhc_taxonomy import service_features
from features.spec import POSITIVE_DECISION, FeatureSpec, load_spec
from letters.dmhc import LETTER_FORMAT, DmhcRow

DMHC_SPEC_FILE = "dmhc_feature_spec.yaml"
DMHC_PHRASES_FILE = "dmhc_guideline_phrases.yaml"


def load_dmhc_spec() -> FeatureSpec:
    return load_spec(DMHC_SPEC_FILE)


def case_features(row: DmhcRow) -> dict[str, Any]:
    """Case-level fields of one row: the `caller_supplied` features of the DMHC spec plus `report_year`."""
    return {
        "diagnosis_category": row.diagnosis_category,
        "diagnosis_subcategory": row.diagnosis_subcategory,
        "review_type": row.review_type.lower(),
        "age_range": row.age_range,
        "patient_gender": row.patient_gender,
        "report_year": float(row.report_year),
    }


def dmhc_feature_table(rows: Iterable[DmhcRow], spec: FeatureSpec | None = None) -> pd.DataFrame:
    """One row per service in the spec's table layout (ids, meta incl. `report_year`, features, target)."""
    from features.table import coerce_table_types

    spec = spec or load_dmhc_spec()
    records = []
    for row in rows:
        rec: dict[str, Any] = {
            "letter_id": row.reference_id,
            "item_index": 0,
            "case_number": row.reference_id,
            "synthetic": False,
            "letter_format": LETTER_FORMAT,
            "heading": row.heading,
            "service": row.heading,
        }
        rec.update(service_features(row.heading))
        rec.update(case_features(row))
        rec[spec.target] = int(row.determination == POSITIVE_DECISION)
        records.append(rec)
    df = pd.DataFrame.from_records(records, columns=spec.table_columns)
    return coerce_table_types(df, spec)
