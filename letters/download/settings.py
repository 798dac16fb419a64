"""Settings for `imr fetch`: defaults are polite to a public state website; tests shrink the delays.

Precedence: CLI flags > environment (`IMR_FETCH_*`) > `params.yaml` `fetch:` section > defaults.
"""

from __future__ import annotations

from importlib.metadata import version as _package_version
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FetchSettings(BaseSettings):
    """Where to fetch from and how gently."""

    model_config = SettingsConfigDict(env_prefix="IMR_FETCH_", extra="ignore")

    base_url: str = Field(
        default="https://www.dir.ca.gov",
        description="Scheme and host (optionally a path prefix) of the DWC site; tests use 127.0.0.1.",
    )
    search_path: str = Field(
        default="/dwc/imr/IMRDecisionSearch.asp", description="Path of the IMR decision search form."
    )
    pdf_url_template: str | None = Field(
        default=None,
        description="If set, case numbers map straight to PDFs, e.g. '{base_url}/path/{case_number}.pdf'; "
        "otherwise each case number is looked up through the search form.",
    )
    requests_per_second: float = Field(default=0.5, gt=0, description="Upper bound on request starts/s.")
    timeout_s: float = Field(default=30.0, gt=0, description="Seconds one request may take.")
    max_retries: int = Field(default=4, ge=0, le=20, description="Retries after the first attempt.")
    backoff_base_s: float = Field(default=2.0, ge=0, description="Delay before retry k is base * 2**k.")
    backoff_max_s: float = Field(default=60.0, ge=0, description="Longest delay between retries.")
    max_pages: int = Field(default=20, ge=1, le=10_000, description="Bound on search result pages.")
    max_pdf_bytes: int = Field(default=25_000_000, gt=0, description="Larger responses are refused.")
    contact: str = Field(
        default="https://example.org/imr-triage-contact (set IMR_FETCH_CONTACT)",
        description="URL or e-mail the site operator can use to reach whoever runs the fetch.",
    )

    @property
    def search_url(self) -> str:
        return self.base_url.rstrip("/") + "/" + self.search_path.lstrip("/")

    @property
    def user_agent(self) -> str:
        return f"imr-triage/{_package_version('imr-triage')} (+{self.contact})"


def build_settings(params_section: dict[str, Any], overrides: dict[str, Any]) -> FetchSettings:
    """Merge params.yaml values under the environment and CLI overrides (None means 'not given')."""
    from_env = FetchSettings().model_fields_set
    known = FetchSettings.model_fields
    merged = {k: v for k, v in params_section.items() if k in known and k not in from_env}
    merged.update({k: v for k, v in overrides.items() if v is not None})
    return FetchSettings(**merged)
