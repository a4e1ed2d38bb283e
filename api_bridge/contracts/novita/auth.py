"""Novita API keys: ``Authorization: Bearer <key>`` (documented) or the raw key (what the JS SDK sends).

Keys come from ``IB_NOVITA_KEYS`` and are compared in constant time against every configured key.
With none configured every request is refused, unless ``IB_NOVITA_AUTH=false`` opens the API for a
trusted local setup. A task remembers only a fingerprint of the key that made it (never the key),
so one key cannot read another's results.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from ...server.auth import key_matches
from .errors import NovitaError

BEARER = "bearer"


def presented_key(headers: Mapping[str, str]) -> str | None:
    value = (headers.get("authorization") or "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == BEARER:
        value = rest.strip()
    return value or None


def fingerprint(key: str) -> str:
    """What a task record keeps of the key that created it: a truncated SHA-256, not the key."""
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def authenticate(headers: Mapping[str, str], keys: Sequence[str], *, enabled: bool = True) -> str | None:
    """The caller's fingerprint (None when auth is off), or ``NovitaError`` MISSING_ / INVALID_API_KEY."""
    if not enabled:
        return None
    key = presented_key(headers)
    if key is None:
        raise NovitaError("MISSING_API_KEY", "send your key as 'Authorization: Bearer <key>'")
    if not key_matches(key, keys):
        hint = "" if keys else " (no keys are configured on this server: IB_NOVITA_KEYS)"
        raise NovitaError("INVALID_API_KEY", f"the API key is not valid{hint}")
    return fingerprint(key)
