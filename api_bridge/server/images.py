"""Safe image input: base64 / any data: URI / bytes / http(s) URL → a decoded, upright PIL image.

Limits are checked before decoding fully: the byte size first, then the pixel count from
the header (PIL reads only the header on open); decompression bombs are refused. URLs are
fetched with a timeout and a size cap, and private, loopback, link-local and reserved
addresses are refused unless configured (checked on every connection, redirects included).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import ipaddress
import socket
import urllib.parse
import warnings
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import BridgeError, ErrorCode


@dataclass(frozen=True)
class ImageLimits:
    """Per contract: the largest encoded size and decoded pixel count accepted."""

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 4096 * 4096
    max_side: int = 8192


@dataclass(frozen=True)
class UrlPolicy:
    allow_private: bool = False
    timeout: float = 15.0
    max_redirects: int = 3


def _b64decode(text: str) -> bytes:
    text = "".join(text.split())
    text += "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text)
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BridgeError(ErrorCode.invalid_input, f"image is not valid base64: {exc}") from exc


def bytes_from_text(value: str) -> bytes:
    """Bare base64 or a ``data:<any mime>;base64,`` URI (e.g. application/octet-stream) → bytes."""
    value = value.strip()
    if value[:5].lower() == "data:":
        header, sep, payload = value.partition(",")
        if not sep:
            raise BridgeError(ErrorCode.invalid_input, "data: URI without a comma")
        if ";base64" not in header.lower():
            raise BridgeError(ErrorCode.invalid_input, "only base64 data: URIs are accepted")
        value = payload
    if not value:
        raise BridgeError(ErrorCode.invalid_input, "empty image")
    return _b64decode(value)


def decode_image(data: bytes, limits: ImageLimits = ImageLimits(), *, what: str = "image") -> Image.Image:
    """Bytes → upright RGB or RGBA image (alpha kept when the file has any), within ``limits``."""
    if len(data) > limits.max_bytes:
        raise BridgeError(ErrorCode.input_too_large, f"{what} is {len(data)} bytes; the limit is {limits.max_bytes}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))  # reads the header only
            w, h = img.size
            if w * h > limits.max_pixels or max(w, h) > limits.max_side:
                raise BridgeError(
                    ErrorCode.input_too_large,
                    f"{what} is {w}x{h}; the limit is {limits.max_pixels} pixels and {limits.max_side} px a side",
                )
            img.load()
            img = ImageOps.exif_transpose(img)
    except BridgeError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BridgeError(ErrorCode.input_too_large, f"{what} refused as a decompression bomb: {exc}") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise BridgeError(ErrorCode.invalid_input, f"{what} is not a readable image: {exc}") from exc
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if img.mode.startswith("I;16") or img.mode == "I":
        img = img.point(lambda v: v / 256).convert("L")  # 16-bit grey → 8-bit
    return img.convert("RGBA" if has_alpha else "RGB")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


class _CheckingResolver(AbstractResolver):
    """Resolves like aiohttp, then refuses non-public addresses (so DNS answers can't point inside)."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET):
        infos = await self._inner.resolve(host, port, family)
        bad = [i["host"] for i in infos if not _public(i["host"])]
        if bad:
            raise BridgeError(ErrorCode.url_refused, f"image URL host {host!r} resolves to a non-public address")
        return infos

    async def close(self) -> None:
        await self._inner.close()


def _check_url(url: str, policy: UrlPolicy) -> None:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.hostname:
        raise BridgeError(ErrorCode.url_refused, "only http(s) image URLs are accepted")
    if policy.allow_private:
        return
    try:
        literal = ipaddress.ip_address(parsed.hostname)
    except ValueError:
        return  # a name: checked by _CheckingResolver on every connection
    if not _public(str(literal)):
        raise BridgeError(ErrorCode.url_refused, f"image URL host {parsed.hostname} is not a public address")


async def fetch_url(url: str, policy: UrlPolicy, max_bytes: int) -> bytes:
    """GET with a timeout and size cap; redirects followed by hand so every hop is checked."""
    connector = aiohttp.TCPConnector(resolver=None if policy.allow_private else _CheckingResolver())
    timeout = aiohttp.ClientTimeout(total=policy.timeout, connect=min(policy.timeout, 5))
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            for _hop in range(policy.max_redirects + 1):
                _check_url(url, policy)
                async with session.get(url, allow_redirects=False) as r:
                    if r.status in (301, 302, 303, 307, 308) and r.headers.get("Location"):
                        url = urllib.parse.urljoin(url, r.headers["Location"])
                        continue
                    if r.status != 200:
                        raise BridgeError(ErrorCode.url_refused, f"image URL answered HTTP {r.status}")
                    if r.content_length is not None and r.content_length > max_bytes:
                        raise BridgeError(
                            ErrorCode.input_too_large, f"image URL is {r.content_length} bytes; limit {max_bytes}"
                        )
                    buf = bytearray()
                    async for chunk in r.content.iter_chunked(65536):
                        buf += chunk
                        if len(buf) > max_bytes:
                            raise BridgeError(ErrorCode.input_too_large, f"image URL is over {max_bytes} bytes")
                    return bytes(buf)
            raise BridgeError(ErrorCode.url_refused, "image URL redirects too often")
    except BridgeError:
        raise
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        raise BridgeError(ErrorCode.url_refused, f"image URL could not be fetched: {type(exc).__name__} {exc}") from exc


class ImageLoader:
    """What contracts call: any accepted image value → decoded image, with limits and URL policy."""

    def __init__(self, policy: UrlPolicy = UrlPolicy(), default_limits: ImageLimits = ImageLimits()):
        self.policy = policy
        self.default_limits = default_limits

    async def load(
        self, value: str | bytes, limits: ImageLimits | None = None, *, what: str = "image", allow_url: bool = True
    ) -> Image.Image:
        limits = limits or self.default_limits
        if isinstance(value, bytes | bytearray):
            data = bytes(value)
        elif isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
            if not allow_url:
                raise BridgeError(ErrorCode.invalid_input, f"{what}: URLs are not accepted here")
            data = await fetch_url(value.strip(), self.policy, limits.max_bytes)
        elif isinstance(value, str):
            if len(value) > limits.max_bytes * 4 // 3 + 1024:
                raise BridgeError(ErrorCode.input_too_large, f"{what} is over the limit of {limits.max_bytes} bytes")
            data = bytes_from_text(value)
        else:
            raise BridgeError(ErrorCode.invalid_input, f"{what}: expected base64, a data: URI or a URL")
        return await asyncio.to_thread(decode_image, data, limits, what=what)
