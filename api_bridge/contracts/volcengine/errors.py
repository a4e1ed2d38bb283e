"""Volcengine error envelopes: gateway (``ResponseMetadata.Error``) and service (``code``/``status``).

Gateway errors are raised before a request reaches the service (signature, credentials,
unknown action); business errors use the service wrapper with a 5xxxx code and the HTTP
status the Volcengine visual error table gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

API_VERSION = "2022-08-31"

# Code -> (CodeN, HTTP status), from the gateway error table.
GATEWAY_CODES: dict[str, tuple[int, int]] = {
    "MissingParameter": (100002, 400),
    "MissingAuthenticationToken": (100003, 401),
    "MissingRequestInfo": (100004, 400),
    "MissingSignature": (100005, 401),
    "InvalidTimestamp": (100006, 400),
    "ServiceNotFound": (100007, 404),
    "InvalidActionOrVersion": (100008, 404),
    "InvalidAccessKey": (100009, 401),
    "SignatureDoesNotMatch": (100010, 401),
    "AccessDenied": (100013, 403),
}

# code -> (HTTP status, message), from the visual business error table.
BUSINESS_CODES: dict[int, tuple[int, str]] = {
    50411: (400, "Pre Img Risk Not Pass"),
    50511: (400, "Post Img Risk Not Pass"),
    50412: (400, "Text Risk Not Pass"),
    50512: (400, "Post Text Risk Not Pass"),
    50413: (400, "Post Text Risk Not Pass"),
    50429: (429, "Request Has Reached API Limit, Please Try Later"),
    50430: (429, "Request Has Reached API Concurrent Limit, Please Try Later"),
    50500: (500, "Internal Error"),
    50501: (500, "Internal RPC Error"),
}
# Generic parameter errors are undocumented upstream; the bridge answers them with one
# fixed code (HTTP 400) and a message that names the problem. Stable: clients may key on it.
INVALID_PARAMETER = 50400
QUEUE_FULL = 50429
INTERNAL_ERROR = 50500


class GatewayError(Exception):
    """An error answered in the gateway wrapper (authentication, routing)."""

    def __init__(self, code: str, message: str):
        if code not in GATEWAY_CODES:
            raise KeyError(f"unknown gateway code {code!r}")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def code_n(self) -> int:
        return GATEWAY_CODES[self.code][0]

    @property
    def http_status(self) -> int:
        return GATEWAY_CODES[self.code][1]

    def body(self, *, request_id: str, action: str = "", version: str = API_VERSION) -> dict[str, Any]:
        return {
            "ResponseMetadata": {
                "RequestId": request_id,
                "Action": action,
                "Version": version,
                "Service": "cv",
                "Region": "cn-north-1",
                "Error": {"CodeN": self.code_n, "Code": self.code, "Message": self.message},
            }
        }


@dataclass
class BusinessError(Exception):
    """An error answered in the service wrapper with a 5xxxx code."""

    code: int
    message: str = ""

    def __post_init__(self):
        if not self.message:
            self.message = BUSINESS_CODES.get(self.code, (400, "Invalid Request Parameters"))[1]
        super().__init__(f"{self.code}: {self.message}")

    @property
    def http_status(self) -> int:
        if self.code == INVALID_PARAMETER:
            return 400
        return BUSINESS_CODES.get(self.code, (500, ""))[0]

    def body(self, *, request_id: str, time_elapsed: str = "0s") -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.code,
            "message": self.message,
            "request_id": request_id,
            "time_elapsed": time_elapsed,
            "data": None,
        }


def invalid_parameter(message: str) -> BusinessError:
    return BusinessError(INVALID_PARAMETER, message)


def queue_full() -> BusinessError:
    return BusinessError(QUEUE_FULL)


def success_body(
    *, request_id: str, time_elapsed: str, image_base64: str, image_url: str | None, data_request_id: str
) -> dict[str, Any]:
    """The documented success wrapper: one image; ``image_urls`` only when ``return_url`` asked for it."""
    return {
        "code": 10000,
        "message": "Success",
        "request_id": request_id,
        "status": 10000,
        "time_elapsed": time_elapsed,
        "data": {
            "algorithm_base_resp": {"status_code": 0, "status_message": "Success"},
            "binary_data_base64": [image_base64],
            "image_urls": [image_url] if image_url else None,
            "request_id": data_request_id,
        },
    }


def format_elapsed(seconds: float) -> str:
    return f"{seconds:.9f}s"


# The bridge's internal error codes (api_bridge.errors.ErrorCode values) -> business codes.
_FROM_BRIDGE = {
    "invalid_input": INVALID_PARAMETER,
    "input_too_large": INVALID_PARAMETER,
    "url_refused": INVALID_PARAMETER,
    "queue_full": QUEUE_FULL,
}


def from_bridge_error(code: str, message: str) -> BusinessError:
    """Map the bridge's one error model to this contract's service wrapper.

    Bad inputs are parameter errors (400, 50400); a full queue is the QPS limit
    (429, 50429); everything else (graph, execution, timeout, unavailable) is 50500.
    """
    business = _FROM_BRIDGE.get(code, INTERNAL_ERROR)
    if business == QUEUE_FULL:
        return queue_full()
    return BusinessError(business, message if business == INVALID_PARAMETER else f"Internal Error: {message}")


def _envelope_schemas() -> dict:
    gateway = {
        "type": "object",
        "required": ["ResponseMetadata"],
        "properties": {"ResponseMetadata": {"type": "object", "required": ["RequestId", "Error"]}},
    }
    business = {"type": "object", "required": ["code", "status", "message", "request_id"]}
    return {"gateway": gateway, "business": business}


def openapi_responses() -> dict:
    """Every status the route answers, for the OpenAPI document: the success wrapper, gateway and business errors."""
    schemas = _envelope_schemas()
    either = {"anyOf": [schemas["gateway"], schemas["business"]]}
    statuses = {status for _, status in GATEWAY_CODES.values()} | {s for s, _ in BUSINESS_CODES.values()}
    out: dict = {
        200: {
            "description": "Success wrapper (code 10000)",
            "content": {"application/json": {"schema": schemas["business"]}},
        }
    }
    for status in sorted(statuses):
        out[status] = {
            "description": "Gateway (ResponseMetadata.Error) or business (code) error",
            "content": {"application/json": {"schema": either}},
        }
    return out
