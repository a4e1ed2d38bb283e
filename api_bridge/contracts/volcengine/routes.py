"""aiohttp adapter: ``POST /?Action=...&Version=2022-08-31`` on the bridge's web application.

Requests to ``/`` that carry an ``Action`` query parameter are Volcengine's (PICPIK puts
its Action in the JSON body instead, so the two can share ``/``: ``is_volcengine``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from .service import EraseJob, EraseResult, handle

PATH = "/"


def is_volcengine(request: web.Request) -> bool:
    return request.path == PATH and "Action" in request.query


def make_handler(
    *,
    credentials: Mapping[str, str] | Callable[[], Mapping[str, str]],
    run: Callable[[EraseJob], Awaitable[EraseResult]],
    fetch_url: Callable[[str], Awaitable[bytes]] | None = None,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The request handler; ``credentials`` (AK -> SK) may be a callable to pick up reloaded settings."""

    async def volcengine_endpoint(request: web.Request) -> web.Response:
        body = await request.read()  # the exact bytes: the signature covers them
        answer = await handle(
            method=request.method,
            path=request.path,
            query=list(request.query.items()),
            headers=dict(request.headers),
            body=body,
            credentials=credentials() if callable(credentials) else credentials,
            run=run,
            fetch_url=fetch_url,
        )
        return web.json_response(answer.body, status=answer.status, headers=answer.headers)

    return volcengine_endpoint


def add_routes(app: web.Application, **kwargs) -> None:
    app.router.add_post(PATH, make_handler(**kwargs))
