"""What an API client is told about a request the API cannot use: the wrong media type (415, naming the
one to send), a field by its name in the body (not by the union's internal tag), and structured cases
whose values contradict each other or hold nothing to score (422 naming the fields)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.schemas import EXAMPLE_CASE
from serving.settings import ServingSettings

KEY = {"X-API-Key": "imr-dev-key"}


@pytest.fixture(scope="module")
def client(cli_model_dir: Path) -> Iterator[TestClient]:
    settings = ServingSettings(
        _env_file=None, model_path=cli_model_dir, probe_new_models=False, poll_interval_s=0
    )
    with TestClient(create_app(settings)) as c:
        assert c.get("/readyz").status_code == 200
        yield c


def _post(c: TestClient, route: str, body: bytes, content_type: str | None) -> Any:
    headers = dict(KEY)
    if content_type is not None:
        headers["content-type"] = content_type
    return c.post(route, content=body, headers=headers)


CASE = json.dumps(EXAMPLE_CASE).encode()


@pytest.mark.parametrize(
    ("route", "content_type"),
    [
        ("/v1/score", "text/plain"),
        ("/v1/score", "application/x-www-form-urlencoded"),  # what `curl -d` sends without -H
        ("/v1/score/batch", "text/plain"),
        ("/v1/score/features", "application/xml"),
    ],
)
def test_a_json_route_refuses_another_media_type_with_415(
    client: TestClient, route: str, content_type: str
) -> None:
    body = CASE if route == "/v1/score" else b"[" + CASE + b"]"
    r = _post(client, route, body, content_type)
    assert r.status_code == 415, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and content_type in detail and "application/json" in detail, detail


def test_json_routes_still_take_json_with_a_charset_and_batches_without_a_media_type(
    client: TestClient,
) -> None:
    assert _post(client, "/v1/score", CASE, "application/json; charset=utf-8").status_code == 200
    assert _post(client, "/v1/score", CASE, "application/vnd.api+json").status_code == 200
    assert _post(client, "/v1/score/batch", CASE + b"\n", "application/x-ndjson").status_code == 200
    assert _post(client, "/v1/score/batch", b"[" + CASE + b"]", None).status_code == 200  # read as JSON


def test_one_case_without_a_media_type_is_told_to_send_json(client: TestClient) -> None:
    """FastAPI reads no JSON body without the header: the client heard that `body.case` should be a
    dictionary; now 415 naming the header to send."""
    r = _post(client, "/v1/score", CASE, None)
    assert r.status_code == 415 and "application/json" in r.json()["detail"], r.text


def test_the_letter_route_refuses_a_json_body_with_415_naming_multipart(client: TestClient) -> None:
    r = _post(client, "/v1/score/letter", b'{"text": "a letter"}', "application/json")
    assert r.status_code == 415, r.text
    assert "multipart/form-data" in r.json()["detail"], r.text


def _score(c: TestClient, body: Any) -> Any:
    return c.post("/v1/score", json=body, headers=KEY)


def test_a_field_error_names_the_field_not_the_union_tag(client: TestClient) -> None:
    """`/v1/score` takes a structured case or `{"text": ...}`; pydantic puts the union's tag ("case" or
    "text") into each error's loc, so an empty text was `body.text.text` and a case without services
    `body.case.services`. The client sees the fields it sent."""
    r = _score(client, {"text": ""})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "text"], r.text
    r = _score(client, {"patient_age": 50})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "services"], r.text
    r = _score(client, {"services": [{"heading": "MRI", "decision": "Upheld"}]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "services", 0], r.text
    r = _score(client, [1, 2])
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body"], r.text


@pytest.mark.parametrize(
    ("dates", "named"),
    [
        (
            {"date_of_injury": "2020-01-01", "ur_denial_date": "2016-01-01"},
            ("date_of_injury", "ur_denial_date"),
        ),
        (
            {"ur_denial_date": "2016-05-10", "application_received": "2016-01-01"},
            ("application_received", "ur_denial_date"),
        ),
    ],
)
def test_a_case_whose_dates_run_backwards_is_refused_naming_them(
    client: TestClient, dates: dict[str, str], named: tuple[str, str]
) -> None:
    """Swapped dates were scored silently: an injury four years after the UR denial became
    `days_injury_to_ur_denial = -1461`, a value no letter can hold, and the client got a likelihood."""
    r = _score(client, {**copy.deepcopy(EXAMPLE_CASE), **dates})
    assert r.status_code == 422, r.text
    msg = json.dumps(r.json()["detail"])
    assert all(n in msg for n in named), msg


def test_a_letter_text_whose_dates_run_backwards_is_scored_with_a_warning(client: TestClient) -> None:
    """The structured case above is refused; a letter is what it is, so it is scored and says why its
    claim ages are suspect, in the same words."""
    from tests.unit.letter_texts import dwc_letter

    text = dwc_letter().replace("Date of Injury: 10/13/2016", "Date of Injury: 10/13/2020")
    r = _score(client, {"text": text})
    assert r.status_code == 200 and r.json()["services"], r.text
    assert any(
        "date_of_injury (2020-10-13) is after ur_denial_date (2016-11-03)" in w for w in r.json()["warnings"]
    ), r.text


def test_a_service_with_nothing_to_score_is_refused(client: TestClient) -> None:
    """`{"services": [{}]}` (or a blank heading) was scored as an 'other' service from no request at
    all; a service needs its heading, the service text or stated features."""
    for service in ({}, {"heading": "   "}, {"heading": "", "features": {}}):
        r = _score(client, {"services": [service]})
        assert r.status_code == 422, (service, r.text)
        detail = r.json()["detail"][0]
        assert detail["loc"] == ["body", "services", 0] and "heading" in detail["msg"], r.text
    assert _score(client, {"services": [{"service": "MRI lumbar spine"}]}).status_code == 200
    assert _score(client, {"services": [{"features": {"patient_age": 52}}]}).status_code == 200


def test_a_batch_body_with_a_byte_order_mark_is_read_like_one_case(client: TestClient) -> None:
    """Windows tools (PowerShell's UTF-8 writers, Notepad) start files with a UTF-8 byte order mark.
    `/v1/score` read such a body; the batch routes failed its first NDJSON line, or the whole JSON body,
    with 'BOM is not supported'."""
    bom = b"\xef\xbb\xbf"
    r = _post(client, "/v1/score/batch", bom + CASE + b"\n" + CASE + b"\n", "application/x-ndjson")
    assert r.status_code == 200 and r.json()["n_failed"] == 0, r.text
    r = _post(client, "/v1/score/batch", bom + b"[" + CASE + b"]", "application/json")
    assert r.status_code == 200 and r.json()["n_failed"] == 0, r.text
    features = json.dumps([{"id": "a", "features": {"patient_age": 52}}]).encode()
    r = _post(client, "/v1/score/features", bom + features, "application/json")
    assert r.status_code == 200 and r.json()["n_ok"] == 1, r.text


def test_error_bodies_are_typed_in_openapi_and_match_it(client: TestClient) -> None:
    """`ErrorResponse.detail` was `Any` in the OpenAPI document: a generated client could not tell the
    one-line message (401, 413, 415, a request it cannot use) from the list of field errors (422)."""
    from pydantic import TypeAdapter

    from serving.schemas import ErrorResponse

    schema = client.get("/openapi.json").json()["components"]["schemas"]
    detail = schema["ErrorResponse"]["properties"]["detail"]
    kinds = {s.get("type") for s in detail["anyOf"]}
    assert kinds == {"string", "array"}, detail
    issue = schema["ValidationIssue"]
    assert set(issue["required"]) == {"loc", "msg", "type"}, issue
    answers = [
        client.post("/v1/score", json=EXAMPLE_CASE),  # 401
        _post(client, "/v1/score", CASE, "text/plain"),  # 415
        _score(client, {"text": ""}),  # 422, field errors
        _score(client, {"text": "not a letter"}),  # 422, one line
    ]
    assert [r.status_code for r in answers] == [401, 415, 422, 422]
    for r in answers:
        TypeAdapter(ErrorResponse).validate_python(r.json(), strict=True)


def test_a_utf16_text_letter_upload_is_scored_like_its_utf8_text(client: TestClient) -> None:
    """`/v1/score/letter` refused a Notepad "Unicode" (UTF-16 with a BOM) letter as binary data, and
    UTF-32 or UTF-16 without a mark too; it reads them as `imr parse` does (`letters.ingest`)."""
    from tests.unit.letter_texts import dwc_letter

    text = dwc_letter()
    bodies = {}
    for encoding in ("utf-8", "utf-16", "utf-32", "utf-16-le"):
        r = client.post(
            "/v1/score/letter", files={"file": ("a.txt", text.encode(encoding), "text/plain")}, headers=KEY
        )
        assert r.status_code == 200, (encoding, r.text)
        bodies[encoding] = {k: v for k, v in r.json().items() if k not in ("request_id", "scored_at")}
    assert bodies["utf-16"] == bodies["utf-32"] == bodies["utf-16-le"] == bodies["utf-8"]


def _full_features(names: list[str]) -> dict[str, Any]:
    """A value for each named feature, typed as the spec types it (strict: no conversions)."""
    from features.spec import Dtype, load_spec

    spec = load_spec()
    values: dict[Dtype, Any] = {Dtype.NUMERIC: 1.0, Dtype.BOOLEAN: False, Dtype.TEXT: "synthetic text"}
    return {
        n: (spec.feature(n).levels or ["x"])[0] if spec.feature(n).dtype == Dtype.CATEGORICAL
        else values[spec.feature(n).dtype]
        for n in names
    }


def test_the_features_route_names_the_features_left_out_and_warns_when_most_are(
    client: TestClient, cli_model_dir: Path
) -> None:
    """Stating only `patient_age` gave likelihood 0.0001, band "low", and no word that 60-odd features
    had been scored as missing; the contract stands (left out is missing), the client is now told."""
    from features.spec import Dtype
    from model.artifact import TriageModel

    model = TriageModel.load(cli_model_dir)
    assert not model.derived_features  # so the booster reads every input feature but the text ones
    read = [f.name for f in model.input_spec.features if f.dtype != Dtype.TEXT]
    full = _full_features(read)
    services = [
        {"id": "sparse", "features": {"patient_age": 52, "priority": None}},
        {"id": "full", "features": full},
        {"id": "bad", "features": {"patient_age": "52"}},
    ]
    r = client.post("/v1/score/features", json=services, headers=KEY)
    assert r.status_code == 200, r.text
    sparse, whole, bad = r.json()["results"]
    assert sparse["ok"] and sparse["features_not_stated"] == [n for n in read if n != "patient_age"]
    assert sparse["warning"] == (
        f"{len(read) - 1} of the {len(read)} features the model reads were not stated and are scored "
        "as missing; this likelihood rests on 1 stated value"
    )
    assert whole["ok"] and whole["features_not_stated"] == [] and whole["warning"] is None, whole
    assert not bad["ok"] and bad["features_not_stated"] is None
    schema = client.get("/openapi.json").json()["components"]["schemas"]["FeatureScore"]["properties"]
    assert schema["features_not_stated"]["anyOf"][0] == {"type": "array", "items": {"type": "string"}}
    assert {"type": "string"} in schema["warning"]["anyOf"]
    assert model.read_feature_names == read


JSON_ROUTES = ("/v1/score", "/v1/score/batch", "/v1/score/features")


def _documented(c: TestClient, route: str, status: int) -> bool:
    return str(status) in c.get("/openapi.json").json()["paths"][route]["post"]["responses"]


@pytest.mark.parametrize("route", JSON_ROUTES)
def test_a_body_that_is_not_json_is_400_in_one_line_as_documented(client: TestClient, route: str) -> None:
    """Invalid JSON was 422 on every route, in two shapes: `/v1/score` a field list whose one entry said
    'JSON decode error' at `["body", 14]`, the batch routes one line. Unparseable is 400, one line
    saying where; a body that parses but does not fit the schema stays 422."""
    from pydantic import TypeAdapter

    from serving.schemas import ErrorResponse

    r = _post(client, route, b'{"services": [', "application/json")
    assert r.status_code == 400, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "not valid JSON" in detail and "\n" not in detail, detail
    TypeAdapter(ErrorResponse).validate_python(r.json(), strict=True)
    assert _documented(client, route, 400)
    r = _post(client, route, b'"a string"', "application/json")  # JSON, not the request's shape
    assert r.status_code == 422 and _documented(client, route, 422), r.text


@pytest.mark.parametrize("route", ["/v1/score/batch", "/v1/score/features"])
def test_a_batch_over_the_item_limit_is_413_naming_the_limit_and_setting(
    client: TestClient, route: str
) -> None:
    """Too many items was a 422 ('invalid input'), which a client reads as "fix a field"; it is a limit,
    like the body's bytes: 413 naming the count, the limit and the setting."""
    limit = client.app.state.settings.max_batch_items  # type: ignore[attr-defined]
    r = _post(client, route, b"[" + b",".join([b"{}"] * (limit + 1)) + b"]", "application/json")
    assert r.status_code == 413, r.text
    detail = r.json()["detail"]
    assert f"has {limit + 1} " in detail and f"limit is {limit}" in detail, detail
    assert "IMR_SERVE_MAX_BATCH_ITEMS" in detail and _documented(client, route, 413)
    at_limit = b"[" + b",".join([b"{}"] * limit) + b"]"
    assert _post(client, route, at_limit, "application/json").status_code == 200  # each item fails alone


def test_a_batch_item_error_names_the_text_field_not_the_body(client: TestClient) -> None:
    """A batch item `{"text": 5}` said `body: Input should be a valid string`: the union's tag and
    the field are both `text`, and both were dropped. Like `/v1/score`'s 422, it names `text`."""
    items = [{"text": 5}, {"text": "x", "case_id": 5}]
    r = client.post("/v1/score/batch", json={"items": items}, headers=KEY)
    assert r.status_code == 200, r.text
    errors = [item["error"] for item in r.json()["results"]]
    assert errors == [
        "item 0: text: Input should be a valid string",
        "item 1: case_id: Input should be a valid string",
    ], errors
