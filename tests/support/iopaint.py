"""What IOPaint's clients send and get: data URLs, the web UI's yellow brush masks, IOPaint's mask rule."""

import base64
import io

import numpy as np
from PIL import Image, ImageDraw

BRUSH = (255, 205, 0, 187)  # the web UI's #ffcc00bb as its canvas exports it
OVERLAY = (255, 203, 0, 186)  # masks IOPaint sends the web UI


def encode(image: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


def data_url(image: Image.Image | bytes, fmt: str = "PNG", mime: str = "application/octet-stream") -> str:
    raw = image if isinstance(image, bytes) else encode(image, fmt)
    return f"data:{mime};base64,{base64.b64encode(raw).decode()}"


def brush_mask(size: tuple[int, int], points: list[tuple[int, int]], width: int = 24) -> Image.Image:
    """A stroke as the web UI paints it: yellow on transparent, with faint anti-aliased edge pixels."""
    w, h = size
    mask = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(mask)
    draw.line(points, fill=BRUSH, width=width, joint="curve")
    for x, y in points:
        r = width // 2
        draw.ellipse((x - r, y - r, x + r, y + r), fill=BRUSH)
    edge = np.asarray(mask).copy()
    solid = edge[..., 3] > 0
    ring = np.zeros_like(solid)
    ring[1:, :] |= solid[:-1, :]
    ring[:-1, :] |= solid[1:, :]
    ring &= ~solid
    edge[ring] = (255, 213, 0, 18)  # low alpha, still yellow: masked by IOPaint's rule (alpha ignored)
    return Image.fromarray(edge)


def masked(mask: Image.Image | np.ndarray) -> np.ndarray:
    """IOPaint's rule: greyscale (PIL L, alpha ignored) > 127."""
    image = mask if isinstance(mask, Image.Image) else Image.fromarray(mask)
    return np.asarray(image.convert("L")) > 127


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
