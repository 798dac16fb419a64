"""API-key authentication: keys are stored hashed, each with scopes (`score`, `admin`).

Missing or unknown key -> 401; a known key without the needed scope -> 403. Verified keys are
remembered by their SHA-256 digest so a slow PBKDF2 hash costs once per key, not once per request.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fastapi import HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader

from serving.api_keys import ApiKeyEntry, hash_matches

API_KEY_HEADER = "X-API-Key"

api_key_header = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="API key with the scope the route needs."
)


class KeyVerifier:
    """Checks presented keys against the configured entries; one instance per app."""

    def __init__(self, entries: Iterable[ApiKeyEntry]) -> None:
        self._entries = list(entries)
        self._verified: dict[str, ApiKeyEntry] = {}  # sha256(key) -> entry, filled on first success
        self._lock = threading.Lock()

    def verified(self, key: str) -> ApiKeyEntry | None:
        """The entry of a key already verified once (a dictionary look-up), or None."""
        return self._verified.get(hashlib.sha256(key.encode()).hexdigest())

    def identify(self, key: str) -> ApiKeyEntry | None:
        """The entry the key belongs to, or None."""
        fingerprint = hashlib.sha256(key.encode()).hexdigest()
        hit = self._verified.get(fingerprint)
        if hit is not None:
            return hit
        for entry in self._entries:
            if hash_matches(key, entry.hash):
                with self._lock:
                    self._verified[fingerprint] = entry
                return entry
        return None


@dataclass(frozen=True)
class Denial:
    """Why a presented key is refused, with the HTTP status that says so (401 or 403)."""

    status_code: int
    reason: str


async def check_key(verifier: KeyVerifier, key: str | None, scope: str, missing: str) -> ApiKeyEntry | Denial:
    """The key's entry when it carries `scope`, else a `Denial` (`missing`: what to say without a key).

    Known keys are checked on the event loop (no thread hop per request); a key not seen yet may need a
    slow PBKDF2 hash, which runs in the thread pool so it never blocks the loop."""
    if not key:
        return Denial(status.HTTP_401_UNAUTHORIZED, missing)
    entry = verifier.verified(key)
    if entry is None:
        entry = await run_in_threadpool(verifier.identify, key)
    if entry is None:
        return Denial(status.HTTP_401_UNAUTHORIZED, "invalid API key")
    if scope not in entry.scopes:
        reason = f"API key '{entry.name}' lacks the '{scope}' scope needed here"
        return Denial(status.HTTP_403_FORBIDDEN, reason)
    return entry


def require_scope(scope: str) -> Callable[..., ApiKeyEntry]:
    """A FastAPI dependency that admits only keys carrying `scope`."""
    missing = f"missing API key: send it in the {API_KEY_HEADER} header"

    async def dependency(request: Request, key: str | None = Security(api_key_header)) -> ApiKeyEntry:
        outcome = await check_key(request.app.state.key_verifier, key, scope, missing)
        if isinstance(outcome, Denial):
            unauthorized = outcome.status_code == status.HTTP_401_UNAUTHORIZED
            headers = {"WWW-Authenticate": "APIKey"} if unauthorized else None
            raise HTTPException(status_code=outcome.status_code, detail=outcome.reason, headers=headers)
        request.state.api_key_name = outcome.name
        return outcome

    return dependency
