"""What IOPaint says about its pictures: limits, the input's format (the result's), masks, encodings.

Images are decoded only by the bridge's loader (``server/images.py``); this module adds IOPaint's rules:
the mask is greyscale (PIL ``L``) > 127 with alpha ignored (its web UI paints a yellow ``#ffcc00bb`` stroke
on transparent); the result goes back in the input's format, with an RGBA input's alpha re-attached and
its PNG ``parameters`` text kept; masks for the web UI are RGBA in its overlay colour.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, PngImagePlugin

from ...server.images import ImageLimits, bytes_from_text
from .errors import IOPaintError

IMAGE_LIMITS = ImageLimits(max_bytes=40 * 2**20, max_pixels=6000 * 6000, max_side=8192)
UPLOAD_LIMIT = IMAGE_LIMITS.max_bytes  # save_image / gen-info file parts
MASK_THRESHOLD = 127  # inpaint: L > 127 (cv2.threshold 127, THRESH_BINARY)
ADJUST_THRESHOLD = 126  # adjust_mask: L >= 127
JPEG_QUALITY = 95  # IOPaint's --quality default
# The web UI's overlay colour for masks it is sent (gen_frontend_mask / adjust_mask: 0.73 alpha).
OVERLAY = (255, 203, 0, 186)
PLUGIN_MASK_GROW = 4  # gen_frontend_mask dilates with a 9×9 square: a square grow by 4 px


@dataclass(frozen=True)
class Picture:
    """A decoded request image with what the answer must keep of it."""

    image: Image.Image  # upright RGB or RGBA
    format: str  # IOPaint's extension for it: png, jpeg, webp, gif, bmp, tiff
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def alpha(self) -> Image.Image | None:
        return self.image.getchannel("A") if self.image.mode == "RGBA" else None


# Magic numbers as Python's imghdr (IOPaint's get_image_ext) tells them; anything else is "jpeg" there.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"MM", "tiff"),
    (b"II", "tiff"),
)


def image_format(data: bytes) -> str:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((ext for magic, ext in _SIGNATURES if data.startswith(magic)), "jpeg")


def request_bytes(value: str | None, what: str) -> bytes:
    """A base64 field (bare or a ``data:`` URI, ``application/octet-stream`` included) → bytes."""
    if not value:
        raise IOPaintError(400, f"{what} is required: a base64 image")
    return bytes_from_text(value)


KEPT_INFO = ("parameters", "dpi", "icc_profile")  # what IOPaint's pil_to_bytes carries over to the result


def result_is_as_stored(like: Picture) -> bool:
    """The stored result (a PNG without text chunks) is already the answer: an opaque PNG input with nothing to
    carry over. Skips a decode and a re-encode (~0.4 s on a 2048² picture)."""
    return like.format == "png" and like.alpha is None and not any(like.info.get(k) for k in KEPT_INFO)


def encode_result(result: Image.Image, like: Picture, quality: int = JPEG_QUALITY) -> tuple[bytes, str]:
    """The result in the input's format (bytes, media type), with the input's alpha and PNG text."""
    image = result.convert("RGB")
    if like.alpha is not None:
        alpha = like.alpha if like.alpha.size == image.size else like.alpha.resize(image.size)
        image.putalpha(alpha)
    fmt = like.format
    kwargs: dict[str, Any] = {}
    if fmt == "png" and isinstance(like.info.get("parameters"), str):
        text = PngImagePlugin.PngInfo()
        text.add_text("parameters", like.info["parameters"])
        kwargs["pnginfo"] = text
    if fmt in ("jpeg", "webp"):
        kwargs["quality"] = quality
    for key in KEPT_INFO[1:]:
        if like.info.get(key) is not None:
            kwargs[key] = like.info[key]
    if fmt in ("jpeg", "bmp") and image.mode == "RGBA":
        image = image.convert("RGB")  # no alpha in these formats (IOPaint's save would fail)
    buf = io.BytesIO()
    image.save(buf, fmt.upper(), **kwargs)
    return buf.getvalue(), f"image/{fmt}"


def overlay_mask(mask: Image.Image) -> bytes:
    """A result mask (white = masked) as the web UI's overlay: RGBA PNG, OVERLAY where > 128, else clear."""
    on = mask.convert("L").point(lambda v: 255 if v > 128 else 0)
    out = Image.new("RGBA", mask.size, (0, 0, 0, 0))
    out.paste(Image.new("RGBA", mask.size, OVERLAY), mask=on)
    buf = io.BytesIO()
    out.save(buf, "PNG")
    return buf.getvalue()
