"""The Volcengine endpoint as a framework-free handler: route, authenticate, validate, run, answer.

``handle`` takes the raw HTTP request (method, path, query pairs, headers, body bytes)
and returns the status and JSON body to send. The bridge's web layer is a thin adapter
around it and supplies two coroutine functions: ``load`` (the bridge's image loader,
``server/images.ImageLoader.load``: base64 or an ``image_urls`` entry → decoded image, within
this contract's limits) and ``run`` (the erase job through the task service). Every error,
the bridge's own included, is answered in this contract's envelopes, never as a traceback.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from PIL import Image

from ...errors import BridgeError
from . import inputs
from .errors import API_VERSION, BusinessError, GatewayError, format_elapsed, from_bridge_error, success_body
from .models import EraseSettings, InpaintingRequest, erase_settings, parse_request
from .signer import verify_request

log = logging.getLogger(__name__)

ACTIONS = frozenset({"CVProcess", "Img2ImgInpainting"})


@dataclass(frozen=True)
class EraseJob:
    """Everything the erase task needs: decoded, checked images, the parsed request, what ``quality`` means."""

    request_id: str
    request: InpaintingRequest
    image: Image.Image  # upright RGB(A)
    mask: Image.Image  # in its own mode (L, RGB or RGBA), checked against the contract's rules
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
    load: Callable[..., Awaitable[Image.Image]],
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
        job = await _prepare(request_id, body, load)
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
    except BridgeError as exc:  # bad input, queue full, timeout, ComfyUI failure: the service wrapper
        failure = from_bridge_error(exc.code.value, exc.info.message)
    except Exception:  # a bug: logged here, never shown to the client
        log.exception("volcengine request %s failed", request_id)
        failure = from_bridge_error("internal", "unexpected error in the bridge")
    log.info("volcengine business error %s: %s", failure.code, failure.message)
    elapsed = format_elapsed(time.monotonic() - started)
    return Answer(failure.http_status, failure.body(request_id=request_id, time_elapsed=elapsed))


async def _prepare(request_id: str, body: bytes, load: Callable[..., Awaitable[Image.Image]]) -> EraseJob:
    request = parse_request(body)
    image_src, mask_src = request.sources
    if request.from_urls:
        names = ("image_urls[0] (image)", "image_urls[1] (mask)")
    else:
        names = ("binary_data_base64[0] (image)", "binary_data_base64[1] (mask)")
    urls = request.from_urls
    image = await load(image_src, inputs.IMAGE_LIMITS, what=names[0], allow_url=urls)
    mask = await load(mask_src, inputs.MASK_LIMITS, what=names[1], allow_url=urls, keep_mode=True)
    inputs.check_mask(mask, image, names[1])
    return EraseJob(
        request_id=request_id, request=request, image=image, mask=mask, settings=erase_settings(request.quality)
    )
