"""API keys as stored: who holds each, its id, its hash and its scopes, and how keys are made.

A key looks like `imr_<id>_<secret>`: the id names the stored entry, so a presented key is checked
against that one entry only, and the secret is 256 random bits, so one SHA-256 is a safe hash (as
API-key systems do; a slow hash protects guessable passwords, not random secrets). Entries in the
older forms (no id; or a PBKDF2 hash of a chosen key) keep working but are deprecated: `serving.auth`
checks them only behind the failure rate limit, and `imr serve` warns about them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from typing import Literal

from pydantic import BaseModel, Field, field_validator

PBKDF2_ITERATIONS = 200_000
KEY_PREFIX = "imr"
KEY_ID_PATTERN = r"^[0-9a-z]{6,32}$"
_KEY_RE = re.compile(r"^imr_([0-9a-z]{6,32})_(.+)$")

Scope = Literal["score", "admin", "dashboard"]

# The well-known key that development mode accepts when no keys are configured; refused in production.
DEV_API_KEY = "imr-dev-key"


class ApiKeyEntry(BaseModel):
    """One accepted API key, stored only as a hash (see `entry_for_key`)."""

    name: str = Field(description="Who holds the key; appears in logs instead of the key.")
    id: str | None = Field(
        default=None,
        pattern=KEY_ID_PATTERN,
        description="The key's id (`imr_<id>_...`): a presented key is checked against this entry only. "
        "Entries without one are deprecated.",
    )
    hash: str = Field(
        description="'sha256:<hex>' of the whole key, or (deprecated) "
        "'pbkdf2_sha256:<iterations>:<salt hex>:<hash hex>'."
    )
    scopes: list[Scope] = Field(default_factory=lambda: ["score"])

    @field_validator("hash")
    @classmethod
    def _known_scheme(cls, v: str) -> str:
        if not (v.startswith("sha256:") or v.startswith("pbkdf2_sha256:")):
            raise ValueError("API key hash must start with 'sha256:' or 'pbkdf2_sha256:'")
        return v

    @property
    def fast(self) -> bool:
        """Checked with one SHA-256 (the current form) rather than PBKDF2."""
        return self.hash.startswith("sha256:")

    @property
    def deprecated(self) -> bool:
        """Stored in an older form: without an id, or with a PBKDF2 hash of a chosen key."""
        return self.id is None or not self.fast


def key_id(key: str) -> str | None:
    """The id a presented key names (`imr_<id>_<secret>`), or None for a key in an older form."""
    m = _KEY_RE.match(key)
    return m.group(1) if m else None


def new_api_key() -> str:
    """A fresh key: `imr_` + a 12-character id + `_` + 256 random bits (URL-safe base64)."""
    return f"{KEY_PREFIX}_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"


def entry_for_key(key: str, scopes: list[Scope], name: str = "CHANGE-ME") -> ApiKeyEntry:
    """The stored entry of a key: id + SHA-256 for `imr_<id>_<secret>` keys; for any other key the
    deprecated form (no id, PBKDF2), since a chosen key may be guessable."""
    kid = key_id(key)
    if kid is not None:
        return ApiKeyEntry(name=name, id=kid, hash=hash_api_key(key, "sha256"), scopes=scopes)
    return ApiKeyEntry(name=name, hash=hash_api_key(key, "pbkdf2_sha256"), scopes=scopes)


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
