"""Novita's error body ``{code, reason, message, metadata}`` with the documented reason names and statuses.

``code`` repeats the HTTP status (what Novita's gateway sends); both SDKs raise on any status other
than 200 and read ``message``, ``reason`` and ``metadata`` from the body. A missing key is 401, as
Novita's English error guide and HTTP have it (PPIO's error-code table says 400): generic HTTP
tooling, the OpenAPI fuzz run included, expects 401 for a request without credentials.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from ...errors import ErrorCode, ErrorInfo

# reason -> HTTP status (Novita's basic error codes)
REASONS: dict[str, int] = {
    "INVALID_REQUEST_BODY": 400,
    "IMAGE_FILE_EXCEEDS_MAX_SIZE": 400,
    "INVALID_IMAGE_FORMAT": 400,
    "IMAGE_EXCEEDS_MAX_RESOLUTION": 400,
    "INVALID_IMAGE_SIZE": 400,
    "API_NOT_FOUND": 404,
    "ILLEGAL_PROMPT": 400,
    "ILLEGAL_IMAGE_CONTENT": 400,
    "BILLING_BALANCE_NOT_ENOUGH": 400,
    "MISSING_API_KEY": 401,  # the error-code table says 400, Novita's English guide and HTTP say 401
    "INVALID_API_KEY": 403,
    "RATE_LIMIT_EXCEEDED": 429,
    "CREATE_TASK_FAILED": 500,
    "TASK_NOT_FOUND": 404,
    "GET_RESULT_FAILED": 500,
    "TASK_FAILED": 500,
}


class NovitaError(Exception):
    def __init__(self, reason: str, message: str, metadata: dict[str, Any] | None = None):
        if reason not in REASONS:
            raise KeyError(f"unknown Novita reason {reason!r}")
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.metadata = metadata or {}

    @property
    def status(self) -> int:
        return REASONS[self.reason]

    def body(self) -> dict[str, Any]:
        return {"code": self.status, "reason": self.reason, "message": self.message, "metadata": self.metadata}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status)


def invalid_body(message: str, **metadata: Any) -> NovitaError:
    return NovitaError("INVALID_REQUEST_BODY", message, metadata)


# The image loader's refusals (details["limit"]) -> the reason naming that rule.
_IMAGE_REASONS = {
    "bytes": "IMAGE_FILE_EXCEEDS_MAX_SIZE",
    "resolution": "IMAGE_EXCEEDS_MAX_RESOLUTION",
    "format": "INVALID_IMAGE_FORMAT",
}
_REASONS_BY_CODE = {
    ErrorCode.invalid_input: "INVALID_REQUEST_BODY",
    ErrorCode.input_too_large: "IMAGE_FILE_EXCEEDS_MAX_SIZE",
    ErrorCode.url_refused: "INVALID_REQUEST_BODY",
    ErrorCode.queue_full: "RATE_LIMIT_EXCEEDED",
    ErrorCode.not_found: "TASK_NOT_FOUND",
    ErrorCode.unauthorized: "INVALID_API_KEY",
}


def from_bridge_error(info: ErrorInfo, *, submitting: bool = True) -> NovitaError:
    """The bridge's one error model as a Novita error; unexpected failures are CREATE_TASK_FAILED while
    submitting and GET_RESULT_FAILED while reading a result."""
    metadata = {k: v for k, v in info.details.items() if k in ("kind", "name", "installed", "field")}
    if info.code is ErrorCode.model_not_found:  # Novita has no reason of its own for it
        return NovitaError("INVALID_REQUEST_BODY", info.message, metadata)
    limit = info.details.get("limit")
    if limit in _IMAGE_REASONS and info.code in (ErrorCode.invalid_input, ErrorCode.input_too_large):
        return NovitaError(_IMAGE_REASONS[limit], info.message, metadata)
    reason = _REASONS_BY_CODE.get(info.code, "CREATE_TASK_FAILED" if submitting else "GET_RESULT_FAILED")
    return NovitaError(reason, info.message, metadata)


def error_envelope(error: ErrorInfo, status: int) -> JSONResponse:
    """Framework-level errors on Novita's routes (unknown method) in Novita's body."""
    if status in (404, 405):
        return NovitaError("API_NOT_FOUND", error.message).response()
    return from_bridge_error(error).response()


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "reason", "message", "metadata"],
    "properties": {
        "code": {"type": "integer"},
        "reason": {"type": "string", "enum": sorted(REASONS)},
        "message": {"type": "string"},
        "metadata": {"type": "object"},
    },
}


def openapi_errors(*reasons: str) -> dict[int, dict[str, Any]]:
    """OpenAPI ``responses`` for the statuses of these reasons (each with the error body)."""
    by_status: dict[int, list[str]] = {}
    for reason in reasons:
        by_status.setdefault(REASONS[reason], []).append(reason)
    return {
        status: {"description": ", ".join(names), "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        for status, names in sorted(by_status.items())
    }
