"""PICPIK's envelope: ``{Action, RetCode, Message, request_uuid}``, ``RetCode`` 0 = success.

PICPIK publishes no error-code table, so the bridge fixes its own (stable: clients may key on
them; README lists them). Business errors keep HTTP 200, as PICPIK's instruction-style API does;
only a body that is not a JSON object (transport level) gets HTTP 400.
"""

from __future__ import annotations

from typing import Any

from ...errors import ErrorCode, ErrorInfo

OK = 0
BAD_BODY = 1000  # the body is not a JSON object (HTTP 400)
BAD_ACTION = 1001  # Action missing, or not one this server serves
MISSING_CREDENTIALS = 1002  # PublicKey or Signature missing
UNKNOWN_PUBLIC_KEY = 1003  # PublicKey not configured (every key, when none is configured)
BAD_SIGNATURE = 1004  # Signature does not match the body and the key's PrivateKey
INVALID_PARAMETER = 2001  # a field missing, of the wrong type or out of range
INVALID_IMAGE = 2002  # an ImageAndMaskList entry: index, base64, format, size
MODEL_NOT_FOUND = 2003  # MainModel / SubModelList names no installed model
UNKNOWN_TASK = 2004  # a TaskUID this server does not know (or another key's)
BUSY = 4290  # the queue is full: retry later
INTERNAL = 5000  # the bridge or ComfyUI failed
# TaskDetail.ErrorCode of a task that failed after it was accepted
GENERATION_FAILED = 5001
CANCELLED = 5002  # interrupted or past its deadline

RET_CODES: dict[int, str] = {
    OK: "success",
    BAD_BODY: "the body is not a JSON object (HTTP 400)",
    BAD_ACTION: "Action missing or not served",
    MISSING_CREDENTIALS: "PublicKey or Signature missing",
    UNKNOWN_PUBLIC_KEY: "PublicKey unknown",
    BAD_SIGNATURE: "Signature does not match",
    INVALID_PARAMETER: "a parameter is missing, of the wrong type or out of range",
    INVALID_IMAGE: "an image of ImageAndMaskList is missing, unreadable or of the wrong size",
    MODEL_NOT_FOUND: "a model is not installed",
    UNKNOWN_TASK: "a TaskUID is unknown",
    BUSY: "the queue is full; retry later",
    INTERNAL: "internal error",
    GENERATION_FAILED: "the generation failed (TaskDetail.ErrorCode)",
    CANCELLED: "the task was cancelled or ran past its deadline (TaskDetail.ErrorCode)",
}


class PicpikError(Exception):
    def __init__(self, ret_code: int, message: str):
        super().__init__(f"{ret_code}: {message}")
        self.ret_code = ret_code
        self.message = message

    @property
    def http_status(self) -> int:
        return 400 if self.ret_code == BAD_BODY else 200


# The bridge's one error model -> RetCode (request errors) ...
_REQUEST_CODES = {
    ErrorCode.invalid_input: INVALID_PARAMETER,
    ErrorCode.input_too_large: INVALID_IMAGE,
    ErrorCode.url_refused: INVALID_IMAGE,
    ErrorCode.queue_full: BUSY,
    ErrorCode.not_found: UNKNOWN_TASK,
    ErrorCode.unauthorized: UNKNOWN_PUBLIC_KEY,
}
# ... and -> TaskDetail.ErrorCode (a task that failed after it was accepted).
_TASK_CODES = {
    ErrorCode.model_not_found: MODEL_NOT_FOUND,  # a file gone from ComfyUI between submission and the run
    ErrorCode.invalid_input: INVALID_PARAMETER,
    ErrorCode.graph_invalid: INVALID_PARAMETER,
    ErrorCode.execution_failed: GENERATION_FAILED,
    ErrorCode.interrupted: CANCELLED,
    ErrorCode.timeout: CANCELLED,
}


def from_bridge_error(info: ErrorInfo) -> PicpikError:
    if info.code is ErrorCode.model_not_found:
        return PicpikError(MODEL_NOT_FOUND, info.message)
    code = _REQUEST_CODES.get(info.code, INTERNAL)
    if code == INVALID_PARAMETER and info.details.get("limit"):  # the image loader's refusals
        code = INVALID_IMAGE
    return PicpikError(code, info.message if code != INTERNAL else f"internal error: {info.message}")


def task_error_code(info: ErrorInfo | None) -> int:
    if info is None:
        return OK
    return _TASK_CODES.get(info.code, INTERNAL)


def envelope(action: str, request_uuid: str, ret_code: int = OK, message: str = "", **fields: Any) -> dict[str, Any]:
    return {"Action": action, "RetCode": ret_code, "Message": message, "request_uuid": request_uuid, **fields}


ENVELOPE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["Action", "RetCode", "Message", "request_uuid"],
    "properties": {
        "Action": {"type": "string"},
        "RetCode": {"type": "integer", "enum": sorted(RET_CODES)},
        "Message": {"type": "string"},
        "request_uuid": {"type": "string"},
        "TaskUID": {"type": "string"},
        "TaskDetailList": {"type": "array", "items": {"type": "object"}},
    },
}


def openapi_responses() -> dict[int, dict[str, Any]]:
    content = {"application/json": {"schema": ENVELOPE_SCHEMA}}
    return {
        200: {"description": "PICPIK envelope: RetCode 0 = success, any other = a business error", "content": content},
        400: {"description": "PICPIK envelope, RetCode 1000: the body is not a JSON object", "content": content},
    }
