"""The API key is checked before the request body: a missing or wrong key is 401 and a key without the
scope 403 whatever the body (malformed JSON, wrong types, empty, a broken upload), and only a good key
gets to hear about its body (400 for one that is not JSON, 422 naming the field). FastAPI parses a JSON
or form body before it runs any dependency, so this holds only because the scoring routes check the key
first (`auth.key_first`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from serving.api_keys import entry_for_key, new_api_key
from serving.app import create_app
from serving.schemas import EXAMPLE_CASE
from serving.settings import ServingSettings

SCORE_KEY = new_api_key()
ADMIN_KEY = new_api_key()  # a valid key without the `score` scope

JSON = {"content-type": "application/json"}
BAD_BODIES: dict[str, dict[str, Any]] = {
    "invalid JSON": {"content": b'{"services": [', "headers": JSON},
    "wrong types": {"json": {**EXAMPLE_CASE, "patient_age": "fifty", "services": 3}},
    "empty": {"content": b"", "headers": JSON},
    "no content type": {"content": b"\x00\xff not a body"},
    "broken upload": {
        "content": b"--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nunterminated",
        "headers": {"content-type": "multipart/form-data; boundary=xyz"},
    },
}
ROUTES = ["/v1/score", "/v1/score/batch", "/v1/score/features", "/v1/score/letter"]
WRONG_KEYS = {
    "missing": (None, 401, "missing API key"),
    "unknown": ("imr_abcdef123456_not-the-secret", 401, "invalid API key"),
    "malformed": ("not even a key form", 401, "invalid API key"),
    "without the scope": (ADMIN_KEY, 403, "lacks the 'score' scope"),
}


@pytest.fixture(scope="module")
def client(cli_model_dir: Path) -> Iterator[TestClient]:
    """The real app with keys configured (production mode) and a real model loaded, so a good key
    with a bad body reaches body validation rather than 503; the failure budget is large enough that
    the wrong keys below are answered 401, not 429."""
    keys = [entry_for_key(SCORE_KEY, ["score"], "triage"), entry_for_key(ADMIN_KEY, ["admin"], "ops")]
    settings = ServingSettings(
        _env_file=None, production=True, api_keys=[k.model_dump(exclude_none=True) for k in keys],
        model_path=cli_model_dir, probe_new_models=False, poll_interval_s=0, auth_failure_burst=10_000,
    )  # fmt: skip
    with TestClient(create_app(settings)) as c:
        assert c.get("/readyz").status_code == 200
        yield c


def _post(c: TestClient, route: str, body: dict[str, Any], key: str | None) -> Any:
    headers = dict(body.get("headers", {}))
    if key is not None:
        headers["X-API-Key"] = key
    return c.post(route, **{**body, "headers": headers})


@pytest.mark.parametrize("who", WRONG_KEYS)
@pytest.mark.parametrize("body", BAD_BODIES)
@pytest.mark.parametrize("route", ROUTES)
def test_a_bad_key_is_refused_whatever_the_body(client: TestClient, route: str, body: str, who: str) -> None:
    key, status, reason = WRONG_KEYS[who]
    r = _post(client, route, BAD_BODIES[body], key)
    assert r.status_code == status, r.text
    assert reason in r.json()["detail"]
    if status == 401:
        assert r.headers["WWW-Authenticate"] == "APIKey"


def test_a_good_key_with_a_bad_body_is_told_what_is_wrong(client: TestClient) -> None:
    r = _post(client, "/v1/score", BAD_BODIES["wrong types"], SCORE_KEY)
    assert r.status_code == 422, r.text
    fields = {tuple(e["loc"][-2:]) for e in r.json()["detail"]}
    assert any("patient_age" in f for f in fields) and any("services" in f for f in fields), fields
    for route in ("/v1/score", "/v1/score/batch", "/v1/score/features"):  # unparseable: 400, one line
        r = _post(client, route, BAD_BODIES["invalid JSON"], SCORE_KEY)
        assert r.status_code == 400 and "not valid JSON" in r.json()["detail"], r.text
    r = _post(client, "/v1/score/letter", BAD_BODIES["empty"], SCORE_KEY)  # a JSON body: 415
    assert r.status_code == 415 and "multipart/form-data" in r.json()["detail"], r.text
    r = client.post("/v1/score/letter", files={"other": ("a.txt", b"x")}, headers={"X-API-Key": SCORE_KEY})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "file"], r.text


def test_a_good_key_with_a_good_body_is_scored(client: TestClient) -> None:
    r = client.post("/v1/score", json=EXAMPLE_CASE, headers={"X-API-Key": SCORE_KEY})
    assert r.status_code == 200, r.text
    assert len(r.json()["services"]) == len(EXAMPLE_CASE["services"])


def test_health_and_docs_need_no_key(client: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/docs", "/openapi.json"):
        assert client.get(path).status_code == 200, path
    assert client.get("/metrics").status_code == 401  # production mode: metrics_auth's default
    assert client.get("/metrics", headers={"X-API-Key": ADMIN_KEY}).status_code == 200  # any scope
    schema = client.get("/openapi.json").json()
    assert schema["paths"]["/v1/score"]["post"]["security"] == [{"APIKeyHeader": []}]
