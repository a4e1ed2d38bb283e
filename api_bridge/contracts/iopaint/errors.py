"""IOPaint's error JSON: ``{"error", "detail", "body", "errors"}``; its web UI shows ``errors``.

IOPaint converts every exception into that body (``iopaint/api.py`` ``handle_exception``); for an
``HTTPException`` ``errors`` is ``"<status>: <detail>"``. The bridge answers every refusal in that form with
``error`` = ``HTTPException``, and request-validation failures with ``error`` = ``RequestValidationError``,
``detail`` = FastAPI's list (what IOPaint answers there) and ``errors`` = a readable line.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from ...errors import ErrorCode, ErrorInfo

# CORS as IOPaint sets it: any origin, and the seed header readable by scripts on other origins.
CORS_HEADERS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-Seed"}

# The bridge's error codes -> HTTP status: bad input is 400, as IOPaint's own size check answers.
_STATUS = {
    ErrorCode.invalid_input: 400,
    ErrorCode.url_refused: 400,
    ErrorCode.input_too_large: 413,
    ErrorCode.not_found: 404,
    ErrorCode.model_not_found: 422,  # as an unknown model in POST /model
    ErrorCode.queue_full: 429,
    ErrorCode.timeout: 504,
    ErrorCode.unavailable: 503,
}


class IOPaintError(Exception):
    """A refusal answered as IOPaint's HTTPException body."""

    def __init__(self, status: int, detail: str):
        super().__init__(f"{status}: {detail}")
        self.status, self.detail = status, detail

    def response(self) -> JSONResponse:
        return error_response(self.status, self.detail)


def error_body(status: int, detail: Any, *, error: str = "HTTPException", errors: str | None = None) -> dict:
    return {
        "error": error,
        "detail": detail,
        "body": "",
        "errors": errors if errors is not None else f"{status}: {detail}",
    }


def error_response(status: int, detail: Any, **kw: Any) -> JSONResponse:
    return JSONResponse(error_body(status, detail, **kw), status_code=status, headers=CORS_HEADERS)


def status_for(info: ErrorInfo) -> int:
    return _STATUS.get(info.code, 500)


def from_bridge_error(info: ErrorInfo) -> IOPaintError:
    return IOPaintError(status_for(info), info.message)


def validation_response(errors: list[dict[str, Any]]) -> JSONResponse:
    """422 as FastAPI words it (``detail``: the list), plus the line the web UI shows in ``errors``."""
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc") or () if p != "body")
    line = f"invalid request: {where}: {first.get('msg')}" if first else "invalid request"
    return error_response(422, errors, error="RequestValidationError", errors=line)


def error_envelope(error: ErrorInfo, status: int) -> JSONResponse:
    """Errors the app raises around a route (unparsable JSON, wrong method): IOPaint's body."""
    if status == 422 and "errors" in error.details:
        return validation_response(error.details["errors"])
    return error_response(status, error.message)


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail", "body", "errors"],
    "properties": {
        "error": {"type": "string"},
        "detail": {},
        "body": {"type": "string"},
        "errors": {"type": "string"},
    },
}


def responses(*statuses: int) -> dict[int, dict]:
    """OpenAPI entries for these error statuses, all with IOPaint's error body."""
    return {
        status: {"description": "IOPaint error JSON", "content": {"application/json": {"schema": ERROR_SCHEMA}}}
        for status in statuses
    }
