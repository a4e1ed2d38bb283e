"""API keys: optional for the native API (``IB_API_KEYS``); contracts reuse the comparison.

A key is sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``. Keys are compared in
constant time against every configured key, so timing tells nothing about which one nearly matched.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterable

from fastapi import Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from ..errors import BridgeError, ErrorCode

log = logging.getLogger(__name__)

_BEARER = HTTPBearer(auto_error=False, description="A key from IB_API_KEYS.")
_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="A key from IB_API_KEYS.")


def key_matches(given: str | None, keys: Iterable[str]) -> bool:
    """Constant-time membership: every configured key is compared, whatever matched first."""
    if not given:
        return False
    found = False
    for key in keys:
        found |= hmac.compare_digest(given.encode(), key.encode())
    return found


def api_key_dependency(keys: list[str]):
    """A FastAPI dependency refusing requests without a configured key (a no-op when none is configured)."""

    async def require_key(
        request: Request,
        bearer: HTTPAuthorizationCredentials | None = Security(_BEARER),  # noqa: B008 (FastAPI's way)
        header: str | None = Security(_HEADER),  # noqa: B008
    ) -> None:
        if not keys:
            return
        if key_matches(bearer.credentials if bearer else None, keys) or key_matches(header, keys):
            return
        raise BridgeError(ErrorCode.unauthorized, "missing or wrong API key (Authorization: Bearer or X-API-Key)")

    return require_key


def warn_if_open(host: str, keys: list[str]) -> bool:
    """Log a warning when the native API listens beyond loopback with no keys; True when it did."""
    if keys:
        return False
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        log.warning("the bridge listens on %s with no IB_API_KEYS: anyone who can reach it can submit tasks", host)
    return not loopback
