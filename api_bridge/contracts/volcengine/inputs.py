"""Image and mask rules of the contract, checked on the bytes before any processing.

The image is only opened lazily (PIL reads the header: format and size), so a 5 MB
bomb of 40 000 px never gets decoded. The mask is decoded to check its encoding,
since "R = G = B" and "A = 255" are statements about every pixel.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import invalid_parameter

MAX_BYTES = 5 * 1024 * 1024
MIN_SIDE = 64
MAX_SIDE = 4096
IMAGE_FORMATS = {"JPEG", "PNG"}  # JPG / JPEG / PNG
_DATA_URL = re.compile(r"^data:[\w.+-]+/[\w.+-]+;base64,", re.IGNORECASE)
_EXIF_ORIENTATION = 0x0112
_TRANSPOSED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class CheckedImage:
    data: bytes  # the bytes exactly as received (the graph decodes them)
    format: str  # "JPEG" | "PNG"
    width: int  # after EXIF orientation
    height: int


def decode_base64(value: str, what: str) -> bytes:
    """Bare base64 or a ``data:<mime>;base64,`` URL (any mime, e.g. application/octet-stream)."""
    text = _DATA_URL.sub("", value.strip(), count=1)
    text = re.sub(r"\s+", "", text)
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_parameter(f"{what} is not valid base64") from None
    if not data:
        raise invalid_parameter(f"{what} is empty")
    return data


def _open(data: bytes, what: str) -> Image.Image:
    if len(data) > MAX_BYTES:
        raise invalid_parameter(f"{what} is {len(data)} bytes; the limit is 5 MB ({MAX_BYTES} bytes)")
    try:
        return Image.open(io.BytesIO(data))  # lazy: reads the header only
    except Image.DecompressionBombError as exc:
        # PIL refuses absurd sizes from the header already; say which limit applies.
        raise invalid_parameter(
            f"{what} is far too large ({exc}); each side must be at most {MAX_SIDE} pixels"
        ) from None
    except (UnidentifiedImageError, OSError):
        raise invalid_parameter(f"{what} is not a readable image (JPG, JPEG or PNG)") from None


def _oriented_size(img: Image.Image) -> tuple[int, int]:
    width, height = img.size
    try:
        orientation = img.getexif().get(_EXIF_ORIENTATION, 1)
    except (OSError, ValueError, SyntaxError):
        orientation = 1
    return (height, width) if orientation in _TRANSPOSED else (width, height)


def check_image(data: bytes, what: str = "image") -> CheckedImage:
    img = _open(data, what)
    with img:
        if img.format not in IMAGE_FORMATS:
            raise invalid_parameter(f"{what} is {img.format}; only JPG, JPEG and PNG are accepted")
        width, height = _oriented_size(img)
        fmt = img.format
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise invalid_parameter(
            f"{what} is {width}x{height}; each side must be between {MIN_SIDE} and {MAX_SIDE} pixels"
        )
    return CheckedImage(data=data, format=fmt, width=width, height=height)


def check_mask(data: bytes, image: CheckedImage, what: str = "mask") -> CheckedImage:
    """An 8-bit PNG: greyscale, RGB with R = G = B, or RGBA with R = G = B and A = 255.

    White (255) = erase, black (0) = keep; the graph thresholds and dilates it.
    """
    img = _open(data, what)
    with img:
        if img.format != "PNG":
            raise invalid_parameter(f"{what} must be an 8-bit PNG, got {img.format}")
        width, height = _oriented_size(img)
        if (width, height) != (image.width, image.height):
            raise invalid_parameter(
                f"{what} is {width}x{height} but the image is {image.width}x{image.height}; they must match"
            )
        mode = img.mode
        if mode not in {"L", "RGB", "RGBA"}:
            raise invalid_parameter(
                f"{what} has PNG mode {mode}; use 8-bit greyscale, RGB with R=G=B, or RGBA with R=G=B and A=255"
            )
        try:
            pixels = np.asarray(img)
        except (OSError, ValueError):
            raise invalid_parameter(f"{what} could not be decoded") from None
    if mode in {"RGB", "RGBA"}:
        rgb = pixels[..., :3]
        if not (np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])):
            raise invalid_parameter(f"{what} is a colour image; an RGB(A) mask needs R = G = B in every pixel")
        if mode == "RGBA" and not np.all(pixels[..., 3] == 255):
            raise invalid_parameter(f"{what} has transparent pixels; an RGBA mask needs A = 255 everywhere")
    return CheckedImage(data=data, format="PNG", width=width, height=height)
