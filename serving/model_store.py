"""Holds the model being served and replaces it, atomically, when the registry alias moves.

A new version is loaded and checked on a smoke input in the background; only a version that passes
replaces the current one (a single reference assignment, so a request that already took the old
model finishes on it). A version that fails is remembered as refused and the old one stays; the
refusal is logged and counted once per version, not on every poll that finds the alias unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Literal, Protocol, TypeVar

log = logging.getLogger("serving.model_store")

Outcome = Literal["loaded", "unchanged", "refused", "unavailable"]
T = TypeVar("T")


@dataclass(frozen=True)
class ModelRef:
    """Which model a source points at now: a version id plus where it came from."""

    name: str
    version: str
    alias: str | None
    uri: str
    digest: str | None = None  # artifact checksum recorded at registration, when the source has one


class ModelSource(Protocol, Generic[T]):
    """Where models come from: a registry alias or a local directory."""

    def describe(self) -> str: ...

    def current(self) -> ModelRef | None:
        """The version the source points at now (cheap), or None when there is none yet."""
        ...

    def load(self, ref: ModelRef) -> T:
        """Load that version (may be slow; runs off the event loop)."""
        ...


@dataclass(frozen=True)
class Served(Generic[T]):
    """A loaded, validated model and how it was obtained."""

    ref: ModelRef
    model: T
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    load_seconds: float = 0.0


@dataclass(frozen=True)
class ReloadResult:
    outcome: Outcome
    version: str | None = None
    previous_version: str | None = None
    error: str | None = None
    repeated: bool = False  # a refusal of a version refused before (not logged or counted again)

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "version": self.version,
            "previous_version": self.previous_version,
            "error": self.error,
        }


class ModelStore(Generic[T]):
    """The current model, and the one place that loads, validates and swaps it."""

    def __init__(
        self,
        source: ModelSource[T],
        validate: Callable[[T], T],
        on_swap: Callable[[Served[T]], None] | None = None,
        on_outcome: Callable[[ReloadResult], None] | None = None,
    ) -> None:
        self.source = source
        self._validate = validate
        self._on_swap = on_swap
        self._on_outcome = on_outcome
        self._current: Served[T] | None = None
        self._lock = threading.Lock()  # one load at a time (poller and admin reload)
        self.refused: dict[str, str] = {}  # version -> why it was refused
        self.last_result: ReloadResult | None = None
        self.last_checked: datetime | None = None

    @property
    def current(self) -> Served[T] | None:
        """The model to use for one request; take it once and keep it for the whole request."""
        return self._current

    def refresh(self, force: bool = False) -> ReloadResult:
        """Load the version the source points at if it differs from the current one (blocking)."""
        with self._lock:
            result = self._refresh_locked(force)
            self.last_result = result
            self.last_checked = datetime.now(UTC)
        if self._on_outcome is not None:
            self._on_outcome(result)
        return result

    def _refresh_locked(self, force: bool) -> ReloadResult:
        current = self._current
        prev = current.ref.version if current else None
        try:
            ref = self.source.current()
        except Exception as exc:  # registry unreachable: keep serving what we have
            log.warning("model source %s unavailable: %s", self.source.describe(), exc)
            return ReloadResult("unavailable", None, prev, f"{type(exc).__name__}: {exc}")
        if ref is None:
            return ReloadResult("unavailable", None, prev, f"no model at {self.source.describe()}")
        if current is not None and current.ref == ref and not force:
            return ReloadResult("unchanged", ref.version, prev)
        known = ref.version in self.refused
        if known and not force:
            return ReloadResult("refused", ref.version, prev, self.refused[ref.version], repeated=True)
        start = time.perf_counter()
        try:
            model = self.source.load(ref)
            model = self._validate(model)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            self.refused[ref.version] = reason
            if not known:
                log.error("refused model %s version %s: %s", ref.name, ref.version, reason)
            return ReloadResult("refused", ref.version, prev, reason, repeated=known)
        served = Served(ref=ref, model=model, load_seconds=time.perf_counter() - start)
        self._current = served  # the atomic swap
        self.refused.pop(ref.version, None)
        log.info(
            "serving model %s version %s (was %s), loaded in %.2fs",
            ref.name,
            ref.version,
            prev,
            served.load_seconds,
        )
        if self._on_swap is not None:
            self._on_swap(served)
        return ReloadResult("loaded", ref.version, prev)

    async def refresh_async(self, force: bool = False) -> ReloadResult:
        """`refresh` in a worker thread, so loading never blocks requests on the event loop."""
        return await asyncio.to_thread(self.refresh, force)

    async def poll_forever(self, interval_s: float) -> None:
        """Check the source every `interval_s` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.refresh_async()
            except Exception:  # never let the poller die; the next tick tries again
                log.exception("model poll failed")
