"""One converter from structured (pre-review) requests to `Case`, for `CaseInput` and the API's `CaseIn`."""

from __future__ import annotations

from features.spec import load_spec
from letters.parser import parse_guideline
from letters.structured import CaseInput, GuidelineMemo, ServiceInput, case_from_structured
from serving.schemas import build_request_models

GUIDELINE = "MTUS (Effective July 18, 2009)   Page 29, Carisoprodol (Soma)"


def test_api_request_keeps_its_case_id_disputed_part_and_parsed_guideline() -> None:
    CaseIn = build_request_models(load_spec().request_model())["CaseIn"]
    req = CaseIn.model_validate(
        {
            "case_id": "SYNTHETIC-9",
            "patient_age": 50,
            "clinical_summary": "Synthetic summary.",
            "services": [
                {"heading": "Soma 350mg #90", "ur_guideline": GUIDELINE},
                {"heading": "PT 12 sessions", "service": "PT 6 sessions", "partial_ur_certification": True},
            ],
        }
    )
    case = case_from_structured(req)
    assert (case.letter_id, case.case_number, case.patient_age) == ("SYNTHETIC-9", "SYNTHETIC-9", 50)
    assert [s.service for s in case.services] == ["Soma 350mg #90", "PT 6 sessions"]
    assert [s.item_index for s in case.services] == [0, 1]
    assert case.services[0].ur_guideline == parse_guideline(GUIDELINE)  # whitespace normalised, parsed
    assert case.services[1].ur_guideline is None
    assert case.decision_date is None and all(s.decision is None for s in case.services)


def test_case_input_and_a_shared_memo_give_the_same_case() -> None:
    req = CaseInput(
        letter_id="SYNTHETIC-L",
        services=[ServiceInput(heading="Soma", ur_guideline=GUIDELINE), ServiceInput(heading="MRI")],
    )
    memo = GuidelineMemo()
    first, again = case_from_structured(req, memo), case_from_structured(req, memo)
    assert first == again == req.to_case()
    assert first.services[0].ur_guideline is again.services[0].ur_guideline  # parsed once per batch
    assert (first.letter_id, first.case_number, first.services[0].service) == ("SYNTHETIC-L", None, "Soma")
    no_evidence = CaseInput(
        services=[ServiceInput(heading="x", ur_guideline="did not cite any medical evidence")]
    )
    assert no_evidence.to_case().services[0].ur_guideline.no_evidence_cited


def test_strings_are_not_converted_into_numbers_or_booleans() -> None:
    """A string sent for a numeric or boolean field is an error (422 at the API), never converted."""
    import json

    import pytest
    from pydantic import TypeAdapter, ValidationError

    spec = load_spec()
    models = build_request_models(spec.request_model())
    case_in, fast = models["CaseIn"], TypeAdapter(models["FeatureServiceIn"])
    numeric = next(f.name for f in spec.features if f.dtype == "numeric")
    boolean = next(f.name for f in spec.features if f.dtype == "boolean")
    base = {"services": [{"heading": "Soma 350mg #60"}]}
    with pytest.raises(ValidationError, match="patient_age"):
        case_in.model_validate_json(json.dumps({**base, "patient_age": "52"}))
    for name, value in ((numeric, "7.5"), (boolean, "yes"), (boolean, 1)):
        body = {"services": [{"heading": "x", "features": {name: value}}]}
        with pytest.raises(ValidationError, match=name):
            case_in.model_validate_json(json.dumps(body))
        with pytest.raises(ValidationError, match=name):
            fast.validate_python({"features": {name: value}})
    ok = case_in.model_validate_json(json.dumps({**base, "patient_age": 52}))
    assert ok.patient_age == 52
    assert fast.validate_python({"features": {numeric: 3}})["features"] == {numeric: 3}
