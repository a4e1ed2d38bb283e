"""Fooocus-API 0.5's answers from the bridge's task record: results, async job, queue and history.

- ``GeneratedImageResult``: ``{"base64", "url", "seed", "finish_reason"}``, ``seed`` a string (the
  generated client refuses a number), ``base64`` a data URL only when ``require_base64``;
- ``AsyncJobResponse``: ``{"job_id", "job_type", "job_stage", "job_progress", "job_status",
  "job_step_preview", "job_result"}``, stages ``WAITING`` / ``RUNNING`` / ``SUCCESS`` / ``ERROR``;
- ``JobHistoryInfo``: ``{"job_id", "in_queue_mills", "start_mills", "finish_mills", "is_finished"}``.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

from ...store.records import TaskRecord, TaskStatus
from .files import MEDIA, extension, result_url

ROUTE = "files"
JOB_TYPE = "Image Inpaint or Outpaint"
NOT_FOUND_JOB = {
    "job_id": "",
    "job_type": "Not Found",
    "job_stage": "ERROR",
    "job_progress": 0,
    "job_status": "Job not found",
    "job_step_preview": None,
    "job_result": None,
}
QUEUE_FULL_RESULT = {"base64": None, "url": None, "seed": "", "finish_reason": "QUEUE_IS_FULL"}
QUEUE_FULL_JOB = {
    "job_id": "",
    "job_type": JOB_TYPE,
    "job_stage": "ERROR",
    "job_progress": 0,
    "job_status": None,
    "job_step_preview": None,
    "job_result": [QUEUE_FULL_RESULT],
}


def finish_reason(record: TaskRecord) -> str:
    if record.status is TaskStatus.succeeded:
        return "SUCCESS"
    return "USER_CANCEL" if record.status is TaskStatus.cancelled else "ERROR"


def seeds(record: TaskRecord) -> list[str]:
    """The seed of each result, as strings: what IB_Inpaint reported, else seed, seed + 1, ..."""
    copies = int(record.meta.get("copies", 1))
    reported = record.info.get("seeds")
    images = [o for o in record.outputs if o.name == "image"]
    if not isinstance(reported, list) or len(reported) != len(images):
        first = int(record.info.get("seed") or 0)
        reported = [first + j for j in range(len(images))]
    return [str(s) for s in reported] * copies


def results(record: TaskRecord, base: str) -> list[dict[str, Any]]:
    """The result list without base64 (sync answers add it, see :func:`with_base64`)."""
    fmt = record.meta.get("save_extension", "png")
    if record.status is not TaskStatus.succeeded:
        return [
            {
                "base64": None,
                "url": None,
                "seed": str(record.info.get("seed", "")),
                "finish_reason": finish_reason(record),
            }
        ]
    urls = [result_url(base, ROUTE, record, o, fmt) for o in record.outputs if o.name == "image"]
    urls = urls * int(record.meta.get("copies", 1))
    return [
        {"base64": None, "url": url, "seed": seed, "finish_reason": "SUCCESS"}
        for url, seed in zip(urls, seeds(record), strict=True)
    ]


async def with_base64(
    record: TaskRecord, items: list[dict[str, Any]], read: Callable[[str, str], Awaitable[bytes]]
) -> list[dict[str, Any]]:
    """``base64`` filled (``data:<mime>;base64,...`` in the requested format) when the request asked for it."""
    if not record.meta.get("require_base64") or record.status is not TaskStatus.succeeded:
        return items
    fmt = record.meta.get("save_extension", "png")
    keys = [o.key for o in record.outputs if o.name == "image"] * int(record.meta.get("copies", 1))
    out = []
    for item, key in zip(items, keys, strict=True):
        data = await read(key, fmt)
        encoded = base64.b64encode(data).decode()
        out.append({**item, "base64": f"data:{MEDIA[extension(fmt)]};base64,{encoded}"})
    return out


def job_stage(record: TaskRecord) -> str:
    return {
        TaskStatus.queued: "WAITING",
        TaskStatus.running: "RUNNING",
        TaskStatus.succeeded: "SUCCESS",
    }.get(record.status, "ERROR")


def job_status(record: TaskRecord) -> str | None:
    if record.status is TaskStatus.queued:
        return None
    if record.status is TaskStatus.succeeded:
        return "Finished"
    if record.status.finished:
        return record.error.message if record.error else record.status.value
    step = record.progress
    return f"{step.node_type or 'Running'} {step.value}/{step.max}" if step.max else (step.node_type or "Running")


def job_view(record: TaskRecord, base: str, job_result: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``AsyncJobResponse``: ``job_result`` only for a finished success (upstream: None after an error)."""
    if job_result is None and record.status is TaskStatus.succeeded:
        job_result = results(record, base)
    return {
        "job_id": record.id,
        "job_type": JOB_TYPE,
        "job_stage": job_stage(record),
        "job_progress": 100 if record.status.finished else int(record.progress.fraction * 100),
        "job_status": job_status(record),
        "job_step_preview": None,
        "job_result": job_result if record.status is TaskStatus.succeeded else None,
    }


def history_item(record: TaskRecord) -> dict[str, Any]:
    def ms(t: float | None) -> int:
        return int(t * 1000) if t else 0

    return {
        "job_id": record.id,
        "in_queue_mills": ms(record.created_at),
        "start_mills": ms(record.started_at),
        "finish_mills": ms(record.finished_at),
        "is_finished": record.status.finished,
    }


def webhook_body(record: TaskRecord) -> dict[str, Any]:
    """``{"job_id", "job_result": [{"url", "seed"}]}`` (``fooocusapi/task_queue.finish_task``)."""
    items = results(record, record.meta.get("base_url", ""))
    return {"job_id": record.id, "job_result": [{"url": i["url"], "seed": i["seed"] or "-1"} for i in items]}
