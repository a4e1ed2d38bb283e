"""FooocusAPI v2.5's task record (``apis/models/response.RecordResponse``) from the bridge's task record.

``{"id", "task_id", "req_params", "in_queue_mills", "start_mills", "finish_mills", "task_status",
"progress", "preview", "webhook_url", "result"}``: times in epoch ms (-1 when unset), ``task_status``
``pending`` / ``running`` / ``finished`` / ``stop`` / ``skip``, ``result`` the output URLs.
``req_params`` is the request as the bridge ran it: the resolved seed, the models it resolved, the input
images as ``/inputs/`` URLs. ``preview`` comes only with a running task (the bridge makes no previews:
``""``). A task that failed is ``finished`` with no result, as upstream's are, and says why in ``error``.
"""

from __future__ import annotations

import json
from typing import Any

from ...store.records import TaskRecord, TaskStatus
from .files import input_url, result_url

ROUTE = "outputs"


def ms(t: float | None) -> int:
    return int(t * 1000) if t else -1


def task_status(record: TaskRecord) -> str:
    if record.status is TaskStatus.queued:
        return "pending"
    if record.status is TaskStatus.running:
        return "running"
    if record.status is TaskStatus.cancelled:
        action = record.error.details.get("fooocus_action") if record.error else None
        return action if action in ("stop", "skip") else "stop"
    return "finished"


def progress(record: TaskRecord) -> int:
    if record.status.finished:
        return 100
    if record.status is TaskStatus.queued:
        return -1
    return int(record.progress.fraction * 100)


def result_urls(record: TaskRecord, base: str, route: str, fmt: str) -> list[str]:
    """Every result image's URL; a request with ``disable_seed_increment`` repeats its one image."""
    if record.status is not TaskStatus.succeeded:
        return []
    urls = [result_url(base, route, record, out, fmt) for out in record.outputs if out.name == "image"]
    return urls * int(record.meta.get("copies", 1))


def req_params(record: TaskRecord, base: str) -> dict[str, Any]:
    params = dict(record.meta.get("req_params", {}))
    params["image_seed"] = record.info.get("seed", params.get("image_seed"))
    params["base_model_name"] = record.meta.get("checkpoint", params.get("base_model_name"))
    for field, index in record.meta.get("image_fields", {}).items():
        params[field] = input_url(base, record.id, index)
    return params


def record_view(record: TaskRecord, base: str, *, live: bool = False) -> dict[str, Any]:
    """The record as ``GET /tasks/{id}`` and the synchronous call answer it (``live``: with ``preview``)."""
    view: dict[str, Any] = {
        "id": ms(record.created_at),
        "task_id": record.id,
        "req_params": req_params(record, base),
        "in_queue_mills": ms(record.created_at),
        "start_mills": ms(record.started_at),
        "finish_mills": ms(record.finished_at),
        "task_status": task_status(record),
        "progress": progress(record),
        "webhook_url": record.meta.get("webhook_url", ""),
        "result": result_urls(record, base, ROUTE, record.meta.get("output_format", "png")),
    }
    if live:
        view["preview"] = ""
    if record.status is TaskStatus.failed and record.error:
        view["error"] = record.error.message
    return view


def pending_view(record: TaskRecord) -> dict[str, Any]:
    """What ``async_process: true`` answers at once (upstream's ``RecordResponse(task_id, "pending")``)."""
    return {
        "id": -1,
        "task_id": record.id,
        "req_params": {},
        "in_queue_mills": -1,
        "start_mills": -1,
        "finish_mills": -1,
        "task_status": "pending",
        "progress": -1,
        "preview": "",
        "webhook_url": "",
        "result": [],
    }


def stream_event(record: TaskRecord, base: str) -> dict[str, Any]:
    """One server-sent event of ``stream_output: true``; the last says ``Finished`` with the image URLs."""
    if record.status is TaskStatus.succeeded:
        images = result_urls(record, base, ROUTE, record.meta.get("output_format", "png"))
        return {"progress": 100, "preview": None, "message": "Finished", "images": images}
    if record.status.finished:
        why = record.error.message if record.error else record.status.value
        return {"progress": 100, "preview": None, "message": f"Failed: {why}", "images": []}
    if record.status is TaskStatus.queued:
        return {"progress": 0, "preview": None, "message": "Waiting in the queue", "images": []}
    step = record.progress
    message = f"{step.node_type or 'Running'} {step.value}/{step.max}" if step.max else (step.node_type or "Running")
    return {"progress": progress(record), "preview": None, "message": message, "images": []}


def webhook_body(record: TaskRecord) -> str:
    """Upstream posts the stored record serialised to text, as a JSON string (double-encoded)."""
    return json.dumps(record_view(record, record.meta.get("base_url", "")), ensure_ascii=False)
