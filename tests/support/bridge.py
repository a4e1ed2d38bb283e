"""Helpers for bridge tests: the captured object_info fixture, tiny PNGs, a bridge app on a real ComfyUI."""

import functools
import io
import pathlib

from PIL import Image

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


@functools.cache
def _object_info_raw() -> dict:
    import json

    return json.loads((FIXTURES / "object_info.json").read_text())


def object_info():
    from api_bridge.graph import ObjectInfo

    return ObjectInfo(_object_info_raw())


def png_bytes(image: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


def square_mask(size=(64, 64), box=(16, 16, 48, 48), fg=(255, 255, 255), mode="RGB") -> Image.Image:
    im = Image.new(mode, size)
    im.paste(fg, box)
    return im
