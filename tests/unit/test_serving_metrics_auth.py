"""Who may read `/metrics`: it was open whatever the settings, so a production server published its
request counts, score distribution and model version to anyone who could reach the port. Setting
`metrics_auth` (default: on in production mode, off in development, like `dashboard_auth`) requires a
configured key of any scope, in `X-API-Key` or `Authorization: Bearer` (what Prometheus sends)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from model_sources import NoModel

from serving.api_keys import DEV_API_KEY, entry_for_key, new_api_key
from serving.app import create_app
from serving.settings import ServingSettings

SCRAPER_KEY = new_api_key()  # a key with the dashboard scope only: any configured key reads metrics


def _client(**settings: Any) -> TestClient:
    if settings.get("production"):
        entry = entry_for_key(SCRAPER_KEY, ["dashboard"], "scraper")
        settings["api_keys"] = [entry.model_dump(exclude_none=True)]
    s = ServingSettings(_env_file=None, poll_interval_s=0, **settings)
    return TestClient(create_app(s, source=NoModel()))


def _is_exposition(r: Any) -> bool:
    return r.status_code == 200 and "imr_http_requests" in r.text


def test_production_metrics_need_a_configured_key_in_either_header() -> None:
    with _client(production=True) as c:
        r = c.get("/metrics")
        assert r.status_code == 401 and "missing API key" in r.json()["detail"], r.text
        assert "Authorization: Bearer KEY" in r.json()["detail"], r.text  # said X-API-Key only
        assert r.headers["WWW-Authenticate"] == "APIKey"
        wrong = "imr_abcdef123456_wrong"
        refused = [{"X-API-Key": wrong}, {"Authorization": f"Bearer {wrong}"}]
        refused.append({"Authorization": f"Basic {SCRAPER_KEY}"})  # only the Bearer scheme carries a key
        for headers in refused:
            assert c.get("/metrics", headers=headers).status_code == 401, headers
        assert _is_exposition(c.get("/metrics", headers={"X-API-Key": SCRAPER_KEY}))
        assert _is_exposition(c.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER_KEY}"}))
        assert c.get("/healthz").status_code == 200  # liveness stays open for probes
        documented = c.get("/openapi.json").json()["paths"]["/metrics"]["get"]["responses"]
        assert "401" in documented, documented


@pytest.mark.parametrize(
    ("settings", "needs_key"),
    [
        ({}, False),  # development default: open, as before (local Prometheus, curl)
        ({"metrics_auth": True}, True),  # development, asked for: the development key reads them
        ({"production": True, "metrics_auth": False}, False),  # production, explicitly left open
    ],
)
def test_metrics_auth_setting_overrides_the_mode_default(settings: dict[str, Any], needs_key: bool) -> None:
    with _client(**settings) as c:
        bare = c.get("/metrics")
        assert (bare.status_code == 401) is needs_key, bare.text
        if needs_key:
            assert _is_exposition(c.get("/metrics", headers={"X-API-Key": DEV_API_KEY}))
        else:
            assert _is_exposition(bare)
