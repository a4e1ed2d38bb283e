"""Result images in the type the request asked for (``extra.response_image_type``: png, webp or jpeg).

Tasks produce PNGs; a webp or jpeg copy of each is made once, when the task finishes (or at the first
query that finds it missing), and attached to the task so it expires with it. Copies are attached in
the order of the PNGs, so copy i is always result i.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable

from PIL import Image

from ...store.records import OutputRef, TaskRecord, TaskStatus
from .results import ResultImage

RESULT = "image"  # the inpaint recipe's result name
# response_image_type -> (PIL format, file extension, MIME type)
FORMATS = {
    "png": ("PNG", "png", "image/png"),
    "webp": ("WEBP", "webp", "image/webp"),
    "jpeg": ("JPEG", "jpg", "image/jpeg"),
}


def convert(png: bytes, image_type: str, quality: int) -> bytes:
    fmt = FORMATS[image_type][0]
    with Image.open(io.BytesIO(png)) as im:
        buf = io.BytesIO()
        if fmt == "JPEG":
            im = im.convert("RGB")  # JPEG has no alpha
        im.save(buf, fmt, quality=quality)
        return buf.getvalue()


class ResultImages:
    """The result images of Novita tasks, converted on demand; one conversion per task at a time."""

    def __init__(self, service, quality: int):
        self.service = service  # the TaskService (read_output, attach_output, get)
        self.quality = quality
        self._locks: dict[str, asyncio.Lock] = {}

    async def of(self, record: TaskRecord, image_type: str, url: Callable[[str], str]) -> list[ResultImage]:
        """The images of a finished task in ``image_type``, with their URLs and how long they stay valid."""
        if record.status is not TaskStatus.succeeded:
            return []
        outputs = await self._outputs(record, image_type)
        ttl = max(0, int((record.expires_at or time.time()) - time.time()))
        return [ResultImage(url=url(o.key), image_type=image_type, ttl=ttl) for o in outputs]

    async def _outputs(self, record: TaskRecord, image_type: str) -> list[OutputRef]:
        originals = [o for o in record.outputs if o.name == RESULT]
        if image_type == "png":
            return originals
        name = f"{RESULT}_{image_type}"
        copies = [o for o in record.outputs if o.name == name]
        if len(copies) >= len(originals):
            return copies[: len(originals)]
        lock = self._locks.setdefault(record.id, asyncio.Lock())
        async with lock:
            fresh = await self.service.get(record.id)  # another caller may have converted meanwhile
            copies = [o for o in fresh.outputs if o.name == name]
            _, ext, mime = FORMATS[image_type]
            for original in originals[len(copies) :]:
                png = await self.service.read_output(original.key)
                data = await asyncio.to_thread(convert, png, image_type, self.quality)
                copies.append(
                    await self.service.attach_output(
                        record.id, name, data, ext, mime=mime, width=original.width, height=original.height
                    )
                )
        self._locks.pop(record.id, None)
        return copies
