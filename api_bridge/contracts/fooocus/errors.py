"""Fooocus error bodies: FastAPI's own, as both upstream servers answer.

- authentication: 403 ``{"detail": "Forbidden"}`` (``apis/utils/api_utils.api_key_auth``);
- validation: 422 ``{"detail": [{"type", "loc", "msg", "input"}]}`` (FastAPI's default, FooocusAPI v2.5);
  the old Fooocus-API adds the request ``"body"`` (its handler in ``fooocusapi/api.py``);
- anything else the bridge refuses or fails at: FastAPI's ``HTTPException`` body ``{"detail": "<message>"}``.

A refusal the bridge finds itself (an image that does not decode, a model not installed) is a
validation error whose ``loc`` names the request field (``["body", "inpaint_input_image"]``).
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ...errors import BridgeError, ErrorCode, ErrorInfo

FORBIDDEN = {"detail": "Forbidden"}
LONG_INPUT = 256  # echoed inputs (a base64 image...) are cut to this many characters

# The bridge's error codes → HTTP status; the rest are validation errors (422).
STATUS = {
    ErrorCode.unauthorized: 403,
    ErrorCode.input_too_large: 413,
    ErrorCode.not_found: 404,
    ErrorCode.queue_full: 429,
    ErrorCode.timeout: 504,
    ErrorCode.unavailable: 503,
    ErrorCode.interrupted: 409,
    ErrorCode.execution_failed: 500,
    ErrorCode.graph_invalid: 500,
    ErrorCode.internal: 500,
}
VALIDATION = frozenset({ErrorCode.invalid_input, ErrorCode.url_refused})


def _short(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= LONG_INPUT else value[:LONG_INPUT] + f"... ({len(value)} characters)"
    if isinstance(value, dict):
        return {k: _short(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_short(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return _short(str(value))


def detail_item(field: str | None, message: str, kind: str = "value_error", value: Any = None) -> dict[str, Any]:
    loc = ["body", *field.split(".")] if field else ["body"]
    return {"type": kind, "loc": loc, "msg": message, "input": _short(value)}


def pydantic_detail(exc: ValidationError, prefix: tuple[str | int, ...] = ("body",)) -> list[dict[str, Any]]:
    """pydantic's errors in FastAPI's shape: ``loc`` under ``body``, long inputs cut, JSON-safe."""
    out = []
    for err in exc.errors():
        item = {
            "type": err["type"],
            "loc": [*prefix, *err["loc"]],
            "msg": err["msg"],
            "input": _short(err.get("input")),
        }
        if err.get("ctx"):
            item["ctx"] = _short({k: v for k, v in err["ctx"].items()})
        out.append(item)
    return out


def refused(exc: ValidationError, body: Any = None) -> BridgeError:
    """A request that does not validate, as a 422 in FastAPI's shape (``body``: the old API echoes it)."""
    detail = pydantic_detail(exc)
    first = detail[0] if detail else {"loc": ["body"], "msg": "invalid request"}
    where = ".".join(str(p) for p in first["loc"][1:]) or "body"
    details: dict[str, Any] = {"detail": detail}
    if body is not None:
        details["body"] = body
    return BridgeError(ErrorCode.invalid_input, f"{where}: {first['msg']}", details=details)


def validation_response(detail: list[dict[str, Any]], body: Any = None) -> JSONResponse:
    content: dict[str, Any] = {"detail": detail}
    if body is not None:  # the old Fooocus-API echoes the request body
        content["body"] = _short(body)
    return JSONResponse(content, status_code=422)


def invalid(field: str | None, message: str, value: Any = None) -> BridgeError:
    """A request the bridge refuses: answered as a 422 validation error naming ``field``."""
    return BridgeError(ErrorCode.invalid_input, message, details={"field": field, "input": _short(value)})


def status_of(info: ErrorInfo) -> int:
    if info.code in VALIDATION or info.code.value == "model_not_found":
        return 422
    return STATUS.get(info.code, 500)


def error_response(info: ErrorInfo, status: int | None = None) -> JSONResponse:
    """Any bridge error in Fooocus's shapes (also the framework's: bad JSON, unknown path, wrong method)."""
    if info.code is ErrorCode.unauthorized:
        return JSONResponse(FORBIDDEN, status_code=403)
    status = status or status_of(info)
    if status == 422 or info.code in VALIDATION:
        errors = info.details.get("errors")
        if info.details.get("detail"):  # this contract's own validation (pydantic_detail)
            detail = info.details["detail"]
        elif errors:  # the framework's validation errors (api_bridge/server/app.py), already FastAPI-shaped
            detail = [{"type": e.get("type"), "loc": e.get("loc"), "msg": e.get("msg"), "input": None} for e in errors]
        else:
            detail = [detail_item(info.details.get("field"), info.message, value=info.details.get("input"))]
        return validation_response(detail, info.details.get("body"))
    if status == 404 and not info.details.get("field"):
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    if status == 405:
        return JSONResponse({"detail": "Method Not Allowed"}, status_code=405)
    return JSONResponse({"detail": info.message}, status_code=status)


# OpenAPI: the bodies above, for every route's ``responses``.
DETAIL_TEXT = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}
DETAIL_LIST = {
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
        "body": {},
    },
}
_DESCRIPTIONS = {
    403: "Missing or wrong X-API-KEY",
    404: "Not found",
    409: "Stopped before it finished",
    413: "Image too large",
    422: "Validation error (FastAPI's shape; the old API adds the request body)",
    429: "The bridge's queue is full",
    500: "The graph failed on ComfyUI",
    503: "No ComfyUI available",
    504: "No result within the bridge's deadline",
}


def openapi_errors(*statuses: int) -> dict[int, dict[str, Any]]:
    out = {}
    for status in statuses:
        schema = DETAIL_LIST if status == 422 else DETAIL_TEXT
        out[status] = {"description": _DESCRIPTIONS[status], "content": {"application/json": {"schema": schema}}}
    return out
