"""The expand node's preview: its canvas geometry at full size, its pre-fill and mask on a small copy.

Geometry (padding, canvas, the kept area) comes from the node's own helpers at the picture's
real size, so what the preview shows is what a run gives. The pixels are the node's own
``expand`` run on a copy downscaled so the canvas's longest side is at most ``PREVIEW_SIDE``:
Telea takes ~40 ms and exemplar ~0.6 s there on 2 CPU cores, whatever the real canvas size.
"""

import base64
import io
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from .outpaint_expand import ExpandSettings, Padding, expand, kept_area, outpaint_mask, report

PREVIEW_SIDE = 320
MASK_COLOUR = (255, 64, 96)  # the mask travels as this colour with the mask as alpha


def preview_scale(canvas_width: int, canvas_height: int, side: int = PREVIEW_SIDE) -> float:
    return min(1.0, side / max(canvas_width, canvas_height))


def _data_url(picture: Image.Image, kind: str, **options) -> str:
    out = io.BytesIO()
    picture.save(out, kind, **options)
    return f"data:image/{kind.lower()};base64," + base64.b64encode(out.getvalue()).decode()


@dataclass
class Pixels:
    """The downscaled canvas's mask and, with a picture, the canvas as pre-filled; both ``width``×``height`` px."""

    width: int
    height: int
    mask: np.ndarray  # HxW float32 0..1
    canvas: np.ndarray | None = None  # HxWx3 uint8

    def as_json(self) -> dict:
        alpha = (self.mask * 255).round().astype(np.uint8)
        rgba = np.dstack([np.broadcast_to(np.uint8(MASK_COLOUR), (*alpha.shape, 3)), alpha])
        return {
            "width": self.width,
            "height": self.height,
            "canvas": None if self.canvas is None else _data_url(Image.fromarray(self.canvas), "JPEG", quality=85),
            "mask": _data_url(Image.fromarray(rgba, "RGBA"), "PNG", compress_level=1),
        }


def _scaled(padding: Padding, overlap: int, scale: float) -> tuple[Padding, int]:
    small = Padding(*(round(side * scale) for side in padding.as_dict().values()))
    # A band thinner than a preview pixel still shows, one pixel wide.
    return small, max(1, round(overlap * scale)) if overlap else 0


def preview_pixels(
    width: int, height: int, padding: Padding, settings: ExpandSettings, scale: float, picture: np.ndarray | None
) -> Pixels:
    """The node's mask (and with ``picture``, HxWx3 uint8, its ``expand``) at ``scale``, padding and overlap alike."""
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small_padding, overlap = _scaled(padding, settings.overlap, scale)
    if picture is None:
        mask = outpaint_mask(*size, small_padding, overlap)
        return Pixels(mask.shape[1], mask.shape[0], mask)
    small = picture if size == (width, height) else np.asarray(Image.fromarray(picture).resize(size, Image.BOX))
    image = torch.from_numpy(np.array(small)).float().div(255)[None]  # a copy: the cached picture stays read-only
    canvas, mask = expand(image, small_padding, overlap, settings.prefill, settings.seed)
    canvas_uint8 = (canvas[0].clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    return Pixels(canvas_uint8.shape[1], canvas_uint8.shape[0], mask[0].numpy(), canvas_uint8)


def outpaint_preview(width: int, height: int, settings: ExpandSettings, picture: np.ndarray | None = None) -> dict:
    """What the preview draws for an image of ``width``×``height`` (with its pixels when ``picture`` is given).

    ``outpaint`` is exactly the node's ``ib_outpaint`` report; ``original`` the canvas box
    (x0, y0, x1, y1) the picture is placed in, ``kept`` the part of it that comes back bit for
    bit; ``pixels`` the downscaled mask and, with a picture, the pre-filled canvas.
    Raises ValueError for settings the node would refuse, with the node's message.
    """
    if picture is not None and picture.shape[:2] != (height, width):
        raise ValueError(f"picture is {picture.shape[1]}×{picture.shape[0]}, not {width}×{height}")
    padding = settings.padding(width, height)
    info = report(width, height, padding)
    scale = preview_scale(info["width"], info["height"])
    return {
        "image": {"width": width, "height": height},
        "outpaint": info,
        "original": [padding.left, padding.top, padding.left + width, padding.top + height],
        "kept": list(kept_area(width, height, padding, settings.overlap)),
        "overlap": settings.overlap,
        "prefill": settings.prefill,
        "scale": scale,
        "pixels": preview_pixels(width, height, padding, settings, scale, picture).as_json(),
    }
