"""A task record as Novita's task-result body (``GET /v3/async/task-result``, webhook ``payload``).

Shape constraints both SDKs impose: ``extra`` always an object, ``extra.seed`` a string, only the four
status values (never ``TASK_STATUS_UNKNOWN``), each image with ``image_url``, ``image_type`` and
``image_url_ttl``, and all three ``debug_info`` times whenever ``debug_info`` is present.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...store.records import TaskRecord, TaskStatus

TASK_TYPE = "INPAINTING"
EVENT_TYPE = "ASYNC_TASK_RESULT"
STATUS: dict[TaskStatus, str] = {
    TaskStatus.queued: "TASK_STATUS_QUEUED",
    TaskStatus.running: "TASK_STATUS_PROCESSING",
    TaskStatus.succeeded: "TASK_STATUS_SUCCEED",
    TaskStatus.failed: "TASK_STATUS_FAILED",
    TaskStatus.cancelled: "TASK_STATUS_FAILED",
}


@dataclass(frozen=True)
class ResultImage:
    url: str  # fetchable without auth until the task expires
    image_type: str  # png | webp | jpeg
    ttl: int  # seconds the URL stays valid


def _ms(seconds: float | None) -> str:
    return str(int(seconds * 1000)) if seconds else "0"


def task_result(record: TaskRecord, images: list[ResultImage]) -> dict[str, Any]:
    status = STATUS[record.status]
    done = record.status is TaskStatus.succeeded
    progress = 100 if done else min(99, int(record.progress.fraction * 100))  # 100 only with the images
    reason = ""
    if record.status.finished and record.status is not TaskStatus.succeeded:
        reason = record.error.message if record.error else "the task failed"
    return {
        "extra": {
            "seed": str(record.info.get("seed", 0)),
            "enable_nsfw_detection": False,
            "debug_info": {
                "request_info": "",
                "submit_time_ms": _ms(record.created_at),
                "execute_time_ms": _ms(record.started_at),
                "complete_time_ms": _ms(record.finished_at),
            },
        },
        "task": {
            "task_id": record.id,
            "status": status,
            "reason": reason,
            "task_type": TASK_TYPE,
            "eta": 0,
            "progress_percent": progress,
        },
        "images": [
            {"image_url": i.url, "image_type": i.image_type, "image_url_ttl": str(i.ttl), "nsfw_detection_result": None}
            for i in images
        ]
        if record.status is TaskStatus.succeeded
        else [],
        "videos": [],
        "audios": [],
    }


def event(payload: dict[str, Any]) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "payload": payload}


def mock_payload(task_id: str, status: str, seed: int, webhook: dict[str, Any]) -> dict[str, Any]:
    """The mock task result ``extra.webhook.test_mode`` asks for: nothing was generated, so no images."""
    failed = status == "TASK_STATUS_FAILED"
    return {
        "extra": {"seed": str(seed), "enable_nsfw_detection": False, "webhook": webhook},
        "task": {
            "task_id": task_id,
            "status": status,
            "reason": "test mode: a mock failure" if failed else "",
            "task_type": TASK_TYPE,
            "eta": 0,
            "progress_percent": 100,
        },
        "images": [],
        "videos": [],
        "audios": [],
    }


RESULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["extra", "task", "images", "videos", "audios"],
    "properties": {
        "extra": {"type": "object", "properties": {"seed": {"type": "string"}}},
        "task": {
            "type": "object",
            "required": ["task_id", "status", "reason", "task_type", "eta", "progress_percent"],
            "properties": {
                "task_id": {"type": "string"},
                "status": {"type": "string", "enum": sorted(set(STATUS.values()))},
                "reason": {"type": "string"},
                "task_type": {"type": "string"},
                "eta": {"type": "integer"},
                "progress_percent": {"type": "integer", "minimum": 0, "maximum": 100},
            },
        },
        "images": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["image_url", "image_type", "image_url_ttl"],
                "properties": {
                    "image_url": {"type": "string"},
                    "image_type": {"type": "string", "enum": ["png", "webp", "jpeg"]},
                    "image_url_ttl": {"type": "string"},
                },
            },
        },
        "videos": {"type": "array"},
        "audios": {"type": "array"},
    },
}
