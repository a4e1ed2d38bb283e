"""One error model for the whole bridge; each contract maps it to its own envelope.

ComfyUI validation errors (``node_errors``), runtime errors (``execution_error``),
interruptions, timeouts, bad inputs and a full queue all become a :class:`BridgeError`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ErrorCode(StrEnum):
    invalid_input = "invalid_input"  # the request itself is wrong (bad image, bad field)
    unauthorized = "unauthorized"  # missing or wrong credentials
    input_too_large = "input_too_large"  # bytes or pixels over the contract's limit
    url_refused = "url_refused"  # image URL not allowed (private address) or not fetchable
    graph_invalid = "graph_invalid"  # the graph failed the builder's or ComfyUI's validation
    execution_failed = "execution_failed"  # a node raised while running
    interrupted = "interrupted"  # cancelled by the user or interrupted on the server
    timeout = "timeout"  # the task ran past its deadline
    unavailable = "unavailable"  # no healthy ComfyUI (down, restarting)
    queue_full = "queue_full"  # the bridge's queue cap is reached
    not_found = "not_found"  # unknown task / output
    model_not_found = "model_not_found"  # a model name the request gave is not installed (details: installed)
    internal = "internal"  # a bug in the bridge


# HTTP status each code maps to when a contract has no opinion of its own.
HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.invalid_input: 422,
    ErrorCode.unauthorized: 401,
    ErrorCode.input_too_large: 413,
    ErrorCode.url_refused: 422,
    ErrorCode.graph_invalid: 422,
    ErrorCode.execution_failed: 500,
    ErrorCode.interrupted: 499,
    ErrorCode.timeout: 504,
    ErrorCode.unavailable: 503,
    ErrorCode.queue_full: 429,
    ErrorCode.not_found: 404,
    ErrorCode.model_not_found: 404,
    ErrorCode.internal: 500,
}

# Codes worth another attempt on another (or restarted) ComfyUI.
RETRYABLE = frozenset({ErrorCode.unavailable})


class ErrorInfo(BaseModel):
    """Serialisable error record (stored with the task, shown by every contract)."""

    code: ErrorCode
    message: str
    node_id: str | None = None  # graph node that failed, when known
    node_type: str | None = None  # its class, e.g. "IB_Erase"
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.code]

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE


class BridgeError(Exception):
    """Raised anywhere in the bridge; carries an :class:`ErrorInfo`."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        node_id: str | None = None,
        node_type: str | None = None,
        details: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.info = ErrorInfo(code=code, message=message, node_id=node_id, node_type=node_type, details=details or {})

    @classmethod
    def from_info(cls, info: ErrorInfo) -> BridgeError:
        return cls(info.code, info.message, node_id=info.node_id, node_type=info.node_type, details=info.details)

    @property
    def code(self) -> ErrorCode:
        return self.info.code

    @property
    def http_status(self) -> int:
        return self.info.http_status

    def __str__(self) -> str:
        where = f" (node {self.info.node_id} {self.info.node_type or ''})".rstrip() if self.info.node_id else ""
        return f"{self.info.code.value}: {self.info.message}{where}"
