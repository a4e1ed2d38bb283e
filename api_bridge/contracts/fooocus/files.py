"""Result and input files under Fooocus's URLs, in the format a request or an ``Accept`` header asks for.

- v2.5 results: ``{base}/outputs/{YYYY-MM-DD}/{name}.{ext}``; old API: ``{base}/files/{YYYY-MM-DD}/{name}.{ext}``.
  ``name`` is the random key of the bridge's PNG result (the key is the capability: no authentication,
  as upstream); ``ext`` is the format the request asked for (``output_format`` / ``save_extension``),
  converted when served. The date is the day the task finished (cosmetic: not checked when served).
- v2.5 inputs, echoed in ``req_params``: ``{base}/inputs/{task_id}-{n}.png``, the task's n-th input
  image, served while the task lives.
- ``Accept: image/png|jpeg|jpg|webp`` on a file converts it to that format (upstream's rule).
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime

from PIL import Image

from ...store.records import OutputRef, TaskRecord

FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "webp": "WEBP"}
MEDIA = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}
_RESULT = re.compile(r"^([A-Za-z0-9]{8,64})\.(png|jpg|jpeg|webp)$")
_INPUT = re.compile(r"^([0-9a-f]{32})-(\d{1,2})\.(png|jpg|jpeg|webp)$")


def extension(fmt: str) -> str:
    """The file extension of a requested format (Fooocus's ``jpeg`` is saved as ``.jpg``)."""
    return "jpg" if fmt == "jpeg" else fmt


def result_url(base: str, route: str, record: TaskRecord, out: OutputRef, fmt: str) -> str:
    day = datetime.fromtimestamp(record.finished_at or record.created_at, UTC).strftime("%Y-%m-%d")
    stem = out.key.rsplit(".", 1)[0]
    return f"{base}/{route}/{day}/{stem}.{extension(fmt)}"


def input_url(base: str, task_id: str, index: int) -> str:
    return f"{base}/inputs/{task_id}-{index}.png"


def parse_result_name(name: str) -> tuple[str, str] | None:
    """``<stem>.<ext>`` → (the PNG output key, the requested extension); None for anything else."""
    match = _RESULT.match(name)
    if not match:
        return None
    return f"{match[1]}.png", match[2]


def parse_input_name(name: str) -> tuple[str, int, str] | None:
    match = _INPUT.match(name)
    if not match:
        return None
    return match[1], int(match[2]), match[3]


def accept_format(accept: str | None) -> str | None:
    """Upstream's reading of ``Accept``: ``<type>/<ext>`` with ext png / jpg / jpeg / webp, else None."""
    parts = (accept or "").lower().split("/")
    if len(parts) != 2 or parts[1] not in FORMATS:
        return None
    return parts[1]


def _convert(data: bytes, fmt: str) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        target = FORMATS[fmt]
        if target == "JPEG" and im.mode not in ("RGB", "L"):
            im = im.convert("RGB")
        buf = io.BytesIO()
        im.save(buf, target, quality=95) if target != "PNG" else im.save(buf, target)
        return buf.getvalue()


async def encode(png: bytes, fmt: str) -> bytes:
    """The PNG result in ``fmt`` (png: as stored)."""
    if FORMATS[fmt] == "PNG":
        return png
    return await asyncio.to_thread(_convert, png, fmt)
