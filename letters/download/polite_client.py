"""HTTP with manners: one identified client, a request-rate ceiling, bounded retries with back-off.

Public state websites are shared infrastructure; every request (retries included) waits its turn,
and server errors or timeouts back off exponentially instead of hammering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from letters.download.settings import FetchSettings

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchFailed(RuntimeError):
    """A request gave up: permanent HTTP error, or retries exhausted. Names the URL and the reason."""


@dataclass
class Fetched(Generic[T]):
    url: str
    content: bytes
    value: T
    attempts: int


class RateLimiter:
    """Spaces request starts at least 1/rate seconds apart."""

    def __init__(self, requests_per_second: float) -> None:
        self.interval = 1.0 / requests_per_second
        self._next = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if now < self._next:
            time.sleep(self._next - now)
        self._next = max(now, self._next) + self.interval


class PoliteClient:
    """Use as a context manager; `fetch` returns checked content or raises FetchFailed."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.requests_per_second)
        self.requests_made = 0
        self._client: httpx.Client | None = None

    def __enter__(self) -> PoliteClient:
        self._client = httpx.Client(
            headers={"User-Agent": self.settings.user_agent},
            timeout=self.settings.timeout_s,
            follow_redirects=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def backoff(self, retry_index: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry `retry_index` (0-based); honours a numeric Retry-After."""
        delay = self.settings.backoff_base_s * (2**retry_index)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after.strip()))
        return min(delay, self.settings.backoff_max_s)

    def _read(self, method: str, url: str, data: dict[str, Any] | None) -> tuple[int, bytes, str | None]:
        assert self._client is not None, "PoliteClient must be used as a context manager"
        self.limiter.wait()
        self.requests_made += 1
        with self._client.stream(method, url, data=data) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.settings.max_pdf_bytes:
                    raise FetchFailed(f"{url}: response larger than {self.settings.max_pdf_bytes} bytes")
                chunks.append(chunk)
            return response.status_code, b"".join(chunks), response.headers.get("retry-after")

    def fetch(
        self,
        url: str,
        check: Callable[[bytes], T],
        *,
        method: str = "GET",
        data: dict[str, Any] | None = None,
        retry_on: tuple[type[Exception], ...] = (),
    ) -> Fetched[T]:
        """Request `url` until `check(content)` passes; errors in `retry_on` count as transient."""
        attempts = self.settings.max_retries + 1
        reason = "not attempted"
        for attempt in range(attempts):
            retry_after: str | None = None
            try:
                status, content, retry_after = self._read(method, url, data)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                raise FetchFailed(f"{url!r}: not a fetchable URL ({exc})") from exc
            except httpx.TimeoutException as exc:
                reason = f"timed out after {self.settings.timeout_s:g}s ({type(exc).__name__})"
            except httpx.TransportError as exc:
                reason = f"transport error: {type(exc).__name__}: {exc}"
            else:
                if status in RETRY_STATUSES:
                    reason = f"HTTP {status}"
                elif status >= 400:
                    raise FetchFailed(f"{url}: HTTP {status} (not retried)")
                else:
                    try:
                        return Fetched(url=url, content=content, value=check(content), attempts=attempt + 1)
                    except retry_on as exc:
                        reason = str(exc)
            if attempt + 1 < attempts:
                delay = self.backoff(attempt, retry_after)
                log.warning("%s: %s; retry %d/%d in %.2fs", url, reason, attempt + 1, attempts - 1, delay)
                time.sleep(delay)
        raise FetchFailed(f"{url}: gave up after {attempts} attempt(s); last error: {reason}")
