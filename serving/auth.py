"""API-key authentication: keys with scopes (`score`, `admin`, `dashboard`), checked without letting
wrong keys starve right ones.

A key `imr_<id>_<secret>` is checked against the one entry its id names, with one constant-time
SHA-256 comparison. Everything slower or guessable (entries without an id, PBKDF2 hashes) is checked
only while the client's failure budget lasts (`FailureLimiter`), one PBKDF2 at a time, off the event
loop; past the budget a wrong key gets 429 without any hashing. Keys that passed once are remembered
by their SHA-256 digest. Missing or unknown key -> 401; a known key without the scope -> 403.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request, Response, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader

from serving.api_keys import ApiKeyEntry, hash_matches, key_id

API_KEY_HEADER = "X-API-Key"
UNKNOWN_CLIENT = "unknown"

api_key_header = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="API key with the scope the route needs."
)


class FailureLimiter:
    """A token bucket of failed key attempts per client address: `burst` at once, then
    `per_minute`. Remembers at most `max_clients` addresses (the least recently failing go first)."""

    def __init__(self, per_minute: float = 30.0, burst: int = 10, max_clients: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, at)
        self._lock = threading.Lock()

    def _tokens(self, client: str, now: float) -> float:
        tokens, at = self._buckets.get(client, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.rate)

    def retry_after(self, client: str) -> int:
        """Seconds until `client` may try again (0: it may now)."""
        with self._lock:
            tokens = self._tokens(client, time.monotonic())
        return 0 if tokens >= 1.0 else max(1, math.ceil((1.0 - tokens) / self.rate))

    def record_failure(self, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._buckets[client] = (max(0.0, self._tokens(client, now) - 1.0), now)
            self._buckets.move_to_end(client)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)


class KeyVerifier:
    """Checks presented keys against the configured entries; one instance per app."""

    def __init__(self, entries: Iterable[ApiKeyEntry], limiter: FailureLimiter | None = None) -> None:
        self.entries = list(entries)
        self.limiter = limiter or FailureLimiter()
        self._by_id = {e.id: e for e in self.entries if e.id is not None}
        no_id = [e for e in self.entries if e.id is None]
        self._legacy_fast = {e.hash.removeprefix("sha256:"): e for e in no_id if e.fast}
        self._legacy_slow = [e for e in no_id if not e.fast]
        self._verified: dict[str, ApiKeyEntry] = {}  # sha256(key) -> entry, filled on first success
        self._slow_lock = threading.Lock()  # one PBKDF2 at a time: bounded CPU whatever arrives
        self.slow_checks = 0  # PBKDF2 computations so far (for metrics and tests)

    @property
    def deprecated(self) -> list[ApiKeyEntry]:
        return [e for e in self.entries if e.deprecated]

    def verified(self, key: str) -> ApiKeyEntry | None:
        """The entry of a key already verified once (a dictionary look-up), or None."""
        return self._verified.get(hashlib.sha256(key.encode()).hexdigest())

    def named_fast(self, key: str) -> tuple[bool, ApiKeyEntry | None]:
        """(the key names an entry checked by SHA-256, that entry if the key matches it)."""
        entry = self._by_id.get(key_id(key) or "")
        if entry is None or not entry.fast:
            return False, None
        digest = hashlib.sha256(key.encode()).hexdigest()
        if hmac.compare_digest(digest, entry.hash.removeprefix("sha256:")):
            self._verified[digest] = entry
            return True, entry
        return True, None

    def identify_slow(self, key: str) -> ApiKeyEntry | None:
        """The deprecated-form entry the key belongs to, or None: a PBKDF2 entry its id names, the
        SHA-256 entries without an id (one look-up), then each PBKDF2 entry without an id."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        named = self._by_id.get(key_id(key) or "")
        candidates = [named] if named is not None and not named.fast else []
        hit = self._legacy_fast.get(digest)
        if hit is not None and hmac.compare_digest(digest, hit.hash.removeprefix("sha256:")):
            candidates = []
        else:
            hit = None
            candidates += self._legacy_slow
        for entry in candidates:
            with self._slow_lock:
                self.slow_checks += 1
                if hash_matches(key, entry.hash):
                    hit = entry
                    break
        if hit is not None:
            self._verified[digest] = hit
        return hit

    def identify(self, key: str) -> ApiKeyEntry | None:
        """The entry the key belongs to, or None (blocking; no rate limit: for tests and tools)."""
        hit = self.verified(key)
        if hit is not None:
            return hit
        named, entry = self.named_fast(key)
        if named:
            return entry
        return self.identify_slow(key)


