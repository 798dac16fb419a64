"""`/docs` and `/redoc` load every asset from the server itself (issue #22: no CDN, works offline)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from model_sources import NoModel

from serving.app import create_app
from serving.settings import ServingSettings


def test_docs_pages_load_their_scripts_and_styles_from_the_server() -> None:
    app = create_app(ServingSettings(_env_file=None, poll_interval_s=0), source=NoModel())
    with TestClient(app) as c:
        for page in ("/docs", "/redoc"):
            html = c.get(page).text
            urls = re.findall(r'(?:src|href)="([^"]+)"', html)
            assert urls, page
            assert all(u.startswith("/docs-static/") for u in urls), (page, urls)
            assert "http://" not in html and "https://" not in html.replace("https://github.com", "")
            for url in urls:
                r = c.get(url)
                assert r.status_code == 200 and len(r.content) > 1000, url
        js = c.get("/docs-static/swagger-ui-bundle.js")
        assert js.headers["content-type"].startswith(("application/javascript", "text/javascript"))
        assert "SwaggerUIBundle" in js.text[:5000]


def test_openapi_document_names_every_schema_it_references() -> None:
    app = create_app(ServingSettings(_env_file=None, poll_interval_s=0), source=NoModel())
    with TestClient(app) as c:
        doc = c.get("/openapi.json")
    assert doc.status_code == 200
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', doc.text))
    assert {"FeatureServiceIn", "CaseIn", "LetterText"} <= refs
    assert refs <= set(doc.json()["components"]["schemas"])
