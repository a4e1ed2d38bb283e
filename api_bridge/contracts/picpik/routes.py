"""PICPIK's share of ``POST /``: its claim (the body's ``Action``) and the adapter around ``service.handle``."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import Request
from fastapi.responses import JSONResponse

from ..root import Claim, RootHandler, RootRequest
from .errors import openapi_responses
from .models import ACTIONS, body_schema
from .service import Action, handle

MARKERS = ("Action", "PublicKey", "Signature")


def claim(request: RootRequest) -> Claim:
    """Sure for a body naming one of its actions; maybe for a JSON object with PICPIK's common fields, or a
    JSON request whose body does not parse (it answers what is wrong: the only contract here addressed by
    its body). A query Action/Version is Volcengine's, never PICPIK's."""
    if request.query_has("Action", "Version"):
        return Claim.no
    body = request.json
    if body is None and "json" in request.headers.get("content-type", ""):
        return Claim.maybe
    if not isinstance(body, dict):
        return Claim.no
    if body.get("Action") in ACTIONS:
        return Claim.sure
    return Claim.maybe if any(k in body for k in MARKERS) else Claim.no


def root_handler(*, keys: Mapping[str, str] | None, actions: Callable[[Request], Mapping[str, Action]]) -> RootHandler:
    """``actions(request)``: the action coroutines for this HTTP request (result URLs use its base URL)."""

    async def picpik_endpoint(request: Request, raw: RootRequest) -> JSONResponse:
        answer = await handle(raw.body, keys=keys, actions=actions(request))
        return JSONResponse(answer.body, status_code=answer.status)

    return RootHandler(
        contract="picpik",
        claim=claim,
        handle=picpik_endpoint,
        addressed_by=f"JSON body with Action={'|'.join(ACTIONS)}, PublicKey and its SHA-1 Signature",
        body_schema=body_schema(),
        responses=openapi_responses(),
    )
