"""One error model for everything that can go wrong behind a contract.

Contracts map ``BridgeError.kind`` to their own envelopes and status codes.
"""

from dataclasses import dataclass, field

HTTP_STATUS = {
    "invalid_input": 400,
    "not_found": 404,
    "queue_full": 429,
    "comfy_validation": 500,
    "comfy_execution": 500,
    "interrupted": 499,
    "timeout": 504,
    "unavailable": 503,
}


@dataclass
class BridgeError(Exception):
    kind: str
    message: str
    node_id: str | None = None
    node_type: str | None = None
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        super().__init__(self.message)
        if self.kind not in HTTP_STATUS:
            raise ValueError(f"unknown error kind {self.kind!r}")

    @property
    def http_status(self) -> int:
        return HTTP_STATUS[self.kind]

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "node_id": self.node_id, "node_type": self.node_type}

    @classmethod
    def from_dict(cls, data: dict) -> "BridgeError":
        return cls(data["kind"], data["message"], data.get("node_id"), data.get("node_type"))
