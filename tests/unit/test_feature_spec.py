"""The spec loads, refuses post-review features, and derives the API model and MLflow types."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from features.spec import (
    ID_COLUMNS,
    TARGET_COLUMN,
    Dtype,
    FeatureDef,
    PostReviewFeatureError,
    load_spec,
)
from letters.records import POST_REVIEW_SECTIONS, Section


def test_packaged_spec_loads_and_reads_only_pre_review_sections():
    spec = load_spec()
    assert spec.id_columns == list(ID_COLUMNS)
    assert spec.target == TARGET_COLUMN
    assert len(spec.features) >= 20
    assert all(f.source not in POST_REVIEW_SECTIONS for f in spec.features)
    assert spec.table_columns[:2] == ["letter_id", "item_index"]
    assert spec.table_columns[-1] == "overturned"


@pytest.mark.parametrize("section", sorted(POST_REVIEW_SECTIONS))
def test_spec_refuses_a_post_review_feature(tmp_path, section: Section):
    data = yaml.safe_load(load_spec().model_dump_json())
    data["features"].append(
        {
            "name": "leaky",
            "dtype": "categorical",
            "role": "service",
            "source": section.value,
            "description": "reads the reviewer's text",
            "extractor": "leaky",
        }
    )
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(PostReviewFeatureError, match="post-review"):
        load_spec(path)
    with pytest.raises(ValidationError, match="post-review"):
        FeatureDef(name="x", dtype=Dtype.BOOLEAN, role="case", source=section, description="", extractor="x")


def test_request_model_accepts_plain_json_and_rejects_unknown_fields():
    spec = load_spec()
    model = spec.request_model()
    row = model(patient_age=51, patient_sex="female", service_family="medication", red_flag_fracture=True)
    assert row.patient_age == 51.0 and row.red_flag_fracture is True and row.priority is None
    with pytest.raises(ValidationError):
        model(not_a_feature=1)
    types = spec.mlflow_column_types()
    assert types["patient_age"] == "double" and types["patient_sex"] == "string"
    assert types["red_flag_fracture"] == "boolean" and set(types) == set(spec.names)


def test_duplicate_names_are_refused(tmp_path):
    data = yaml.safe_load(load_spec().model_dump_json())
    data["features"].append(data["features"][0])
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValueError, match="duplicate"):
        load_spec(path)
