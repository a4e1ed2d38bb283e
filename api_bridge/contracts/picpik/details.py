"""A task record as PICPIK's ``TaskDetail`` (``ListTasksDetails``).

``Status`` uses the four values PICPIK's older ``ListGenerateTaskDetail`` documents (the current
reference names none): Queuing, Running, Finished, Error. ``ErrorMassage`` is the documented
spelling. ``Seed`` is the seed actually used (the first of a batch: result i used Seed + i).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...store.records import TaskRecord, TaskStatus
from .errors import task_error_code

ACTION = "ModifyMaskedPixels"
RESULT = "image"  # the inpaint recipe's result name
STATUS = {
    TaskStatus.queued: "Queuing",
    TaskStatus.running: "Running",
    TaskStatus.succeeded: "Finished",
    TaskStatus.failed: "Error",
    TaskStatus.cancelled: "Error",
}


def task_detail(record: TaskRecord, url: Callable[[str], str]) -> dict[str, Any]:
    done = record.status is TaskStatus.succeeded
    failed = record.status.finished and not done
    return {
        "TaskUID": record.id,
        "Action": ACTION,
        "Status": STATUS[record.status],
        "ImgList": [url(o.key) for o in record.outputs if o.name == RESULT] if done else [],
        "Seed": int(record.info.get("seed", 0)),
        "TxtList": [],
        "ConsumeApiPoint": 0,
        "ErrorCode": task_error_code(record.error) if failed else 0,
        "ErrorMassage": (record.error.message if record.error else "the task failed") if failed else "",
    }
