"""``POST /``: one route, several contracts (Volcengine by its query, PICPIK by its body's ``Action``).

Instruction-style APIs post every action to the host root, so the path alone cannot say whose
request it is. Each such contract gives a :class:`RootHandler`: a pure ``claim`` that looks at the
query, headers and body and says how surely the request is its own, and a ``handle`` that answers
it completely (its own envelopes, errors included). The dispatcher hands a request to the one
handler with the strongest claim; adding a contract adds a handler and touches no other.

``GET /`` is not taken here (it serves IOPaint's web UI).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

log = logging.getLogger(__name__)

PATH = "/"


class Claim(IntEnum):
    """How surely a request belongs to a contract."""

    no = 0
    maybe = 1  # could be its own (e.g. its body shape without a known action): it answers its own error
    sure = 2  # carries the contract's own marker (a query Action, a body Action it serves)


@dataclass(frozen=True)
class RootRequest:
    """What a claim may look at: the query pairs, lower-cased headers and the raw body."""

    query: Sequence[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes

    def query_has(self, *names: str) -> bool:
        return any(k in names for k, _ in self.query)

    @functools.cached_property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, ValueError):
            return None


@dataclass(frozen=True)
class RootHandler:
    contract: str
    claim: Callable[[RootRequest], Claim]
    handle: Callable[[Request, RootRequest], Awaitable[Response]]
    addressed_by: str  # for the refusal of a request nobody claims: how to address this contract
    body_schema: dict[str, Any]  # JSON schema of its request body (OpenAPI)
    query: list[dict[str, Any]] = field(default_factory=list)  # its query parameters (OpenAPI objects)
    responses: dict[int, dict[str, Any]] = field(default_factory=dict)  # status -> OpenAPI response object


# The bridge's own envelope for a request no contract claims (or, by a bug, two claim alike).
UNCLAIMED_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def choose(handlers: Sequence[RootHandler], request: RootRequest) -> RootHandler | str:
    """The handler with the strongest claim, or the reason none can take the request."""
    claims = [(handler.claim(request), handler) for handler in handlers]
    best = max((c for c, _ in claims), default=Claim.no)
    winners = [h for c, h in claims if c == best]
    if best is Claim.no:
        return "no contract served here recognises this request"
    if len(winners) > 1:
        names = ", ".join(h.contract for h in winners)
        log.error("POST / claimed alike by %s; answering neither", names)
        return f"the request is ambiguous between {names}"
    return winners[0]


def unclaimed(reason: str, handlers: Sequence[RootHandler]) -> JSONResponse:
    ways = "; ".join(f"{h.contract}: {h.addressed_by}" for h in handlers)
    message = f"{reason}. POST / serves {ways}."
    return JSONResponse({"error": {"code": "invalid_input", "message": message}}, status_code=400)


def _merged_responses(handlers: Sequence[RootHandler]) -> dict[int, dict[str, Any]]:
    """Every status any handler answers, each with the union of the bodies it may carry."""
    by_status: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for handler in handlers:
        for status, response in handler.responses.items():
            by_status.setdefault(int(status), []).append((handler.contract, response))
    by_status.setdefault(400, []).append(
        ("bridge", {"description": "no contract recognises the request", "content": _json(UNCLAIMED_SCHEMA)})
    )
    out = {}
    for status in sorted(by_status):
        entries = by_status[status]
        schemas = [_schema_of(r) for _, r in entries]
        description = "; ".join(f"{who}: {r.get('description', '')}" for who, r in entries)
        schema = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
        out[status] = {"description": description, "content": _json(schema)}
    return out


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _schema_of(response: dict[str, Any]) -> dict[str, Any]:
    return response.get("content", {}).get("application/json", {}).get("schema", {})


def _merged_query(handlers: Sequence[RootHandler]) -> list[dict[str, Any]]:
    # A parameter one contract requires is optional at the shared path: the others never send it.
    out = []
    for handler in handlers:
        for parameter in handler.query:
            text = parameter.get("description", "")
            out.append({**parameter, "required": False, "description": f"{handler.contract}: {text}".rstrip(": ")})
    return out


def make_router(handlers: Sequence[RootHandler]) -> APIRouter:
    """The one ``POST /`` route for every handler given (none: no route)."""
    router = APIRouter()
    if not handlers:
        return router
    handlers = tuple(handlers)
    body = {"anyOf": [h.body_schema for h in handlers]}
    names = ", ".join(h.contract for h in handlers)

    @router.post(
        PATH,
        summary=f"Instruction-style APIs at the root: {names}",
        description="\n".join(f"- **{h.contract}**: {h.addressed_by}" for h in handlers),
        tags=[h.contract for h in handlers],
        responses=_merged_responses(handlers),
        openapi_extra={
            "parameters": _merged_query(handlers),
            "requestBody": {"required": True, "content": _json(body)},
        },
    )
    async def root_dispatch(request: Request) -> Response:
        raw = RootRequest(
            query=list(request.query_params.multi_items()),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=await request.body(),
        )
        chosen = choose(handlers, raw)
        if isinstance(chosen, str):
            return unclaimed(chosen, handlers)
        return await chosen.handle(request, raw)

    return router


__all__ = ["Claim", "RootHandler", "RootRequest", "choose", "make_router", "unclaimed"]