@dataclass(frozen=True)
class Denial:
    """Why a presented key is refused, with the HTTP status that says so (401, 403 or 429)."""

    status_code: int
    reason: str
    retry_after: int | None = None


async def check_key(
    verifier: KeyVerifier, key: str | None, scope: str | None, missing: str, client: str | None = None
) -> ApiKeyEntry | Denial:
    """The key's entry when it carries `scope` (None: any configured key), else a `Denial` (`missing`:
    what to say without a key; `client`: the caller's address, for the failure rate limit)."""
    if not key:
        return Denial(status.HTTP_401_UNAUTHORIZED, missing)
    who = client or UNKNOWN_CLIENT
    entry = verifier.verified(key)
    if entry is None:
        named, entry = verifier.named_fast(key)
        if entry is None and not named:
            wait = verifier.limiter.retry_after(who)
            if wait:
                reason = f"too many failed API key attempts from this address; retry in {wait} s"
                return Denial(status.HTTP_429_TOO_MANY_REQUESTS, reason, retry_after=wait)
            entry = await run_in_threadpool(verifier.identify_slow, key)
    if entry is None:
        verifier.limiter.record_failure(who)
        return Denial(status.HTTP_401_UNAUTHORIZED, "invalid API key")
    if scope is not None and scope not in entry.scopes:
        reason = f"API key '{entry.name}' lacks the '{scope}' scope needed here"
        return Denial(status.HTTP_403_FORBIDDEN, reason)
    return entry


def denial_headers(denial: Denial) -> dict[str, str] | None:
    if denial.status_code == status.HTTP_401_UNAUTHORIZED:
        return {"WWW-Authenticate": "APIKey"}
    if denial.retry_after is not None:
        return {"Retry-After": str(denial.retry_after)}
    return None


async def authorize(
    request: Request, key: str | None, scope: str | None, where: str = f"in the {API_KEY_HEADER} header"
) -> ApiKeyEntry:
    """The entry of `key` when it carries `scope` (None: any configured key); else an HTTPException
    (401, 403 or 429). `where` tells a client without a key where to send one."""
    missing = f"missing API key: send it {where}"
    client = request.client.host if request.client else None
    outcome = await check_key(request.app.state.key_verifier, key, scope, missing, client)
    if isinstance(outcome, Denial):
        raise HTTPException(
            status_code=outcome.status_code, detail=outcome.reason, headers=denial_headers(outcome)
        )
    request.state.api_key_name = outcome.name
    return outcome


def require_scope(scope: str) -> Callable[..., Awaitable[ApiKeyEntry]]:
    """A FastAPI dependency that admits only keys carrying `scope` (and documents the key in OpenAPI).

    FastAPI reads and parses a JSON or form body before it runs any dependency, so a route with a body
    also needs `key_first(scope)` as its route class: otherwise a bad body outranks a bad key (422)."""

    async def dependency(request: Request, key: str | None = Security(api_key_header)) -> ApiKeyEntry:
        return await authorize(request, key, scope)

    return dependency


def bearer_or_header_key(request: Request) -> str | None:
    """The key of an `X-API-Key` header, else of `Authorization: Bearer KEY` (what Prometheus's
    `authorization` scrape setting sends), else None."""
    key = request.headers.get(API_KEY_HEADER)
    if key:
        return key
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return (credentials.strip() or None) if scheme.lower() == "bearer" else None


def key_first(scope: str) -> type[APIRoute]:
    """A route class that checks the API key for `scope` before the body is read or parsed: a missing or
    wrong key is 401 (a key without the scope 403) whatever the body; a good key with a bad body 422.
    Use it with `require_scope(scope)` as a dependency of the same routes, which documents the key."""

    class KeyFirstRoute(APIRoute):
        def check_request(self, request: Request) -> None:
            """Checks of the request's headers after the key and before the body is read (raise an
            HTTPException); none here, subclasses add theirs (the scoring routes: the media type)."""

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def checked(request: Request) -> Response:
                await authorize(request, request.headers.get(API_KEY_HEADER), scope)
                self.check_request(request)
                return await handler(request)

            return checked

    return KeyFirstRoute
