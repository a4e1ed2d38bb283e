"""Optional ``X-API-KEY`` (upstream's ``--apikey``): ``IB_FOOOCUS_API_KEY``, one key or several separated by commas.

Every route but the result and input files requires it when set; a missing or wrong key is 403
``{"detail": "Forbidden"}``. Compared in constant time (``api_bridge/server/auth.key_matches``).
"""

from __future__ import annotations

from fastapi import Depends, Security
from fastapi.security import APIKeyHeader

from ...errors import BridgeError, ErrorCode
from ...server.auth import key_matches

_HEADER = APIKeyHeader(
    name="X-API-KEY", scheme_name="FooocusApiKey", auto_error=False, description="IB_FOOOCUS_API_KEY, when configured."
)


def parse_keys(text: str) -> list[str]:
    return [k.strip() for k in text.split(",") if k.strip()]


def api_key_dependencies(keys: list[str]) -> list:
    """The routers' dependencies: the key check when keys are configured; none (and no security scheme in
    the OpenAPI document) when the API is open, as upstream without ``--apikey``."""
    if not keys:
        return []

    async def require_key(key: str | None = Security(_HEADER)) -> None:  # noqa: B008 (FastAPI's way)
        if not key_matches(key, keys):
            raise BridgeError(ErrorCode.unauthorized, "Forbidden")

    return [Depends(require_key)]
