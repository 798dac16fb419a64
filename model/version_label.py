"""How a model version is named to people, the same in the CLI, the API, the dashboard and reports."""

from __future__ import annotations


def version_label(registry_version: str | None, content_version: str | None) -> str:
    """`v3 (imr-overturn-3fa9c2b1d0e4)` for a registered model; the content version alone otherwise."""
    if registry_version is None or registry_version == content_version:
        return content_version or "none"
    return f"v{registry_version} ({content_version})" if content_version else f"v{registry_version}"
