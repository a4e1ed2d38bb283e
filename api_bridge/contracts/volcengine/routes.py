"""Volcengine's share of ``POST /`` (``?Action=...&Version=2022-08-31``), for the root dispatcher.

The handler is independent of the bridge's context: the contract's ``make_root(ctx)`` passes the
credentials, the run coroutine (task service) and the image loader in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi import Request
from fastapi.responses import JSONResponse
from PIL import Image

from ...openapi import inline_schema, query
from ..root import Claim, RootHandler, RootRequest
from .errors import API_VERSION
from .models import InpaintingRequest
from .service import ACTIONS, EraseJob, EraseResult, handle

QUERY_KEYS = ("Action", "Version")


def claim(request: RootRequest) -> Claim:
    """Volcengine routes by the query; a SignerV4 header alone still makes it ours (to say what is missing)."""
    if request.query_has(*QUERY_KEYS):
        return Claim.sure
    if request.headers.get("authorization", "").startswith("HMAC-SHA256"):
        return Claim.maybe
    return Claim.no


def root_handler(
    *,
    credentials: Mapping[str, str] | Callable[[], Mapping[str, str]],
    run: Callable[[EraseJob, Request], Awaitable[EraseResult]],
    load: Callable[..., Awaitable[Image.Image]],
    responses: dict | None = None,
) -> RootHandler:
    """``credentials`` (AK -> SK) may be a callable, to pick up reloaded settings.

    ``run(job, request)`` gets the HTTP request too, to build result URLs from its base URL.
    """

    async def volcengine_endpoint(request: Request, raw: RootRequest) -> JSONResponse:
        answer = await handle(
            method=request.method,
            path=request.url.path,
            query=list(raw.query),
            headers=dict(raw.headers),
            body=raw.body,  # the exact bytes: the signature covers them
            credentials=credentials() if callable(credentials) else credentials,
            run=lambda job: run(job, request),
            load=load,
        )
        return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)

    return RootHandler(
        contract="volcengine",
        claim=claim,
        handle=volcengine_endpoint,
        addressed_by=(
            f"query Action={'|'.join(sorted(ACTIONS))}&Version={API_VERSION}, body req_key=i2i_inpainting, "
            "signed with SignerV4 (HMAC-SHA256)"
        ),
        body_schema=inline_schema(InpaintingRequest),
        query=[
            query("Action", sorted(ACTIONS), "CVProcess or Img2ImgInpainting (same body)"),
            query("Version", [API_VERSION]),
        ],
        responses=responses or {},
    )
