"""Safe image input: base64 / data URIs / uploads / http(s) URLs, limits before decoding.

- ``data:<any mime>;base64,`` prefixes (including ``application/octet-stream``) and
  bare base64 are accepted; whitespace and missing padding are tolerated;
- byte size, format and pixel count are checked from the header before the pixels
  are decoded (decompression bombs are refused);
- EXIF orientation is applied;
- URLs: http(s) only, with a timeout and a size cap, and refused when the host
  resolves to a private, loopback, link-local or reserved address unless the
  configuration allows private networks.
"""

import asyncio
import base64
import binascii
import io
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import aiohttp
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import BridgeError

_DATA_URI = re.compile(r"^data:[^,]*?(;base64)?,", re.IGNORECASE)


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 4096 * 4096
    min_side: int = 1
    max_side: int = 8192
    formats: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")


def decode_base64(text: str, what: str = "image") -> bytes:
    if not isinstance(text, str) or not text.strip():
        raise BridgeError("invalid_input", f"{what} is empty")
    body = _DATA_URI.sub("", text.strip(), count=1)
    body = re.sub(r"\s+", "", body)
    body += "=" * (-len(body) % 4)
    try:
        return base64.b64decode(body, validate=False)
    except (binascii.Error, ValueError):
        raise BridgeError("invalid_input", f"{what} is not valid base64") from None


def open_image(data: bytes, limits: ImageLimits = ImageLimits(), what: str = "image") -> Image.Image:
    """Decode after checking size, format and dimensions from the header; EXIF-orient."""
    if len(data) > limits.max_bytes:
        raise BridgeError("invalid_input", f"{what} is {len(data)} bytes; the limit is {limits.max_bytes}")
    try:
        img = Image.open(io.BytesIO(data))  # lazy: reads the header only
    except (UnidentifiedImageError, OSError):
        raise BridgeError("invalid_input", f"{what} is not a readable image") from None
    if img.format not in limits.formats:
        raise BridgeError("invalid_input", f"{what} format {img.format} is not accepted ({', '.join(limits.formats)})")
    w, h = img.size
    if w * h > limits.max_pixels or max(w, h) > limits.max_side:
        raise BridgeError("invalid_input", f"{what} is {w}x{h}; the limit is {limits.max_side} px per side")
    if min(w, h) < limits.min_side:
        raise BridgeError("invalid_input", f"{what} is {w}x{h}; each side must be at least {limits.min_side} px")
    try:
        img.load()
    except (OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise BridgeError("invalid_input", f"{what} could not be decoded: {exc}") from None
    return ImageOps.exif_transpose(img)


def to_png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast


async def fetch_url(
    url: str, limits: ImageLimits, allow_private: bool = False, timeout: float = 15.0, what: str = "image"
) -> bytes:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise BridgeError("invalid_input", f"{what} URL must be http(s): {url[:100]}")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parsed.hostname, parsed.port or 80)
    except socket.gaierror:
        raise BridgeError("invalid_input", f"{what} URL host {parsed.hostname} does not resolve") from None
    if not allow_private and any(_refused_address(info[4][0]) for info in infos):
        raise BridgeError("invalid_input", f"{what} URL points at a private or local address; refused")
    try:
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
        async with session, session.get(url, allow_redirects=False) as resp:
            if resp.status != 200:
                raise BridgeError("invalid_input", f"{what} URL answered HTTP {resp.status}")
            chunks, size = [], 0
            async for chunk in resp.content.iter_chunked(65536):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise BridgeError("invalid_input", f"{what} at the URL exceeds {limits.max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise BridgeError("invalid_input", f"{what} URL could not be fetched: {exc}") from None


async def load_image(
    value: str, limits: ImageLimits = ImageLimits(), allow_private: bool = False, what: str = "image"
) -> Image.Image:
    """An image field of any contract: URL or (data-URI) base64."""
    if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
        return open_image(await fetch_url(value.strip(), limits, allow_private, what=what), limits, what)
    return open_image(decode_base64(value, what), limits, what)
