"""The Volcengine endpoint as a framework-free handler: route, authenticate, validate, run, answer.

``handle`` takes the raw HTTP request (method, path, query pairs, headers, body bytes)
and returns the status and JSON body to send. The bridge's web layer is a thin adapter
around it and supplies two coroutine functions: ``fetch_url`` (bytes of an ``image_urls`` entry)
and ``run`` (async: the erase job through recipe → graph → executor → stored output). No image
processing happens here: inputs are only checked against the contract's rules.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import inputs
from .errors import API_VERSION, BusinessError, GatewayError, format_elapsed, from_bridge_error, success_body
from .models import EraseSettings, InpaintingRequest, erase_settings, parse_request
from .signer import verify_request

log = logging.getLogger(__name__)

ACTIONS = frozenset({"CVProcess", "Img2ImgInpainting"})


@dataclass(frozen=True)
class EraseJob:
    """Everything a recipe needs: validated bytes, the parsed request and what ``quality`` means."""

    request_id: str
    request: InpaintingRequest
    image: inputs.CheckedImage
    mask: inputs.CheckedImage
    settings: EraseSettings


@dataclass(frozen=True)
class EraseResult:
    image_base64: str  # the result image, bare base64 (PNG)
    image_url: str | None = None  # set when request.return_url: a JPEG fetchable without auth for 24 h


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def new_request_id(now: datetime | None = None) -> str:
    """Like the service's ids: a UTC timestamp followed by random hex (34 characters)."""
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%d%H%M%S") + secrets.token_hex(10).upper()


def _query_value(query: list[tuple[str, str]], key: str) -> str | None:
    return next((v for k, v in query if k == key), None)


async def handle(
    *,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    credentials: Mapping[str, str],
    run: Callable[[EraseJob], Awaitable[EraseResult]],
    fetch_url: Callable[[str], Awaitable[bytes]] | None = None,
    now: datetime | None = None,
) -> Answer:
    started = time.monotonic()
    request_id = new_request_id()
    action = _query_value(query, "Action") or ""
    version = _query_value(query, "Version") or ""
    try:
        if not action or not version:
            raise GatewayError("MissingParameter", "The query must carry Action and Version.")
        if action not in ACTIONS or version != API_VERSION or method.upper() != "POST":
            raise GatewayError("InvalidActionOrVersion", f"Could not find operation {action} for version {version}")
        verify_request(
            method=method, path=path, query=query, headers=headers, body=body, credentials=credentials, now=now
        )
    except GatewayError as err:
        log.info("volcengine gateway refusal %s: %s", err.code, err.message)
        return Answer(err.http_status, err.body(request_id=request_id, action=action, version=version or API_VERSION))
    try:
        job = await _prepare(request_id, body, fetch_url)
        result = await run(job)
        answer = success_body(
            request_id=request_id,
            time_elapsed=format_elapsed(time.monotonic() - started),
            image_base64=result.image_base64,
            image_url=result.image_url if job.request.return_url else None,
            data_request_id=secrets.token_hex(12),
        )
        return Answer(200, answer)
    except BusinessError as err:
        failure = err
    except Exception as exc:  # the bridge's BridgeError (or a bug): answer in the service wrapper, never a traceback
        code = getattr(getattr(exc, "code", None), "value", None)
        if isinstance(code, str):
            failure = from_bridge_error(code, str(getattr(getattr(exc, "info", None), "message", exc)))
        else:
            log.exception("volcengine request %s failed", request_id)
            failure = from_bridge_error("internal", "unexpected error in the bridge")
    log.info("volcengine business error %s: %s", failure.code, failure.message)
    elapsed = format_elapsed(time.monotonic() - started)
    return Answer(failure.http_status, failure.body(request_id=request_id, time_elapsed=elapsed))


async def _prepare(request_id: str, body: bytes, fetch_url: Callable[[str], Awaitable[bytes]] | None) -> EraseJob:
    request = parse_request(body)
    image_src, mask_src = request.sources
    if request.from_urls:
        if fetch_url is None:
            raise BusinessError(50400, "image_urls are not enabled on this bridge; send binary_data_base64")
        image_bytes, mask_bytes = await fetch_url(image_src), await fetch_url(mask_src)
    else:
        image_bytes = inputs.decode_base64(image_src, "binary_data_base64[0] (image)")
        mask_bytes = inputs.decode_base64(mask_src, "binary_data_base64[1] (mask)")
    image = inputs.check_image(image_bytes, "image")
    mask = inputs.check_mask(mask_bytes, image, "mask")
    return EraseJob(
        request_id=request_id, request=request, image=image, mask=mask, settings=erase_settings(request.quality)
    )
