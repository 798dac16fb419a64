"""API keys as stored: who holds each, its hash and its scopes, and how a presented key is checked.

Shared by the settings (which validate configured keys) and the request-time check in `serving.auth`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Literal

from pydantic import BaseModel, Field, field_validator

PBKDF2_ITERATIONS = 200_000

Scope = Literal["score", "admin", "dashboard"]

# The well-known key that development mode accepts when no keys are configured; refused in production.
DEV_API_KEY = "imr-dev-key"


class ApiKeyEntry(BaseModel):
    """One accepted API key, stored only as a hash (see `hash_api_key`)."""

    name: str = Field(description="Who holds the key; appears in logs instead of the key.")
    hash: str = Field(description="'sha256:<hex>' or 'pbkdf2_sha256:<iterations>:<salt hex>:<hash hex>'.")
    scopes: list[Scope] = Field(default_factory=lambda: ["score"])

    @field_validator("hash")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        if not (v.startswith("sha256:") or v.startswith("pbkdf2_sha256:")):
            raise ValueError("API key hash must start with 'sha256:' or 'pbkdf2_sha256:'")
        return v


def hash_api_key(key: str, scheme: str = "sha256", iterations: int = PBKDF2_ITERATIONS) -> str:
    """The stored form of a key: 'sha256:<hex>' or 'pbkdf2_sha256:<iterations>:<salt>:<hash>'."""
    if scheme == "sha256":
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    if scheme == "pbkdf2_sha256":
        salt = os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha256", key.encode(), salt, iterations)
        return f"pbkdf2_sha256:{iterations}:{salt.hex()}:{digest.hex()}"
    raise ValueError(f"unknown key hash scheme {scheme!r}; use 'sha256' or 'pbkdf2_sha256'")


def hash_matches(key: str, stored: str) -> bool:
    """Constant-time check of a presented key against one stored hash."""
    if stored.startswith("sha256:"):
        candidate = hashlib.sha256(key.encode()).hexdigest()
        return hmac.compare_digest(candidate, stored.removeprefix("sha256:"))
    if stored.startswith("pbkdf2_sha256:"):
        try:
            _, iterations, salt_hex, hash_hex = stored.split(":")
            digest = hashlib.pbkdf2_hmac("sha256", key.encode(), bytes.fromhex(salt_hex), int(iterations))
        except ValueError:
            return False
        return hmac.compare_digest(digest.hex(), hash_hex)
    return False
