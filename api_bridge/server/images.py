"""Safe image input, the one place images are decoded: base64 / any data: URI / bytes / http(s) URL →
a decoded, upright PIL image, within the calling contract's limits and accepted formats.

Limits are checked before decoding fully: the byte size first, then the format and pixel count
from the header (PIL reads only the header on open); decompression bombs are refused. URLs are
fetched with a timeout and a size cap under the bridge's address policy (``api_bridge/net.py``),
checked on every hop.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import re
import urllib.parse
import warnings
from dataclasses import dataclass

import aiohttp
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import BridgeError, ErrorCode
from ..net import REDIRECTS, UrlPolicy, check_url, session

__all__ = ["ImageLimits", "ImageLoader", "UrlPolicy", "bytes_from_text", "decode_image", "fetch_url"]


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# ``details["limit"]`` of a refusal says which rule it broke, for contracts with one error name per rule.
BYTES, RESOLUTION, FORMAT = {"limit": "bytes"}, {"limit": "resolution"}, {"limit": "format"}


@dataclass(frozen=True)
class ImageLimits:
    """Per contract: the largest encoded size, decoded pixel count and sides, and the accepted formats."""

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 4096 * 4096
    max_side: int = 8192
    min_side: int = 1
    formats: frozenset[str] | None = None  # PIL format names ("JPEG", "PNG", ...); None: any PIL reads

    @property
    def byte_limit(self) -> str:
        return f"the limit is {self.max_bytes} bytes ({self.max_bytes / 2**20:g} MB)"


def _b64decode(text: str) -> bytes:
    text = "".join(text.split())
    text += "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text)
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BridgeError(ErrorCode.invalid_input, f"image is not valid base64: {exc}", details=FORMAT) from exc


def bytes_from_text(value: str) -> bytes:
    """Bare base64 or a ``data:<any mime>;base64,`` URI (e.g. application/octet-stream) → bytes."""
    value = value.strip()
    if value[:5].lower() == "data:":
        header, sep, payload = value.partition(",")
        if not sep:
            raise BridgeError(ErrorCode.invalid_input, "data: URI without a comma", details=FORMAT)
        if ";base64" not in header.lower():
            raise BridgeError(ErrorCode.invalid_input, "only base64 data: URIs are accepted", details=FORMAT)
        value = payload
    if not value:
        raise BridgeError(ErrorCode.invalid_input, "empty image", details=FORMAT)
    return _b64decode(value)


def decode_image(
    data: bytes, limits: ImageLimits = ImageLimits(), *, what: str = "image", keep_mode: bool = False
) -> Image.Image:
    """Bytes → upright RGB or RGBA image (alpha kept when the file has any), within ``limits``.

    ``keep_mode``: return the file's own mode (e.g. ``L`` for a grey mask) instead, for contracts whose
    rules are about the encoding itself.
    """
    if len(data) > limits.max_bytes:
        raise BridgeError(ErrorCode.input_too_large, f"{what} is {len(data)} bytes; {limits.byte_limit}", details=BYTES)
    try:
        with warnings.catch_warnings():
            # The limits below decide (they are far below PIL's bomb warning); PIL still refuses absurd sizes.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))  # reads the header only
            if limits.formats is not None and img.format not in limits.formats:
                accepted = ", ".join(sorted(limits.formats))
                raise BridgeError(
                    ErrorCode.invalid_input, f"{what} is {img.format}; accepted formats: {accepted}", details=FORMAT
                )
            w, h = img.size
            if w * h > limits.max_pixels or max(w, h) > limits.max_side:
                raise BridgeError(
                    ErrorCode.input_too_large,
                    f"{what} is {w}x{h}; the limit is {limits.max_pixels} pixels and {limits.max_side} px a side",
                    details=RESOLUTION,
                )
            if min(w, h) < limits.min_side:
                raise BridgeError(
                    ErrorCode.invalid_input,
                    f"{what} is {w}x{h}; each side must be at least {limits.min_side} px",
                    details=RESOLUTION,
                )
            img.load()
            img = ImageOps.exif_transpose(img)
    except BridgeError:
        raise
    except Image.DecompressionBombError as exc:
        raise BridgeError(
            ErrorCode.input_too_large, f"{what} refused as a decompression bomb: {exc}", details=RESOLUTION
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise BridgeError(ErrorCode.invalid_input, f"{what} is not a readable image: {exc}", details=FORMAT) from exc
    if keep_mode:
        return img
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if img.mode.startswith("I;16") or img.mode == "I":
        img = img.point(lambda v: v / 256).convert("L")  # 16-bit grey → 8-bit
    return img.convert("RGBA" if has_alpha else "RGB")


async def fetch_url(url: str, policy: UrlPolicy, max_bytes: int) -> bytes:
    """GET with a timeout and size cap; redirects followed by hand so every hop is checked."""
    check_url(url, policy, "image URL")  # before any connection: a file: or ftp: URL never opens one
    try:
        async with session(policy, "image URL") as http:
            for _hop in range(policy.max_redirects + 1):
                check_url(url, policy, "image URL")
                async with http.get(url, allow_redirects=False) as r:
                    if r.status in REDIRECTS and r.headers.get("Location"):
                        url = urllib.parse.urljoin(url, r.headers["Location"])
                        continue
                    if r.status != 200:
                        raise BridgeError(ErrorCode.url_refused, f"image URL answered HTTP {r.status}")
                    if r.content_length is not None and r.content_length > max_bytes:
                        raise BridgeError(
                            ErrorCode.input_too_large,
                            f"image URL is {r.content_length} bytes; limit {max_bytes}",
                            details=BYTES,
                        )
                    buf = bytearray()
                    async for chunk in r.content.iter_chunked(65536):
                        buf += chunk
                        if len(buf) > max_bytes:
                            raise BridgeError(
                                ErrorCode.input_too_large, f"image URL is over {max_bytes} bytes", details=BYTES
                            )
                    return bytes(buf)
            raise BridgeError(ErrorCode.url_refused, "image URL redirects too often")
    except BridgeError:
        raise
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise BridgeError(ErrorCode.url_refused, f"image URL could not be fetched: {type(exc).__name__} {exc}") from exc


class ImageLoader:
    """What contracts call: any accepted image value → decoded image, with limits and URL policy."""

    def __init__(self, policy: UrlPolicy | None = None, default_limits: ImageLimits = ImageLimits()):
        self.policy = policy or UrlPolicy()
        self.default_limits = default_limits

    async def load(
        self,
        value: str | bytes,
        limits: ImageLimits | None = None,
        *,
        what: str = "image",
        allow_url: bool = True,
        keep_mode: bool = False,
    ) -> Image.Image:
        limits = limits or self.default_limits
        if isinstance(value, bytes | bytearray):
            data = bytes(value)
        elif isinstance(value, str) and _URL.match(value.strip()):  # any scheme: file:, ftp:... are refused there
            if not allow_url:
                raise BridgeError(ErrorCode.invalid_input, f"{what}: URLs are not accepted here")
            try:
                data = await fetch_url(value.strip(), self.policy, limits.max_bytes)
            except BridgeError as exc:  # say which field
                raise BridgeError(exc.code, f"{what}: {exc.info.message}", details=exc.info.details) from None
        elif isinstance(value, str):
            if len(value) > limits.max_bytes * 4 // 3 + 1024:
                raise BridgeError(ErrorCode.input_too_large, f"{what} is too large; {limits.byte_limit}", details=BYTES)
            data = bytes_from_text(value)
        else:
            raise BridgeError(ErrorCode.invalid_input, f"{what}: expected base64, a data: URI or a URL")
        return await asyncio.to_thread(decode_image, data, limits, what=what, keep_mode=keep_mode)
