"""One `imr fetch` run as one object: where to write, what to fetch (search filters, listed items) and how
gently (`FetchSettings`), built from the command-line options over params.yaml's `fetch:` section.

The command declares its options for the help text and hands them here as a dict; everything after
that takes this object, so no function carries twenty-odd loose parameters.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from letters.download.search_form import SearchFilters
from letters.download.settings import FetchSettings, build_settings
from letters.download.targets import read_list_file

# CLI option -> the FetchSettings field it overrides (None on the command line: not given).
SETTINGS_OPTIONS = {
    "base_url": "base_url",
    "rate": "requests_per_second",
    "timeout": "timeout_s",
    "retries": "max_retries",
    "backoff": "backoff_base_s",
    "max_pages": "max_pages",
    "contact": "contact",
}
FILTER_OPTIONS = tuple(n for n in SearchFilters.model_fields if n != "case_number")


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


class FetchOptions(BaseModel):
    """Everything one fetch needs; `from_cli` builds it from the command's option values."""

    model_config = ConfigDict(extra="forbid")

    out: Path
    items: list[str] = Field(default_factory=list, description="Case numbers and PDF URLs, listed or read")
    filters: SearchFilters = Field(default_factory=SearchFilters)
    settings: FetchSettings = Field(default_factory=FetchSettings)
    progress: bool = True

    @classmethod
    def from_cli(cls, options: dict[str, Any], params_section: dict[str, Any]) -> FetchOptions:
        """Options as the command received them (dates as datetimes, unset ones None). Raises
        ValueError / FileNotFoundError / ValidationError naming the bad value or list file."""
        overrides = {field: options.get(option) for option, field in SETTINGS_OPTIONS.items()}
        items = list(options.get("items") or [])
        for key in ("case_numbers", "urls"):
            if options.get(key) is not None:
                items += read_list_file(Path(options[key]))
        return cls(
            out=options["out"],
            items=items,
            filters=SearchFilters(**{k: _day(options.get(k)) for k in FILTER_OPTIONS}),
            settings=build_settings(params_section, overrides),
            progress=bool(options.get("progress", True)),
        )

    @property
    def search(self) -> SearchFilters | None:
        """The search to run, or None when only listed items are fetched."""
        return None if self.filters.is_empty() else self.filters
