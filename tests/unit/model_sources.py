"""Model sources for serving tests that need an app without a model (real app, nothing to load)."""

from __future__ import annotations


class NoModel:
    """A model source with nothing to serve: the app starts, `/readyz` says 503, auth still answers."""

    def describe(self) -> str:
        return "no model"

    def current(self) -> None:
        return None

    def load(self, ref: object) -> None:  # pragma: no cover - never called
        raise AssertionError("no model to load")
