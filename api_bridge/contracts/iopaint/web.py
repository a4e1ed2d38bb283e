"""IOPaint's own web UI, served at ``/`` on the bridge's origin (its bundle calls the relative ``/api/v1``).

The files are IOPaint 1.6.0's ``iopaint/web_app/`` (Apache-2.0), taken from its PyPI wheel by the set-up
(``scripts/iopaint_web.py``) into :data:`DEFAULT_WEB_DIR`, never committed. ``GET /`` is this UI's: the
contracts that share ``/`` (Volcengine, PICPIK) answer ``POST /``.
"""

from __future__ import annotations

import pathlib

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from .errors import IOPaintError, responses
from .routes import IOPaintRoute

DEFAULT_WEB_DIR = pathlib.Path(__file__).resolve().parents[3] / ".cache" / "iopaint-web"
ASSET_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_MEDIA = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
IMMUTABLE = "public, max-age=31536000, immutable"  # asset names carry their content hash


def _content(media: str) -> dict:
    return {"200": {"description": media, "content": {media.split(";")[0]: {"schema": {"type": "string"}}}}}


def make_router(web_dir: pathlib.Path) -> APIRouter:
    router = APIRouter(tags=["iopaint web UI"], route_class=IOPaintRoute)

    def serve(path: pathlib.Path, cache: str) -> FileResponse:
        if not (web_dir / "index.html").is_file():
            raise IOPaintError(
                404,
                f"IOPaint's web UI is not installed in {web_dir}: run `bash scripts/setup.sh` (or "
                "`python -m scripts.iopaint_web`), or point IB_IOPAINT_WEB_DIR at iopaint/web_app of the "
                "iopaint==1.6.0 wheel",
            )
        if not path.is_file():
            raise IOPaintError(404, "Not Found")
        return FileResponse(path, media_type=_MEDIA.get(path.suffix), headers={"Cache-Control": cache})

    @router.get("/", response_class=FileResponse, responses={**_content("text/html"), **responses(404)})
    async def index() -> FileResponse:
        """IOPaint's web UI."""
        return serve(web_dir / "index.html", "no-cache")

    @router.get("/favicon.ico", response_class=FileResponse, responses={**_content("image/x-icon"), **responses(404)})
    async def favicon() -> FileResponse:
        return serve(web_dir / "favicon.ico", "public, max-age=86400")

    @router.get(
        "/assets/{name}",
        response_class=FileResponse,
        responses={**_content("application/octet-stream"), **responses(404, 422)},
    )
    async def asset(name: str = Path(pattern=ASSET_NAME, max_length=200)) -> FileResponse:
        """The UI's scripts, styles, fonts and images."""
        return serve(web_dir / "assets" / name, IMMUTABLE)

    return router
