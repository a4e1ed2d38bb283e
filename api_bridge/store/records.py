"""The stored record of one task: status, progress, timestamps, request summary, results, error."""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from ..errors import ErrorInfo


class TaskStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (TaskStatus.succeeded, TaskStatus.failed, TaskStatus.cancelled)


class OutputRef(BaseModel):
    """One result file in the blob store; served at ``/bridge/v1/outputs/{key}`` without auth until it expires."""

    name: str  # the recipe's result name ("image", "mask")
    key: str
    mime: str = "image/png"
    width: int | None = None
    height: int | None = None


class Progress(BaseModel):
    fraction: float = 0.0  # 0..1 over the whole graph
    node: str | None = None  # node now running
    node_type: str | None = None
    value: int = 0  # per-step progress of that node
    max: int = 0
    nodes_done: int = 0
    nodes_total: int = 0


class TaskRecord(BaseModel):
    id: str
    kind: str
    contract: str = "bridge"  # which API created it (lists are per contract)
    status: TaskStatus = TaskStatus.queued
    progress: Progress = Field(default_factory=Progress)
    task: dict[str, Any]  # the typed task as JSON (re-parsed with api_bridge.tasks.parse_task)
    summary: dict[str, Any] = Field(default_factory=dict)  # small request summary for listings
    meta: dict[str, Any] = Field(default_factory=dict)  # contract-private data (echoed fields etc.)
    inputs: list[str] = Field(default_factory=list)  # input blob keys the task reads (deleted when it expires)
    outputs: list[OutputRef] = Field(default_factory=list)
    info: dict[str, Any] = Field(default_factory=dict)  # e.g. {"seed": 123}
    error: ErrorInfo | None = None
    webhook_url: str | None = None
    attempts: int = 0
    server: str | None = None  # ComfyUI that ran it
    worker: str | None = None  # the bridge worker ("<replica>/<index>") that runs or ran it
    created_at: float = Field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    expires_at: float | None = None

    def output(self, name: str) -> OutputRef | None:
        return next((o for o in self.outputs if o.name == name), None)
