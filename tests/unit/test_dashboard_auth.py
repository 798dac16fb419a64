"""The dashboard behind API keys (scope `dashboard`): sign-in form, HttpOnly cookie, header for scripts,
clear 401/403, no open redirects; open in development mode; the production default closes it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from serving.api_keys import ApiKeyEntry, hash_api_key
from serving.auth import KeyVerifier
from serving.dashboard import create_dashboard_app
from serving.dashboard_auth import COOKIE
from serving.scores_db import open_scores_db
from serving.settings import ServingSettings
from serving.synthetic_scores import synthetic_model_run, synthetic_score_rows

ANALYST, SCORER = "analyst-key-123", "scorer-key-456"
KEYS = [
    ApiKeyEntry(name="analyst", hash=hash_api_key(ANALYST), scopes=["dashboard"]),
    ApiKeyEntry(name="scorer", hash=hash_api_key(SCORER, "pbkdf2_sha256", iterations=1000), scopes=["score"]),
]


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('dash-auth') / 'scores.db'}"
    repo = open_scores_db(url)
    repo.save_scores(synthetic_score_rows(60, seed=9, model_version="1"))
    repo.record_model_run(synthetic_model_run(model_version="1"))
    repo.engine.dispose()
    return url


def _client(db_url: str, verifier: KeyVerifier | None) -> TestClient:
    return TestClient(create_dashboard_app(db_url, verifier=verifier), follow_redirects=False)


def test_without_a_key_pages_redirect_to_sign_in_and_data_is_refused(db_url: str) -> None:
    with _client(db_url, KeyVerifier(KEYS)) as c:
        r = c.get("/dashboard/case/SYNTH-1", params={"x": "1"})
        assert r.status_code == 303
        assert r.headers["location"] == "/dashboard/login?next=/dashboard/case/SYNTH-1%3Fx%3D1"
        form = c.get(r.headers["location"])
        assert form.status_code == 200 and 'name="key"' in form.text
        assert 'value="/dashboard/case/SYNTH-1?x=1"' in form.text
        api = c.get("/dashboard/api/summary")
        assert api.status_code == 401 and "dashboard" in api.json()["detail"]
        assert c.get("/dashboard/api/export.csv").status_code == 401
        assert c.get("/dashboard/static/dashboard.css").status_code == 200  # assets stay public


def test_sign_in_sets_an_httponly_cookie_that_opens_pages_and_data(db_url: str) -> None:
    with _client(db_url, KeyVerifier(KEYS)) as c:
        r = c.post("/dashboard/login", data={"key": ANALYST, "next": "/dashboard/case/SYNTH-1"})
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/case/SYNTH-1"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower() and "Path=/dashboard" in cookie
        page = c.get("/dashboard")
        assert page.status_code == 200 and 'id="signout"' in page.text
        assert c.get("/dashboard/api/summary").json()["services"] == 60
        out = c.post("/dashboard/logout")
        assert out.status_code == 303 and out.headers["location"] == "/dashboard/login"
        assert c.get("/dashboard/api/summary").status_code == 401


def test_wrong_key_and_missing_scope_are_named(db_url: str) -> None:
    with _client(db_url, KeyVerifier(KEYS)) as c:
        bad = c.post("/dashboard/login", data={"key": "nope"})
        assert bad.status_code == 401 and "invalid API key" in bad.text and "set-cookie" not in bad.headers
        scorer = c.post("/dashboard/login", data={"key": SCORER})
        assert scorer.status_code == 403
        assert "API key &#x27;scorer&#x27; lacks the &#x27;dashboard&#x27; scope" in scorer.text
        assert c.get("/dashboard/api/summary", headers={"X-API-Key": SCORER}).status_code == 403


def test_a_header_key_refused_on_a_page_is_answered_like_the_json_routes(db_url: str) -> None:
    """A script sending a key without the scope was redirected (303) to the sign-in form; a page now
    answers a header key's refusal as `/dashboard/api` does. A browser without a key still signs in."""
    with _client(db_url, KeyVerifier(KEYS)) as c:
        for page in ("/dashboard", "/dashboard/case/SYNTH-1"):
            r = c.get(page, headers={"X-API-Key": SCORER})
            assert r.status_code == 403, (page, r.status_code, r.headers.get("location"))
            assert r.json() == {"detail": "API key 'scorer' lacks the 'dashboard' scope needed here"}
            bad = c.get(page, headers={"X-API-Key": "nope"})
            assert bad.status_code == 401 and bad.json() == {"detail": "invalid API key"}
            assert bad.headers["www-authenticate"] == "APIKey"
            assert c.get(page, headers={"X-API-Key": ANALYST}).status_code == 200
            assert c.get(page).status_code == 303  # no key: the sign-in form, as before


def test_header_key_serves_scripts_and_redirects_stay_on_the_dashboard(db_url: str) -> None:
    with _client(db_url, KeyVerifier(KEYS)) as c:
        csv = c.get("/dashboard/api/export.csv", headers={"X-API-Key": ANALYST})
        assert csv.status_code == 200 and len(csv.text.splitlines()) == 61
        for target in ("https://evil.example/", "//evil.example/dashboard", "/admin", "/dashboard\\..\\x"):
            r = c.post("/dashboard/login", data={"key": ANALYST, "next": target})
            assert r.headers["location"] == "/dashboard", target


def test_open_dashboard_needs_no_key(db_url: str) -> None:
    with _client(db_url, None) as c:
        page = c.get("/dashboard")
        assert page.status_code == 200 and "signout" not in page.text
        assert c.get("/dashboard/api/summary").status_code == 200
        assert c.get("/dashboard/login").status_code == 303


def test_production_closes_the_dashboard_by_default() -> None:
    entry = {"name": "a", "hash": hash_api_key(ANALYST), "scopes": ["dashboard"]}
    prod = ServingSettings(_env_file=None, production=True, api_keys=[entry])
    assert prod.dashboard_requires_key()
    assert not ServingSettings(_env_file=None).dashboard_requires_key()
    assert ServingSettings(_env_file=None, dashboard_auth=True).dashboard_requires_key()
    assert not ServingSettings(_env_file=None, production=True, api_keys=[entry], dashboard_auth=False) \
        .dashboard_requires_key()


def test_failed_sign_ins_are_limited_per_client_not_for_everyone() -> None:
    """One caller guessing keys is slowed down (429-style denial with a wait); another caller is not."""
    import asyncio

    from serving.dashboard_auth import DashboardGate

    gate = DashboardGate("/dashboard", KeyVerifier(KEYS))

    async def attempts() -> tuple[list, object]:
        guesser = [await gate.check(f"wrong-key-{i}", "10.0.0.1") for i in range(30)]
        other = await gate.check("another-wrong-key", "10.0.0.2")
        return guesser, other

    guesser, other = asyncio.run(attempts())
    assert any(getattr(d, "retry_after", None) for d in guesser)  # the guesser hit the limit
    assert getattr(other, "status_code", None) == 401 and getattr(other, "retry_after", None) is None
