"""FastAPI adapter: ``POST /?Action=...&Version=2022-08-31`` for the bridge's application.

The router is independent of the bridge's context: the contract's ``make_router(ctx)`` passes the
credentials, the run coroutine (task service) and the image loader in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from PIL import Image

from ...openapi import json_body, query
from .errors import API_VERSION
from .models import InpaintingRequest
from .service import ACTIONS, EraseJob, EraseResult, handle

PATH = "/"


def make_router(
    *,
    credentials: Mapping[str, str] | Callable[[], Mapping[str, str]],
    run: Callable[[EraseJob, Request], Awaitable[EraseResult]],
    load: Callable[..., Awaitable[Image.Image]],
    responses: dict | None = None,
) -> APIRouter:
    """``credentials`` (AK -> SK) may be a callable, to pick up reloaded settings.

    ``run(job, request)`` gets the HTTP request too, to build result URLs from its base URL.
    """
    router = APIRouter()

    @router.post(
        PATH,
        summary="Volcengine CVProcess / Img2ImgInpainting (i2i_inpainting)",
        tags=["volcengine"],
        responses=responses,
        openapi_extra={
            "parameters": [
                query("Action", sorted(ACTIONS), "CVProcess or Img2ImgInpainting (same body)"),
                query("Version", [API_VERSION]),
            ],
            "requestBody": json_body(InpaintingRequest),
        },
    )
    async def volcengine_endpoint(request: Request) -> JSONResponse:
        body = await request.body()  # the exact bytes: the signature covers them
        answer = await handle(
            method=request.method,
            path=request.url.path,
            query=list(request.query_params.multi_items()),
            headers=dict(request.headers),
            body=body,
            credentials=credentials() if callable(credentials) else credentials,
            run=lambda job: run(job, request),
            load=load,
        )
        return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)

    return router
